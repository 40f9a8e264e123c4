package jvirt.net.user;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 address, written {@code 10.0.2.15}; the bits are most significant byte first. */
public record Ipv4Address(int bits) {
    /** Parses a dotted quad (four decimal bytes, no host names, no shorthand), or null when it is not one. */
    public static Ipv4Address parseOrNull(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            bits = bits << 8 | value;
        }
        return new Ipv4Address(bits);
    }

    public Inet4Address toInetAddress() {
        byte[] b = {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }

    public Ipv4Address plus(int n) {
        return new Ipv4Address(bits + n);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xFF) + "." + (bits >>> 8 & 0xFF) + "." + (bits & 0xFF);
    }
}
