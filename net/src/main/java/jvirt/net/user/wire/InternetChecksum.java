package jvirt.net.user.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one's-complement sum of RFC 1071 used by IPv4, ICMP, UDP and TCP. Sums are kept unfolded in a
 * {@code long} so that pieces (pseudo-header, header, payload) can be added up separately; each piece
 * must start at an even offset from the start of the checksummed data.
 */
public final class InternetChecksum {
    private InternetChecksum() {
    }

    /** Adds the bytes {@code [from, to)} of {@code buffer} (absolute offsets) to {@code sum}. */
    public static long add(long sum, ByteBuffer buffer, int from, int to) {
        int i = from;
        if (buffer.order() == ByteOrder.BIG_ENDIAN) {
            // Two 32-bit halves per 8 bytes: end-around carries are folded at the end, and a long
            // cannot overflow for anything under 4 GiB.
            for (; i + 8 <= to; i += 8) {
                long v = buffer.getLong(i);
                sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
            }
        }
        for (; i + 2 <= to; i += 2) {
            sum += ((buffer.get(i) & 0xFF) << 8) | (buffer.get(i + 1) & 0xFF);
        }
        if (i < to) {
            sum += (buffer.get(i) & 0xFF) << 8;
        }
        return sum;
    }

    /** The sum of the IPv4 pseudo-header that TCP and UDP checksums cover (RFC 9293 section 3.1). */
    public static long pseudoHeader(int source, int destination, int protocol, int length) {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF) + protocol + length;
    }

    /** Folds a sum to 16 bits, carries added back in. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The value for a checksum field: the complement of the folded sum. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * Computes a TCP or UDP checksum over the pseudo-header and the segment {@code [offset,
     * offset + length)} and stores it in the field {@code field} bytes into the segment; returns it.
     */
    public static int fillTransport(ByteBuffer buffer, int offset, int length, int protocol, int source, int destination, int field) {
        buffer.putShort(offset + field, (short) 0);
        int checksum = finish(add(pseudoHeader(source, destination, protocol, length), buffer, offset, offset + length));
        buffer.putShort(offset + field, (short) checksum);
        return checksum;
    }

    /**
     * Stores only the folded pseudo-header sum in the checksum field, as a checksum offload expects
     * (Linux's CHECKSUM_PARTIAL): whoever finishes it sums from the segment start and complements.
     */
    public static void fillPseudoHeader(ByteBuffer buffer, int offset, int length, int protocol, int source, int destination, int field) {
        buffer.putShort(offset + field, (short) fold(pseudoHeader(source, destination, protocol, length)));
    }

    /** Whether the TCP or UDP segment {@code [offset, offset + length)} carries a right checksum. */
    public static boolean verifiesTransport(ByteBuffer buffer, int offset, int length, int protocol, int source, int destination) {
        return verifies(add(pseudoHeader(source, destination, protocol, length), buffer, offset, offset + length));
    }

    /** Whether data whose sum (checksum field included) is {@code sum} is intact. */
    public static boolean verifies(long sum) {
        return fold(sum) == 0xFFFF;
    }
}
