package jvirt.net.user.dns;

import java.nio.ByteBuffer;

/** The DNS header and question section (RFC 1035 section 4.1), as far as a forwarder needs them. */
public final class DnsMessage {
    public static final int HEADER_LENGTH = 12;
    public static final int PORT = 53;
    private static final int QR = 0x8000;
    private static final int OPCODE_AND_RD = 0x7900;
    private static final int RA = 0x0080;
    private static final int SERVFAIL = 2;
    private static final int MAX_NAME = 255;

    private DnsMessage() {
    }

    public static int id(ByteBuffer b, int offset) {
        return b.getShort(offset) & 0xFFFF;
    }

    public static boolean isResponse(ByteBuffer b, int offset) {
        return (b.getShort(offset + 2) & QR) != 0;
    }

    /**
     * The end of the single question of a query {@code [offset, offset + length)}, or -1 when the
     * message has no such question: a query names one, without compression (RFC 1035 section 4.1.2).
     */
    public static int questionEnd(ByteBuffer b, int offset, int length) {
        if (length < HEADER_LENGTH || (b.getShort(offset + 4) & 0xFFFF) != 1) {
            return -1;
        }
        int end = offset + length;
        int at = offset + HEADER_LENGTH;
        int name = 0;
        while (true) {
            if (at >= end) {
                return -1;
            }
            int label = b.get(at) & 0xFF;
            name += label + 1;
            if (label > 63 || name > MAX_NAME) {
                return -1;
            }
            at += label + 1;
            if (label == 0) {
                break;
            }
        }
        return at + 4 <= end ? at + 4 : -1;
    }

    /**
     * Writes into {@code out} from 0 a SERVFAIL answer to the query {@code [offset, offset + length)};
     * returns its length, or -1 when the query has no question to repeat.
     */
    public static int serverFailure(ByteBuffer query, int offset, int length, ByteBuffer out) {
        int end = questionEnd(query, offset, length);
        if (end < 0) {
            return -1;
        }
        int questionLength = end - offset - HEADER_LENGTH;
        out.putShort(0, query.getShort(offset));
        out.putShort(2, (short) (QR | (query.getShort(offset + 2) & OPCODE_AND_RD) | RA | SERVFAIL));
        out.putShort(4, (short) 1);
        out.putShort(6, (short) 0);
        out.putInt(8, 0);
        out.put(HEADER_LENGTH, query, offset + HEADER_LENGTH, questionLength);
        return HEADER_LENGTH + questionLength;
    }
}
