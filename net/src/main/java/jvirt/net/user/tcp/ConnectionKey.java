package jvirt.net.user.tcp;

/**
 * A connection as the guest sees it: its address and port, and the remote address and port it
 * talks to. Mutable so that one probe serves every lookup without allocating; keys in the table
 * are copies and never change.
 */
final class ConnectionKey {
    int guestAddress;
    int guestPort;
    int remoteAddress;
    int remotePort;

    ConnectionKey set(int guestAddress, int guestPort, int remoteAddress, int remotePort) {
        this.guestAddress = guestAddress;
        this.guestPort = guestPort;
        this.remoteAddress = remoteAddress;
        this.remotePort = remotePort;
        return this;
    }

    ConnectionKey copy() {
        return new ConnectionKey().set(guestAddress, guestPort, remoteAddress, remotePort);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionKey k && k.guestAddress == guestAddress && k.guestPort == guestPort
                && k.remoteAddress == remoteAddress && k.remotePort == remotePort;
    }

    @Override
    public int hashCode() {
        int h = guestAddress * 31 + remoteAddress;
        h = h * 31 + (guestPort << 16 | remotePort);
        return h ^ (h >>> 16);
    }
}
