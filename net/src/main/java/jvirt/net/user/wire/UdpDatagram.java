package jvirt.net.user.wire;

import java.nio.ByteBuffer;

/** The UDP header (RFC 768). */
public final class UdpDatagram {
    public static final int HEADER_LENGTH = 8;
    private static final int CHECKSUM_FIELD = 6;

    public int sourcePort;
    public int destinationPort;
    public int payloadOffset;
    public int payloadLength;

    /**
     * Reads the datagram at {@code offset} inside an IP payload of {@code available} bytes;
     * {@code verify}: check the checksum (a zero field means the sender computed none).
     */
    public Defect decode(ByteBuffer buffer, int offset, int available, int source, int destination, boolean verify) {
        if (available < HEADER_LENGTH) {
            return Defect.TRUNCATED;
        }
        int length = buffer.getShort(offset + 4) & 0xFFFF;
        if (length < HEADER_LENGTH) {
            return Defect.MALFORMED;
        }
        if (length > available) {
            return Defect.TRUNCATED;
        }
        if (verify && buffer.getShort(offset + CHECKSUM_FIELD) != 0
                && !InternetChecksum.verifiesTransport(buffer, offset, length, Ipv4Header.PROTOCOL_UDP, source, destination)) {
            return Defect.BAD_CHECKSUM;
        }
        sourcePort = buffer.getShort(offset) & 0xFFFF;
        destinationPort = buffer.getShort(offset + 2) & 0xFFFF;
        payloadOffset = offset + HEADER_LENGTH;
        payloadLength = length - HEADER_LENGTH;
        return null;
    }

    /** Writes the header of a datagram whose payload already follows it, with a complete checksum. */
    public static void write(ByteBuffer buffer, int offset, int sourcePort, int destinationPort, int payloadLength, int source, int destination) {
        int length = HEADER_LENGTH + payloadLength;
        buffer.putShort(offset, (short) sourcePort);
        buffer.putShort(offset + 2, (short) destinationPort);
        buffer.putShort(offset + 4, (short) length);
        if (InternetChecksum.fillTransport(buffer, offset, length, Ipv4Header.PROTOCOL_UDP, source, destination, CHECKSUM_FIELD) == 0) {
            // Zero means "no checksum" in UDP; the computed zero is sent as its other form (RFC 768).
            buffer.putShort(offset + CHECKSUM_FIELD, (short) 0xFFFF);
        }
    }
}
