package jvirt.net.user.wire;

import java.nio.ByteBuffer;

/**
 * The TCP header (RFC 9293) and the options the NAT uses: maximum segment size and window scale
 * (RFC 7323). SACK and timestamps are parsed past, never offered, so a guest does not use them.
 */
public final class TcpSegment {
    public static final int HEADER_LENGTH = 20;
    public static final int CHECKSUM_FIELD = 16;
    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    /** The options of a SYN the NAT sends: MSS, then a NOP and the window scale, 8 bytes. */
    public static final int SYN_OPTIONS_LENGTH = 8;
    /** RFC 7323 section 2.3: a larger shift is taken as 14. */
    public static final int MAX_WINDOW_SCALE = 14;
    private static final int OPTION_END = 0;
    private static final int OPTION_NOP = 1;
    private static final int OPTION_MSS = 2;
    private static final int OPTION_WINDOW_SCALE = 3;

    public int sourcePort;
    public int destinationPort;
    public int sequence;
    public int acknowledgment;
    public int flags;
    public int window;
    /** The MSS option's value, or -1 without one. */
    public int mss;
    /** The window scale option's shift, or -1 without one. */
    public int windowScale;
    public int payloadOffset;
    public int payloadLength;

    /**
     * Reads the segment {@code [offset, offset + length)} (the whole IP payload) whose pseudo-header
     * has addresses {@code source} and {@code destination}; {@code verify}: check the checksum.
     */
    public Defect decode(ByteBuffer buffer, int offset, int length, int source, int destination, boolean verify) {
        if (length < HEADER_LENGTH) {
            return Defect.TRUNCATED;
        }
        int dataOffset = (buffer.get(offset + 12) >>> 4 & 0xF) * 4;
        if (dataOffset < HEADER_LENGTH) {
            return Defect.MALFORMED;
        }
        if (dataOffset > length) {
            return Defect.TRUNCATED;
        }
        if (verify && !InternetChecksum.verifiesTransport(buffer, offset, length, Ipv4Header.PROTOCOL_TCP, source, destination)) {
            return Defect.BAD_CHECKSUM;
        }
        sourcePort = buffer.getShort(offset) & 0xFFFF;
        destinationPort = buffer.getShort(offset + 2) & 0xFFFF;
        sequence = buffer.getInt(offset + 4);
        acknowledgment = buffer.getInt(offset + 8);
        flags = buffer.get(offset + 13) & 0xFF;
        window = buffer.getShort(offset + 14) & 0xFFFF;
        payloadOffset = offset + dataOffset;
        payloadLength = length - dataOffset;
        return decodeOptions(buffer, offset + HEADER_LENGTH, offset + dataOffset);
    }

    private Defect decodeOptions(ByteBuffer buffer, int at, int end) {
        mss = -1;
        windowScale = -1;
        while (at < end) {
            int kind = buffer.get(at) & 0xFF;
            if (kind == OPTION_END) {
                break;
            }
            if (kind == OPTION_NOP) {
                at++;
                continue;
            }
            if (at + 2 > end) {
                return Defect.MALFORMED;
            }
            int length = buffer.get(at + 1) & 0xFF;
            if (length < 2 || at + length > end) {
                return Defect.MALFORMED;
            }
            if (kind == OPTION_MSS && length == 4) {
                mss = buffer.getShort(at + 2) & 0xFFFF;
            } else if (kind == OPTION_WINDOW_SCALE && length == 3) {
                windowScale = Math.min(buffer.get(at + 2) & 0xFF, MAX_WINDOW_SCALE);
            }
            at += length;
        }
        return null;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** The sequence space the segment occupies: its payload, plus one each for SYN and FIN. */
    public int sequenceLength() {
        return payloadLength + (flags & SYN) / SYN + (flags & FIN);
    }

    /**
     * Writes a header with {@code optionsLength} bytes of options to follow (a multiple of 4); the
     * checksum field is left zero for {@link InternetChecksum#fillTransport} or its partial twin.
     */
    public static void write(ByteBuffer buffer, int offset, int sourcePort, int destinationPort, int sequence,
                             int acknowledgment, int flags, int window, int optionsLength) {
        buffer.putShort(offset, (short) sourcePort);
        buffer.putShort(offset + 2, (short) destinationPort);
        buffer.putInt(offset + 4, sequence);
        buffer.putInt(offset + 8, acknowledgment);
        buffer.put(offset + 12, (byte) ((HEADER_LENGTH + optionsLength) / 4 << 4));
        buffer.put(offset + 13, (byte) flags);
        buffer.putShort(offset + 14, (short) window);
        buffer.putInt(offset + 16, 0);
    }

    /** Writes the {@link #SYN_OPTIONS_LENGTH} bytes of a SYN's options; a negative scale is sent as a NOP. */
    public static void writeSynOptions(ByteBuffer buffer, int offset, int mss, int windowScale) {
        buffer.put(offset, (byte) OPTION_MSS);
        buffer.put(offset + 1, (byte) 4);
        buffer.putShort(offset + 2, (short) mss);
        buffer.put(offset + 4, (byte) OPTION_NOP);
        if (windowScale < 0) {
            buffer.putShort(offset + 5, (short) (OPTION_NOP << 8 | OPTION_NOP));
            buffer.put(offset + 7, (byte) OPTION_NOP);
        } else {
            buffer.put(offset + 5, (byte) OPTION_WINDOW_SCALE);
            buffer.put(offset + 6, (byte) 3);
            buffer.put(offset + 7, (byte) windowScale);
        }
    }
}
