package jvirt.net;

import java.util.HexFormat;

/** A 48-bit Ethernet address, written {@code 52:54:00:12:34:56}. */
public record MacAddress(long bits) {
    /** QEMU's default for a machine's first NIC: locally administered, in QEMU's 52:54:00 prefix. */
    public static final MacAddress QEMU_DEFAULT = parse("52:54:00:12:34:56");
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits");
        }
    }

    /** Parses six colon-separated hex bytes; a group address (multicast bit set) is refused for a NIC. */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("'" + text + "' is not a MAC address (six hex bytes like 52:54:00:12:34:56)");
        }
        long bits = 0;
        for (String part : parts) {
            if (part.length() != 2 || !HexFormat.isHexDigit(part.charAt(0)) || !HexFormat.isHexDigit(part.charAt(1))) {
                throw new IllegalArgumentException("'" + text + "' is not a MAC address (six hex bytes like 52:54:00:12:34:56)");
            }
            bits = bits << 8 | HexFormat.fromHexDigits(part);
        }
        return new MacAddress(bits);
    }

    /** Whether the address names a group (multicast or broadcast) rather than one NIC. */
    public boolean isGroup() {
        return (bits >>> 40 & 1) != 0;
    }

    /** Byte {@code i} (0 is the first on the wire). */
    public byte octet(int i) {
        return (byte) (bits >>> (40 - 8 * i));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                s.append(':');
            }
            s.append(HexFormat.of().toHexDigits(octet(i)));
        }
        return s.toString();
    }
}
