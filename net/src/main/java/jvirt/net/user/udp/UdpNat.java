package jvirt.net.user.udp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jvirt.net.user.stack.Counter;
import jvirt.net.user.stack.EventLoop;
import jvirt.net.user.stack.IpOutput;
import jvirt.net.user.stack.NetStack;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.UdpDatagram;

/**
 * The guest's UDP toward the host and beyond. A datagram to the gateway goes to the host's
 * loopback; one to any other routable address goes there. Replies carry their real source, the
 * host's loopback shown as the gateway. Flows are keyed by the guest's socket and bounded: past
 * the limit the least recently used flow closes.
 */
public final class UdpNat {
    /** Datagrams taken from one host socket per wakeup, so one busy flow cannot starve the rest. */
    static final int BATCH = 64;
    final NetStack stack;
    private final boolean restrict;
    private final Map<Long, UdpFlow> flows = new HashMap<>();
    private final List<UdpForward> forwards = new ArrayList<>();
    /** Where host datagrams are received, shared by every flow (the loop thread reads one at a time). */
    final ByteBuffer buffer = ByteBuffer.allocateDirect(IpOutput.MAX_UDP_PAYLOAD);

    public UdpNat(NetStack stack, boolean restrict) {
        this.stack = stack;
        this.restrict = restrict;
    }

    /** Takes over a bound host socket for {@code hostfwd=udp:}, relaying to {@code guestAddress:guestPort}. */
    public void forward(DatagramChannel channel, int hostPort, int guestAddress, int guestPort) throws IOException {
        UdpForward f = new UdpForward(this, channel, hostPort, guestAddress, guestPort);
        channel.configureBlocking(false);
        stack.loop.register(channel, SelectionKey.OP_READ, f);
        forwards.add(f);
    }

    /** Carries a datagram from the guest (not DHCP, not to the NAT's DNS). */
    public void input(ByteBuffer b, Ipv4Header ip, UdpDatagram udp) {
        for (UdpForward f : forwards) {
            if (f.isReplyFrom(ip.source, udp.sourcePort, ip.destination, udp.destinationPort)) {
                f.reply(b, udp.payloadOffset, udp.payloadLength);
                return;
            }
        }
        if (restrict) {
            stack.counters.add(Counter.DROPPED_RESTRICTED);
            return;
        }
        long key = (ip.source & 0xFFFF_FFFFL) << 16 | udp.sourcePort;
        UdpFlow flow = flows.get(key);
        if (flow == null) {
            flow = open(key, ip.source, udp.sourcePort);
            if (flow == null) {
                return;
            }
        }
        flow.send(b, udp.payloadOffset, udp.payloadLength, ip.destination, udp.destinationPort);
    }

    /** Closes every flow and forward. */
    public void close() {
        for (UdpFlow flow : List.copyOf(flows.values())) {
            flow.close();
        }
        for (UdpForward f : forwards) {
            f.close();
        }
        forwards.clear();
    }

    void closed(UdpFlow flow) {
        flows.remove(flow.key);
        stack.counters.add(Counter.UDP_FLOWS_ACTIVE, -1);
    }

    /** Receives one datagram into {@link #buffer}; null when none is waiting. */
    InetSocketAddress receive(DatagramChannel channel) {
        buffer.clear();
        try {
            InetSocketAddress from = (InetSocketAddress) channel.receive(buffer);
            buffer.flip();
            return from;
        } catch (IOException e) {
            // An ICMP error for an earlier datagram (port unreachable) surfaces here; UDP shrugs.
            stack.counters.add(Counter.UDP_DROPPED);
            buffer.limit(0);
            return null;
        }
    }

    /** Sends {@code [offset, offset + length)} of {@code b} from a host socket; false (counted) when it did not go. */
    boolean send(DatagramChannel channel, ByteBuffer b, int offset, int length, InetSocketAddress to) {
        ByteBuffer payload = b.duplicate().limit(offset + length).position(offset);
        try {
            if (channel.send(payload, to) > 0 || length == 0) {
                return true;
            }
        } catch (IOException e) {
            stack.log.warn("udp-send", "user-mode network: a UDP datagram to " + to + " could not be sent: " + e.getMessage());
        }
        stack.counters.add(Counter.UDP_DROPPED);
        return false;
    }

    /** Hands a datagram received into {@link #buffer} to the guest. */
    void toGuest(int source, int sourcePort, int guestAddress, int guestPort) {
        stack.ip.sendUdp(source, sourcePort, guestAddress, guestPort, buffer, 0, buffer.limit(), -1);
    }

    private UdpFlow open(long key, int guestAddress, int guestPort) {
        if (stack.loop.behindOnReleases()) {
            // Closed sockets wait for the selector to release them: a flood must not outrun it.
            stack.counters.add(Counter.UDP_DROPPED);
            return null;
        }
        if (flows.size() >= stack.limits.udpFlows()) {
            UdpFlow oldest = null;
            for (UdpFlow f : flows.values()) {
                if (oldest == null || f.lastUse < oldest.lastUse) {
                    oldest = f;
                }
            }
            stack.log.warn("udp-limit", "user-mode network: " + stack.limits.udpFlows() + " UDP flows are open; closing the least recently used");
            oldest.close();
            stack.counters.add(Counter.UDP_FLOWS_EXPIRED);
        }
        DatagramChannel channel = null;
        try {
            channel = DatagramChannel.open(StandardProtocolFamily.INET);
            channel.configureBlocking(false);
            channel.bind(new InetSocketAddress(0));
            UdpFlow flow = new UdpFlow(this, key, channel, guestAddress, guestPort, EventLoop.now());
            flow.register();
            flows.put(key, flow);
            stack.counters.add(Counter.UDP_FLOWS_OPENED);
            stack.counters.add(Counter.UDP_FLOWS_ACTIVE);
            return flow;
        } catch (IOException e) {
            stack.log.warn("udp-open", "user-mode network: cannot open a UDP socket: " + e.getMessage());
            stack.counters.add(Counter.UDP_DROPPED);
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            return null;
        }
    }
}
