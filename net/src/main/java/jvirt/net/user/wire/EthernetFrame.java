package jvirt.net.user.wire;

import java.nio.ByteBuffer;

/**
 * The Ethernet II header (IEEE 802.3 with an EtherType): destination, source, type. MAC addresses
 * travel as the low 48 bits of a {@code long}, as in {@link jvirt.net.MacAddress#bits()}.
 */
public final class EthernetFrame {
    public static final int HEADER_LENGTH = 14;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_IPV6 = 0x86DD;
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private EthernetFrame() {
    }

    public static long destination(ByteBuffer frame, int offset) {
        return mac(frame, offset);
    }

    public static long source(ByteBuffer frame, int offset) {
        return mac(frame, offset + 6);
    }

    public static int type(ByteBuffer frame, int offset) {
        return frame.getShort(offset + 12) & 0xFFFF;
    }

    /** Whether a MAC address names a group (multicast or broadcast). */
    public static boolean isGroup(long mac) {
        return (mac >>> 40 & 1) != 0;
    }

    public static void write(ByteBuffer frame, int offset, long destination, long source, int type) {
        putMac(frame, offset, destination);
        putMac(frame, offset + 6, source);
        frame.putShort(offset + 12, (short) type);
    }

    static long mac(ByteBuffer buffer, int offset) {
        return (buffer.getShort(offset) & 0xFFFFL) << 32 | (buffer.getInt(offset + 2) & 0xFFFF_FFFFL);
    }

    static void putMac(ByteBuffer buffer, int offset, long mac) {
        buffer.putShort(offset, (short) (mac >>> 32));
        buffer.putInt(offset + 2, (int) mac);
    }
}
