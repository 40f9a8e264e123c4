package jvirt.net.user.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import jvirt.net.user.stack.EventLoop;

/**
 * A forwarded host UDP port: datagrams to it reach the guest's {@code guestAddress:guestPort} from
 * the gateway at the same port number, and what the guest sends back from there to that gateway
 * port goes to whoever sent last.
 */
final class UdpForward implements EventLoop.Handler {
    private final UdpNat nat;
    private final DatagramChannel channel;
    private final int hostPort;
    private final int guestAddress;
    private final int guestPort;
    private InetSocketAddress lastSender;

    UdpForward(UdpNat nat, DatagramChannel channel, int hostPort, int guestAddress, int guestPort) {
        this.nat = nat;
        this.channel = channel;
        this.hostPort = hostPort;
        this.guestAddress = guestAddress;
        this.guestPort = guestPort;
    }

    boolean isReplyFrom(int source, int sourcePort, int destination, int destinationPort) {
        return source == guestAddress && sourcePort == guestPort && destination == nat.stack.network.gateway() && destinationPort == hostPort;
    }

    void reply(ByteBuffer b, int offset, int length) {
        if (lastSender != null) {
            nat.send(channel, b, offset, length, lastSender);
        }
    }

    @Override
    public void ready(int readyOps) {
        for (int i = 0; i < UdpNat.BATCH; i++) {
            InetSocketAddress from = nat.receive(channel);
            if (from == null) {
                return;
            }
            lastSender = from;
            nat.toGuest(nat.stack.network.gateway(), hostPort, guestAddress, guestPort);
        }
    }

    @Override
    public void abort() {
        close();
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            nat.stack.log.warn("udp-close", "user-mode network: closing a forwarded UDP port failed: " + e.getMessage());
        }
    }
}
