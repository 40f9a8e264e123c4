package jvirt.net.user.udp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import jvirt.net.user.stack.Counter;
import jvirt.net.user.stack.EventLoop;
import jvirt.net.user.stack.Timer;

/**
 * One guest UDP socket's host socket. Datagrams come back only from addresses the guest sent to
 * recently (any port, so a TFTP server answering from a fresh port still works); anything else
 * that finds the host port is dropped.
 */
final class UdpFlow implements EventLoop.Handler {
    private static final int PEERS = 8;
    private static final int DNS_PORT = 53;
    private final UdpNat nat;
    final long key;
    private final DatagramChannel channel;
    private final int guestAddress;
    private final int guestPort;
    private final Timer timer = new Timer(this::expire);
    private final InetAddress[] peers = new InetAddress[PEERS];
    private int nextPeer;
    private InetSocketAddress last;
    private int lastAddress;
    private int lastPort;
    private boolean dnsOnly = true;
    long lastUse;

    UdpFlow(UdpNat nat, long key, DatagramChannel channel, int guestAddress, int guestPort, long now) {
        this.nat = nat;
        this.key = key;
        this.channel = channel;
        this.guestAddress = guestAddress;
        this.guestPort = guestPort;
        this.lastUse = now;
    }

    void register() throws ClosedChannelException {
        nat.stack.loop.register(channel, SelectionKey.OP_READ, this);
        nat.stack.loop.schedule(timer, lastUse + nat.stack.limits.udpDnsIdle());
    }

    void send(ByteBuffer b, int offset, int length, int destination, int port) {
        if (last == null || destination != lastAddress || port != lastPort) {
            last = new InetSocketAddress(nat.stack.hostAddress(destination), port);
            lastAddress = destination;
            lastPort = port;
            remember(last.getAddress());
        }
        dnsOnly &= port == DNS_PORT;
        lastUse = EventLoop.now();
        nat.send(channel, b, offset, length, last);
    }

    @Override
    public void ready(int readyOps) {
        for (int i = 0; i < UdpNat.BATCH; i++) {
            InetSocketAddress from = nat.receive(channel);
            if (from == null) {
                return;
            }
            int source = nat.stack.guestView(from.getAddress());
            if (source == -1 || !isPeer(from.getAddress())) {
                nat.stack.counters.add(Counter.UDP_DROPPED);
                continue;
            }
            lastUse = EventLoop.now();
            nat.toGuest(source, from.getPort(), guestAddress, guestPort);
        }
    }

    @Override
    public void abort() {
        close();
    }

    void close() {
        nat.stack.loop.cancel(timer);
        try {
            channel.close();
        } catch (IOException e) {
            nat.stack.log.warn("udp-close", "user-mode network: closing a UDP socket failed: " + e.getMessage());
        }
        nat.stack.loop.closed();
        nat.closed(this);
    }

    private void expire(long now) {
        long idle = dnsOnly ? nat.stack.limits.udpDnsIdle() : nat.stack.limits.udpIdle();
        if (now - lastUse >= idle) {
            nat.stack.counters.add(Counter.UDP_FLOWS_EXPIRED);
            close();
        } else {
            nat.stack.loop.schedule(timer, lastUse + idle);
        }
    }

    private void remember(InetAddress peer) {
        if (!isPeer(peer)) {
            peers[nextPeer] = peer;
            nextPeer = (nextPeer + 1) % PEERS;
        }
    }

    private boolean isPeer(InetAddress address) {
        for (InetAddress p : peers) {
            if (address.equals(p)) {
                return true;
            }
        }
        return false;
    }
}
