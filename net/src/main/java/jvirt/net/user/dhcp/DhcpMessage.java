package jvirt.net.user.dhcp;

import java.nio.ByteBuffer;
import jvirt.net.user.wire.Defect;

/**
 * A BOOTP message with DHCP options (RFC 2131 section 2, RFC 2132). The decoder reads a client's
 * message and the options a server acts on; option overload (option 52) is honoured. The writer
 * methods build a reply in place.
 */
public final class DhcpMessage {
    public static final int SERVER_PORT = 67;
    public static final int CLIENT_PORT = 68;
    public static final int DISCOVER = 1;
    public static final int OFFER = 2;
    public static final int REQUEST = 3;
    public static final int DECLINE = 4;
    public static final int ACK = 5;
    public static final int NAK = 6;
    public static final int RELEASE = 7;
    public static final int INFORM = 8;
    public static final int OPTION_SUBNET_MASK = 1;
    public static final int OPTION_ROUTER = 3;
    public static final int OPTION_DNS = 6;
    public static final int OPTION_HOSTNAME = 12;
    public static final int OPTION_BROADCAST = 28;
    public static final int OPTION_REQUESTED_ADDRESS = 50;
    public static final int OPTION_LEASE_TIME = 51;
    public static final int OPTION_OVERLOAD = 52;
    public static final int OPTION_MESSAGE_TYPE = 53;
    public static final int OPTION_SERVER_ID = 54;
    public static final int OPTION_END = 255;
    /** The broadcast bit of {@code flags}: the client cannot take unicast before it has an address. */
    public static final int FLAG_BROADCAST = 0x8000;
    private static final int OPTION_PAD = 0;
    private static final int BOOTREQUEST = 1;
    private static final int BOOTREPLY = 2;
    private static final int MAGIC_COOKIE = 0x6382_5363;
    private static final int CHADDR = 28;
    private static final int SNAME = 44;
    private static final int FILE = 108;
    private static final int COOKIE = 236;
    private static final int OPTIONS = 240;
    /** RFC 1542 section 3.4: a BOOTP message is at least 300 bytes; some clients drop shorter ones. */
    private static final int MIN_REPLY = 300;

    public int xid;
    public int flags;
    public int clientAddress;
    public int relayAddress;
    public long hardwareAddress;
    public int messageType;
    /** Option 50, or 0. */
    public int requestedAddress;
    /** Option 54, or 0. */
    public int serverId;

    /** Reads a client's message {@code [offset, offset + length)}; null when it is one the server can act on. */
    public Defect decode(ByteBuffer b, int offset, int length) {
        if (length < OPTIONS) {
            return Defect.TRUNCATED;
        }
        // A request, for Ethernet (hardware type 1, 6-byte addresses), with the DHCP cookie.
        if (b.get(offset) != BOOTREQUEST || b.get(offset + 1) != 1 || b.get(offset + 2) != 6 || b.getInt(offset + COOKIE) != MAGIC_COOKIE) {
            return Defect.MALFORMED;
        }
        xid = b.getInt(offset + 4);
        flags = b.getShort(offset + 10) & 0xFFFF;
        clientAddress = b.getInt(offset + 12);
        relayAddress = b.getInt(offset + 24);
        hardwareAddress = (b.getShort(offset + CHADDR) & 0xFFFFL) << 32 | (b.getInt(offset + CHADDR + 2) & 0xFFFF_FFFFL);
        messageType = 0;
        requestedAddress = 0;
        serverId = 0;
        int overload = options(b, offset + OPTIONS, offset + length);
        if (overload < 0) {
            return Defect.MALFORMED;
        }
        if ((overload & 1) != 0 && options(b, offset + FILE, offset + COOKIE) < 0
                || (overload & 2) != 0 && options(b, offset + SNAME, offset + FILE) < 0) {
            return Defect.MALFORMED;
        }
        return messageType >= DISCOVER && messageType <= INFORM ? null : Defect.MALFORMED;
    }

    /** Reads options in {@code [at, end)}; returns the overload option's value (0 without one) or -1 when malformed. */
    private int options(ByteBuffer b, int at, int end) {
        int overload = 0;
        while (at < end) {
            int code = b.get(at) & 0xFF;
            if (code == OPTION_END) {
                return overload;
            }
            if (code == OPTION_PAD) {
                at++;
                continue;
            }
            if (at + 2 > end) {
                return -1;
            }
            int length = b.get(at + 1) & 0xFF;
            int data = at + 2;
            if (data + length > end) {
                return -1;
            }
            switch (code) {
                case OPTION_MESSAGE_TYPE -> messageType = length == 1 ? b.get(data) & 0xFF : -1;
                case OPTION_REQUESTED_ADDRESS -> requestedAddress = length == 4 ? b.getInt(data) : 0;
                case OPTION_SERVER_ID -> serverId = length == 4 ? b.getInt(data) : 0;
                case OPTION_OVERLOAD -> overload = length == 1 ? b.get(data) & 3 : 0;
                default -> {
                    // Options the server does not act on (client id, parameter list, host name, ...).
                }
            }
            at = data + length;
        }
        // Options run to the end of the field without an END: tolerated, as most servers do.
        return overload;
    }

    /**
     * Writes a reply's fixed part for this request into {@code b} from 0 with {@code yourAddress}
     * (yiaddr) and {@code clientAddress} (ciaddr); returns where the options start.
     */
    public int writeReply(ByteBuffer b, int yourAddress, int clientAddressEcho) {
        for (int i = 0; i < OPTIONS; i += 4) {
            b.putInt(i, 0);
        }
        b.put(0, (byte) BOOTREPLY);
        b.put(1, (byte) 1);
        b.put(2, (byte) 6);
        b.putInt(4, xid);
        b.putShort(10, (short) flags);
        b.putInt(12, clientAddressEcho);
        b.putInt(16, yourAddress);
        b.putInt(24, relayAddress);
        b.putShort(CHADDR, (short) (hardwareAddress >>> 32));
        b.putInt(CHADDR + 2, (int) hardwareAddress);
        b.putInt(COOKIE, MAGIC_COOKIE);
        return OPTIONS;
    }

    /** Writes a one-byte option at {@code at}; returns the next offset. */
    public static int putByte(ByteBuffer b, int at, int code, int value) {
        b.put(at, (byte) code).put(at + 1, (byte) 1).put(at + 2, (byte) value);
        return at + 3;
    }

    /** Writes a four-byte option (an address or a time) at {@code at}; returns the next offset. */
    public static int putInt(ByteBuffer b, int at, int code, int value) {
        b.put(at, (byte) code).put(at + 1, (byte) 4).putInt(at + 2, value);
        return at + 6;
    }

    /** Writes an ASCII string option at {@code at}; returns the next offset. */
    public static int putString(ByteBuffer b, int at, int code, String value) {
        b.put(at, (byte) code).put(at + 1, (byte) value.length());
        for (int i = 0; i < value.length(); i++) {
            b.put(at + 2 + i, (byte) value.charAt(i));
        }
        return at + 2 + value.length();
    }

    /** Writes END and pads to the minimum size; returns the message length. */
    public static int end(ByteBuffer b, int at) {
        b.put(at++, (byte) OPTION_END);
        while (at < MIN_REPLY) {
            b.put(at++, (byte) OPTION_PAD);
        }
        return at;
    }
}
