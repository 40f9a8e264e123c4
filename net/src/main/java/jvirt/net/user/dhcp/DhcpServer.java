package jvirt.net.user.dhcp;

import java.nio.ByteBuffer;
import jvirt.net.MacAddress;
import jvirt.net.user.stack.Counter;
import jvirt.net.user.stack.EventLoop;
import jvirt.net.user.stack.NetStack;
import jvirt.net.user.wire.Defect;
import jvirt.net.user.wire.EthernetFrame;

/**
 * slirp's DHCP server: a pool of leases from the first DHCP address, each bound to the client's
 * hardware address, so a guest gets the same address back. Replies go where RFC 2131 section 4.1
 * says: NAKs broadcast, to ciaddr when the client has one, broadcast when it asks, else unicast to
 * the offered address at the client's MAC (udhcpc listens on a raw socket until it is bound).
 */
public final class DhcpServer {
    private static final int LEASE_SECONDS = 86_400;
    /** How long an offer holds its address for the client that was offered it. */
    private static final long OFFER_HOLD = 60_000;
    /** How long an address a client declined (someone else answers on it) is left out. */
    private static final long DECLINE_HOLD = 600_000;
    private static final int REPLY_CAPACITY = 576;
    private final NetStack stack;
    private final String hostname;
    private final int start;
    private final long[] owners;
    private final long[] expiries;
    private final boolean[] declined;
    private final DhcpMessage request = new DhcpMessage();
    private final ByteBuffer reply = ByteBuffer.allocate(REPLY_CAPACITY);

    /** {@code hostname}: option 12 for the guest, or null. */
    public DhcpServer(NetStack stack, String hostname) {
        this.stack = stack;
        this.hostname = hostname;
        this.start = stack.network.dhcpStart();
        int count = stack.network.dhcpCount();
        this.owners = new long[count];
        this.expiries = new long[count];
        this.declined = new boolean[count];
    }

    /** Handles a client's message, the UDP payload {@code [offset, offset + length)}. */
    public void input(ByteBuffer b, int offset, int length) {
        Defect defect = request.decode(b, offset, length);
        if (defect == null && (EthernetFrame.isGroup(request.hardwareAddress) || request.hardwareAddress == 0)) {
            defect = Defect.MALFORMED;
        }
        if (defect != null) {
            stack.drop(defect);
            return;
        }
        long now = EventLoop.now();
        long mac = request.hardwareAddress;
        switch (request.messageType) {
            case DhcpMessage.DISCOVER -> discover(mac, now);
            case DhcpMessage.REQUEST -> request(mac, now);
            case DhcpMessage.DECLINE -> {
                int slot = slotOf(request.requestedAddress);
                if (slot >= 0 && owners[slot] == mac) {
                    owners[slot] = 0;
                    declined[slot] = true;
                    expiries[slot] = now + DECLINE_HOLD;
                    stack.log.warn("dhcp-decline", "user-mode network: the guest declined " + address(slot) + " (another machine answers on it?)");
                }
            }
            case DhcpMessage.RELEASE -> {
                int slot = slotOf(request.clientAddress);
                if (slot >= 0 && owners[slot] == mac) {
                    owners[slot] = 0;
                }
            }
            case DhcpMessage.INFORM -> answer(DhcpMessage.ACK, 0, false);
            default -> stack.drop(Defect.MALFORMED);
        }
    }

    private void discover(long mac, long now) {
        int slot = leaseOf(mac);
        int asked = slotOf(request.requestedAddress);
        if (slot < 0 && asked >= 0 && isFree(asked, now)) {
            slot = asked;
        }
        for (int i = 0; slot < 0 && i < owners.length; i++) {
            if (isFree(i, now)) {
                slot = i;
            }
        }
        if (slot < 0) {
            stack.log.warn("dhcp-pool", "user-mode network: all " + owners.length + " DHCP addresses are leased; a client with MAC "
                    + new MacAddress(mac) + " got no offer");
            return;
        }
        claim(slot, mac, Math.max(owners[slot] == mac ? expiries[slot] : 0, now + OFFER_HOLD));
        answer(DhcpMessage.OFFER, address(slot), true);
    }

    private void request(long mac, long now) {
        if (request.serverId != 0 && request.serverId != stack.network.gateway()) {
            // The client took another server's offer: ours is free again.
            int slot = leaseOf(mac);
            if (slot >= 0 && expiries[slot] - now <= OFFER_HOLD) {
                owners[slot] = 0;
            }
            return;
        }
        // SELECTING and INIT-REBOOT name the address in option 50; RENEWING and REBINDING in ciaddr.
        int wanted = request.requestedAddress != 0 ? request.requestedAddress : request.clientAddress;
        int slot = slotOf(wanted);
        if (slot < 0 || owners[slot] != mac && !isFree(slot, now)) {
            answer(DhcpMessage.NAK, 0, false);
            return;
        }
        claim(slot, mac, now + LEASE_SECONDS * 1000L);
        answer(DhcpMessage.ACK, address(slot), true);
        stack.arp.learn(address(slot), mac);
    }

    /** Gives {@code slot} to {@code mac} until {@code expiry}, releasing any other address it held. */
    private void claim(int slot, long mac, long expiry) {
        for (int i = 0; i < owners.length; i++) {
            if (owners[i] == mac) {
                owners[i] = 0;
            }
        }
        owners[slot] = mac;
        expiries[slot] = expiry;
        declined[slot] = false;
    }

    private void answer(int type, int yourAddress, boolean lease) {
        ByteBuffer b = reply;
        int at = request.writeReply(b, yourAddress, type == DhcpMessage.NAK ? 0 : request.clientAddress);
        at = DhcpMessage.putByte(b, at, DhcpMessage.OPTION_MESSAGE_TYPE, type);
        at = DhcpMessage.putInt(b, at, DhcpMessage.OPTION_SERVER_ID, stack.network.gateway());
        if (type != DhcpMessage.NAK) {
            if (lease) {
                at = DhcpMessage.putInt(b, at, DhcpMessage.OPTION_LEASE_TIME, LEASE_SECONDS);
            }
            at = DhcpMessage.putInt(b, at, DhcpMessage.OPTION_SUBNET_MASK, stack.network.mask());
            at = DhcpMessage.putInt(b, at, DhcpMessage.OPTION_ROUTER, stack.network.gateway());
            at = DhcpMessage.putInt(b, at, DhcpMessage.OPTION_DNS, stack.network.dns());
            at = DhcpMessage.putInt(b, at, DhcpMessage.OPTION_BROADCAST, stack.network.broadcast());
            if (hostname != null) {
                at = DhcpMessage.putString(b, at, DhcpMessage.OPTION_HOSTNAME, hostname);
            }
        }
        int length = DhcpMessage.end(b, at);
        int destination;
        long mac;
        if (type == DhcpMessage.NAK || (request.clientAddress == 0 && (request.flags & DhcpMessage.FLAG_BROADCAST) != 0)) {
            destination = -1;
            mac = EthernetFrame.BROADCAST;
        } else {
            destination = request.clientAddress != 0 ? request.clientAddress : yourAddress;
            mac = request.hardwareAddress;
        }
        if (destination == 0) {
            destination = -1;
            mac = EthernetFrame.BROADCAST;
        }
        stack.ip.sendUdp(stack.network.gateway(), DhcpMessage.SERVER_PORT, destination, DhcpMessage.CLIENT_PORT, b, 0, length, mac);
        stack.counters.add(switch (type) {
            case DhcpMessage.OFFER -> Counter.DHCP_OFFERS;
            case DhcpMessage.NAK -> Counter.DHCP_NAKS;
            default -> Counter.DHCP_ACKS;
        });
    }

    private int leaseOf(long mac) {
        for (int i = 0; i < owners.length; i++) {
            if (owners[i] == mac) {
                return i;
            }
        }
        return -1;
    }

    private boolean isFree(int slot, long now) {
        return owners[slot] == 0 && (!declined[slot] || expiries[slot] <= now) || owners[slot] != 0 && expiries[slot] <= now;
    }

    private int slotOf(int address) {
        int i = address - start;
        return i >= 0 && i < owners.length ? i : -1;
    }

    private int address(int slot) {
        return start + slot;
    }
}
