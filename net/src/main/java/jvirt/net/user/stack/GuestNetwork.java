package jvirt.net.user.stack;

/**
 * The virtual network the guest lives in: its prefix, the NAT's two addresses (gateway, which is
 * also the host alias, and DNS) and the DHCP pool.
 */
public record GuestNetwork(int network, int prefixLength, int gateway, int dns, int dhcpStart, int dhcpCount) {
    public int mask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int broadcast() {
        return network | ~mask();
    }

    public boolean contains(int address) {
        return (address & mask()) == network;
    }

    /** An address a guest may own: inside the network, and neither its ends nor the NAT's own. */
    public boolean isGuestAddress(int address) {
        return contains(address) && address != network && address != broadcast() && address != gateway && address != dns;
    }

    /**
     * Whether a destination outside the network can be reached through the host: not this host's
     * loopback or "this network" (0/8), not multicast, reserved or broadcast (224/3).
     */
    public static boolean isRoutable(int address) {
        int first = address >>> 24;
        return first != 0 && first != 127 && first < 224;
    }

    /** One of the addresses the NAT answers on. */
    public boolean isNat(int address) {
        return address == gateway || address == dns;
    }
}
