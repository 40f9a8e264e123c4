package jvirt.net.user.tcp;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import jvirt.net.user.stack.Counter;
import jvirt.net.user.stack.GuestNetwork;
import jvirt.net.user.stack.IpOutput;
import jvirt.net.user.stack.NetStack;
import jvirt.net.user.stack.OutFrame;
import jvirt.net.user.wire.InternetChecksum;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.TcpSegment;

/**
 * The NAT's TCP connections. A guest SYN to the gateway connects to the host's loopback, to the
 * DNS address's port 53 the first DNS upstream, to any other routable address that address; a
 * refused or failed connect is a reset. Bounds: connections at once (past them a SYN is reset),
 * handshakes in progress (past them a new SYN displaces the oldest, as FreeBSD's syncache does,
 * so a SYN flood cannot lock well-behaved connections out), connections in TIME_WAIT (the oldest
 * goes), and one buffer budget.
 */
public final class TcpNat {
    private static final int EPHEMERAL_FIRST = 49152;
    private static final int EPHEMERAL_COUNT = 65536 - EPHEMERAL_FIRST;
    final NetStack stack;
    final BufferBudget budget;
    private final boolean restrict;
    private final InetSocketAddress dnsUpstream;
    private final Map<ConnectionKey, TcpConnection> connections = new HashMap<>();
    private final ConnectionKey probe = new ConnectionKey();
    /** Guest-initiated connections still handshaking, oldest first. */
    private final LinkedHashSet<TcpConnection> embryonic = new LinkedHashSet<>();
    private final LinkedHashSet<TcpConnection> timeWait = new LinkedHashSet<>();
    private final ArrayDeque<TcpConnection> starved = new ArrayDeque<>();
    private final List<TcpListener> listeners = new ArrayList<>();
    private final SplittableRandom random = new SplittableRandom(new SecureRandom().nextLong());
    private int live;
    private int nextPort;

    /** {@code dnsUpstream}: where TCP to the NAT's DNS address goes, or null for nowhere. */
    public TcpNat(NetStack stack, boolean restrict, InetSocketAddress dnsUpstream) {
        this.stack = stack;
        this.budget = new BufferBudget(stack.limits.tcpBufferBudget());
        this.restrict = restrict;
        this.dnsUpstream = dnsUpstream;
        this.nextPort = random.nextInt(EPHEMERAL_COUNT);
        stack.onRound(this::resumeStarved);
    }

    /** Takes over a bound listening socket for {@code hostfwd=tcp:}, forwarding to {@code guestAddress:guestPort}. */
    public void listen(ServerSocketChannel channel, int guestAddress, int guestPort) throws IOException {
        TcpListener listener = new TcpListener(this, channel, guestAddress, guestPort);
        listener.register();
        listeners.add(listener);
    }

    /** Handles a segment from the guest. */
    public void input(ByteBuffer frame, Ipv4Header ip, TcpSegment s) {
        TcpConnection c = connections.get(probe.set(ip.source, s.sourcePort, ip.destination, s.destinationPort));
        if (c != null) {
            if (c.state != TcpConnection.State.TIME_WAIT || !s.has(TcpSegment.SYN) || s.has(TcpSegment.ACK) || s.has(TcpSegment.RST)) {
                c.segment(frame, s);
                return;
            }
            c.finish(); // RFC 9293 3.6.1: a new SYN may end TIME_WAIT and start a new incarnation
        }
        if (s.has(TcpSegment.RST)) {
            return;
        }
        if (!s.has(TcpSegment.SYN) || s.has(TcpSegment.ACK) || s.has(TcpSegment.FIN)) {
            resetUnknown(ip, s);
            return;
        }
        open(ip, s);
    }

    private void open(Ipv4Header ip, TcpSegment syn) {
        GuestNetwork network = stack.network;
        int destination = ip.destination;
        InetSocketAddress target;
        if (destination == network.dns()) {
            target = syn.destinationPort == 53 ? dnsUpstream : null;
        } else if (destination == network.gateway() || !network.contains(destination) && GuestNetwork.isRoutable(destination)) {
            target = new InetSocketAddress(stack.hostAddress(destination), syn.destinationPort);
        } else if (network.contains(destination)) {
            target = null;
        } else {
            stack.counters.add(Counter.DROPPED_MISADDRESSED);
            return;
        }
        if (target == null) {
            resetUnknown(ip, syn);
            return;
        }
        if (restrict) {
            stack.counters.add(Counter.DROPPED_RESTRICTED);
            resetUnknown(ip, syn);
            return;
        }
        if (live >= stack.limits.tcpConnections()) {
            stack.counters.add(Counter.TCP_REFUSED_BY_LIMIT);
            stack.log.warn("tcp-limit", "user-mode network: " + live + " TCP connections are open, the limit; new ones are reset");
            resetUnknown(ip, syn);
            return;
        }
        if (stack.loop.behindOnReleases()) {
            // Closed sockets wait for the selector to release them: a flood must not outrun it.
            stack.counters.add(Counter.TCP_REFUSED_BY_LIMIT);
            resetUnknown(ip, syn);
            return;
        }
        if (embryonic.size() >= stack.limits.tcpConnecting()) {
            stack.counters.add(Counter.TCP_REFUSED_BY_LIMIT);
            stack.log.warn("tcp-syn-limit", "user-mode network: " + embryonic.size()
                    + " TCP handshakes are in progress, the limit; the oldest are reset (a SYN flood?)");
            embryonic.getFirst().abort(true);
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(target.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        } catch (IOException e) {
            stack.counters.add(Counter.TCP_CONNECT_FAILED);
            stack.log.warn("tcp-socket", "user-mode network: no socket for a TCP connection: " + e.getMessage());
            resetUnknown(ip, syn);
            return;
        }
        TcpConnection c = new TcpConnection(this, probe.copy(), random.nextInt());
        SelectionKey selection;
        try {
            channel.configureBlocking(false);
            selection = stack.loop.register(channel, SelectionKey.OP_CONNECT, c);
        } catch (IOException e) {
            closeQuietly(channel);
            stack.counters.add(Counter.TCP_CONNECT_FAILED);
            resetUnknown(ip, syn);
            return;
        }
        add(c);
        embryonic.add(c);
        c.connecting(syn, channel, selection);
        boolean connected;
        try {
            connected = channel.connect(target);
        } catch (IOException | RuntimeException e) {
            // Refused or unreachable at once, or an address this host cannot connect to.
            stack.counters.add(Counter.TCP_CONNECT_FAILED);
            c.abort(true);
            return;
        }
        if (connected) {
            c.connected();
        }
    }

    /** A client connected to a forwarded port: the NAT opens a connection to the guest from the gateway. */
    void accepted(SocketChannel client, int guestAddress, int guestPort) {
        stack.counters.add(Counter.HOST_FORWARDS_ACCEPTED);
        int port = live < stack.limits.tcpConnections() && !stack.loop.behindOnReleases()
                ? ephemeralPort(guestAddress, guestPort) : -1;
        if (port < 0) {
            stack.counters.add(Counter.TCP_REFUSED_BY_LIMIT);
            stack.log.warn("tcp-limit", "user-mode network: " + live + " TCP connections are open, the limit; a forwarded client is refused");
            reset(client);
            return;
        }
        TcpConnection c = new TcpConnection(this, new ConnectionKey().set(guestAddress, guestPort, stack.network.gateway(), port), random.nextInt());
        try {
            client.configureBlocking(false);
            SelectionKey selection = stack.loop.register(client, 0, c);
            add(c);
            c.open(client, selection);
        } catch (IOException e) {
            reset(client);
        }
    }

    private void add(TcpConnection c) {
        connections.put(c.key, c);
        live++;
        stack.counters.add(Counter.TCP_CONNECTIONS_OPENED);
        stack.counters.add(Counter.TCP_CONNECTIONS_ACTIVE);
    }

    /** A port of the gateway no connection to {@code guestAddress:guestPort} uses, or -1. */
    private int ephemeralPort(int guestAddress, int guestPort) {
        for (int i = 0; i < EPHEMERAL_COUNT; i++) {
            int port = EPHEMERAL_FIRST + (nextPort++ % EPHEMERAL_COUNT);
            if (!connections.containsKey(probe.set(guestAddress, guestPort, stack.network.gateway(), port))) {
                return port;
            }
        }
        return -1;
    }

    void established(TcpConnection c) {
        embryonic.remove(c);
    }

    void enteredTimeWait(TcpConnection c) {
        live--;
        stack.counters.add(Counter.TCP_CONNECTIONS_ACTIVE, -1);
        embryonic.remove(c);
        timeWait.add(c);
        stack.counters.add(Counter.TCP_TIME_WAIT);
        if (timeWait.size() > stack.limits.tcpTimeWait()) {
            timeWait.getFirst().finish();
        }
    }

    void removed(TcpConnection c, TcpConnection.State was) {
        connections.remove(c.key, c);
        if (was != TcpConnection.State.TIME_WAIT) {
            live--;
            stack.counters.add(Counter.TCP_CONNECTIONS_ACTIVE, -1);
        } else {
            stack.counters.add(Counter.TCP_TIME_WAIT, -1);
        }
        embryonic.remove(c);
        timeWait.remove(c);
        if (c.starved) {
            starved.remove(c);
            c.starved = false;
        }
    }

    /** {@code c} found no room on the link; it resumes when the link drains. */
    void starve(TcpConnection c) {
        if (!c.starved) {
            c.starved = true;
            starved.addLast(c);
        }
        stack.link.starve();
    }

    private void resumeStarved() {
        TcpConnection c;
        while (stack.link.hasRoomForData() && (c = starved.pollFirst()) != null) {
            c.starved = false;
            c.resume();
        }
    }

    /** Answers a segment that belongs to no connection with a reset (RFC 9293 3.10.7.1). */
    private void resetUnknown(Ipv4Header ip, TcpSegment s) {
        probe.set(ip.source, s.sourcePort, ip.destination, s.destinationPort);
        if (s.has(TcpSegment.ACK)) {
            reset(probe, s.acknowledgment, 0, TcpSegment.RST);
        } else {
            reset(probe, 0, s.sequence + s.sequenceLength(), TcpSegment.RST | TcpSegment.ACK);
        }
    }

    /** Sends a bare reset to the guest on {@code key}'s ports. */
    void reset(ConnectionKey key, int seq, int ack, int flags) {
        OutFrame frame = stack.ip.allocate(TcpSegment.HEADER_LENGTH);
        if (frame == null) {
            return;
        }
        int at = IpOutput.TRANSPORT_OFFSET;
        TcpSegment.write(frame.buffer, at, key.remotePort, key.guestPort, seq, ack, flags, 0, 0);
        InternetChecksum.fillTransport(frame.buffer, at, TcpSegment.HEADER_LENGTH, Ipv4Header.PROTOCOL_TCP, key.remoteAddress, key.guestAddress,
                TcpSegment.CHECKSUM_FIELD);
        stack.ip.send(frame, Ipv4Header.PROTOCOL_TCP, key.remoteAddress, key.guestAddress, TcpSegment.HEADER_LENGTH, Ipv4Header.DONT_FRAGMENT);
        stack.counters.add(Counter.TCP_RESETS_SENT);
    }

    /** Closes every connection (host sockets reset) and listener. */
    public void close() {
        for (TcpConnection c : List.copyOf(connections.values())) {
            c.finish();
        }
        for (TcpListener l : listeners) {
            l.close();
        }
        listeners.clear();
    }

    private static void reset(SocketChannel client) {
        try {
            client.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException e) {
            // Closing is all that is left.
        }
        closeQuietly(client);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing was sent on it.
        }
    }
}
