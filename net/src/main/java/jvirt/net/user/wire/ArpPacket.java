package jvirt.net.user.wire;

import java.nio.ByteBuffer;

/** An ARP packet for IPv4 over Ethernet (RFC 826): the only kind a guest's stack sends. */
public final class ArpPacket {
    public static final int LENGTH = 28;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;

    public int operation;
    public long senderMac;
    public int senderIp;
    public long targetMac;
    public int targetIp;

    /** Reads the packet at {@code offset}, {@code length} bytes available; null when it is one. */
    public Defect decode(ByteBuffer buffer, int offset, int length) {
        if (length < LENGTH) {
            return Defect.TRUNCATED;
        }
        // Hardware type Ethernet, protocol IPv4, address lengths 6 and 4.
        if (buffer.getShort(offset) != 1 || buffer.getShort(offset + 2) != EthernetFrame.TYPE_IPV4
                || buffer.get(offset + 4) != 6 || buffer.get(offset + 5) != 4) {
            return Defect.MALFORMED;
        }
        operation = buffer.getShort(offset + 6) & 0xFFFF;
        senderMac = EthernetFrame.mac(buffer, offset + 8);
        senderIp = buffer.getInt(offset + 14);
        targetMac = EthernetFrame.mac(buffer, offset + 18);
        targetIp = buffer.getInt(offset + 24);
        return operation == REQUEST || operation == REPLY ? null : Defect.MALFORMED;
    }

    public static void write(ByteBuffer buffer, int offset, int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
        buffer.putShort(offset, (short) 1);
        buffer.putShort(offset + 2, (short) EthernetFrame.TYPE_IPV4);
        buffer.put(offset + 4, (byte) 6);
        buffer.put(offset + 5, (byte) 4);
        buffer.putShort(offset + 6, (short) operation);
        EthernetFrame.putMac(buffer, offset + 8, senderMac);
        buffer.putInt(offset + 14, senderIp);
        EthernetFrame.putMac(buffer, offset + 18, targetMac);
        buffer.putInt(offset + 24, targetIp);
    }
}
