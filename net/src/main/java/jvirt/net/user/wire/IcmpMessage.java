package jvirt.net.user.wire;

import java.nio.ByteBuffer;

/** An ICMP message (RFC 792): type, code, checksum and the four header bytes that follow. */
public final class IcmpMessage {
    public static final int HEADER_LENGTH = 8;
    public static final int ECHO_REPLY = 0;
    public static final int DESTINATION_UNREACHABLE = 3;
    public static final int ECHO_REQUEST = 8;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PORT_UNREACHABLE = 3;
    /** How much of the offending datagram an error carries: its header and 8 payload bytes (RFC 792). */
    public static final int QUOTED_PAYLOAD = 8;

    public int type;
    public int code;

    /** Reads and verifies the message {@code [offset, offset + length)}; null when intact. */
    public Defect decode(ByteBuffer buffer, int offset, int length) {
        if (length < HEADER_LENGTH) {
            return Defect.TRUNCATED;
        }
        if (!InternetChecksum.verifies(InternetChecksum.add(0, buffer, offset, offset + length))) {
            return Defect.BAD_CHECKSUM;
        }
        type = buffer.get(offset) & 0xFF;
        code = buffer.get(offset + 1) & 0xFF;
        return null;
    }

    /** Sets type and code of the message {@code [offset, offset + length)} and computes its checksum. */
    public static void finish(ByteBuffer buffer, int offset, int length, int type, int code) {
        buffer.put(offset, (byte) type);
        buffer.put(offset + 1, (byte) code);
        buffer.putShort(offset + 2, (short) 0);
        buffer.putShort(offset + 2, (short) InternetChecksum.finish(InternetChecksum.add(0, buffer, offset, offset + length)));
    }
}
