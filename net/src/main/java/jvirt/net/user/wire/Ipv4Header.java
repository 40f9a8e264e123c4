package jvirt.net.user.wire;

import java.nio.ByteBuffer;

/**
 * The IPv4 header (RFC 791). Addresses are {@code int}s, most significant byte first on the wire.
 * Options are skipped, never interpreted.
 */
public final class Ipv4Header {
    public static final int MIN_LENGTH = 20;
    public static final int MAX_TOTAL_LENGTH = 0xFFFF;
    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;
    public static final int DONT_FRAGMENT = 0x4000;
    public static final int MORE_FRAGMENTS = 0x2000;
    public static final int OFFSET_MASK = 0x1FFF;
    public static final int DEFAULT_TTL = 64;

    public int headerLength;
    public int totalLength;
    public int flagsAndOffset;
    public int protocol;
    public int source;
    public int destination;

    /**
     * Reads the header at {@code offset} with {@code available} bytes after it in the frame (the
     * frame may be padded past the datagram); null when the datagram is whole and intact.
     */
    public Defect decode(ByteBuffer buffer, int offset, int available) {
        if (available < MIN_LENGTH) {
            return Defect.TRUNCATED;
        }
        int versionAndLength = buffer.get(offset) & 0xFF;
        headerLength = (versionAndLength & 0xF) * 4;
        if (versionAndLength >>> 4 != 4 || headerLength < MIN_LENGTH) {
            return Defect.MALFORMED;
        }
        totalLength = buffer.getShort(offset + 2) & 0xFFFF;
        if (totalLength < headerLength) {
            return Defect.MALFORMED;
        }
        if (totalLength > available) {
            return Defect.TRUNCATED;
        }
        if (!InternetChecksum.verifies(InternetChecksum.add(0, buffer, offset, offset + headerLength))) {
            return Defect.BAD_CHECKSUM;
        }
        flagsAndOffset = buffer.getShort(offset + 6) & 0xFFFF;
        protocol = buffer.get(offset + 9) & 0xFF;
        source = buffer.getInt(offset + 12);
        destination = buffer.getInt(offset + 16);
        return (flagsAndOffset & (MORE_FRAGMENTS | OFFSET_MASK)) != 0 ? Defect.FRAGMENT : null;
    }

    /** The offset of the payload, for a header decoded at {@code offset}. */
    public int payloadOffset(int offset) {
        return offset + headerLength;
    }

    public int payloadLength() {
        return totalLength - headerLength;
    }

    /** Writes a 20-byte header with its checksum. */
    public static void write(ByteBuffer buffer, int offset, int totalLength, int identification, int flagsAndOffset,
                             int protocol, int source, int destination) {
        buffer.putShort(offset, (short) 0x4500);
        buffer.putShort(offset + 2, (short) totalLength);
        buffer.putShort(offset + 4, (short) identification);
        buffer.putShort(offset + 6, (short) flagsAndOffset);
        buffer.put(offset + 8, (byte) DEFAULT_TTL);
        buffer.put(offset + 9, (byte) protocol);
        buffer.putShort(offset + 10, (short) 0);
        buffer.putInt(offset + 12, source);
        buffer.putInt(offset + 16, destination);
        buffer.putShort(offset + 10, (short) InternetChecksum.finish(InternetChecksum.add(0, buffer, offset, offset + MIN_LENGTH)));
    }

    /** Dotted-quad text of an address. */
    public static String toString(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." + (address & 0xFF);
    }
}
