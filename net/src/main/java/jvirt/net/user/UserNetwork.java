package jvirt.net.user;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import jvirt.net.GuestPort;
import jvirt.net.NetBackend;
import jvirt.net.user.dhcp.DhcpServer;
import jvirt.net.user.dns.DnsForwarder;
import jvirt.net.user.stack.Counters;
import jvirt.net.user.stack.GuestNetwork;
import jvirt.net.user.stack.IpOutput;
import jvirt.net.user.stack.Limits;
import jvirt.net.user.stack.NetStack;
import jvirt.net.user.stack.RateLimitedLog;
import jvirt.net.user.tcp.TcpNat;
import jvirt.net.user.udp.UdpNat;

/**
 * The user-mode network (QEMU's {@code -netdev user}): a NAT that terminates the guest's traffic
 * and carries it over host sockets, so it needs no privileges. Frames from the guest are handled
 * on the NIC's thread as {@link #send} is called; host sockets and timers on one selector thread.
 */
public final class UserNetwork implements NetBackend {
    private static final long STOP_MILLIS = 2_000;
    private static final int BACKLOG = 128;
    private final NatConfig config;
    private final RateLimitedLog log;
    private final Limits limits;
    private final Counters counters = new Counters();
    private volatile NetStack stack;
    private FrameInput input;
    private DnsForwarder dns;
    private UdpNat udp;
    private TcpNat tcp;
    private volatile boolean closed;

    /** {@code log} receives one-line warnings, rate-limited (limits reached, host errors). */
    public UserNetwork(NatConfig config, Consumer<String> log) {
        this(config, log, Limits.DEFAULTS);
    }

    /** With other bounds and timeouts than {@link Limits#DEFAULTS} (tests shorten them). */
    UserNetwork(NatConfig config, Consumer<String> log, Limits limits) {
        this.config = config;
        this.log = new RateLimitedLog(log);
        this.limits = limits;
    }

    @Override
    public void start(GuestPort nic) throws IOException {
        if (stack != null) {
            throw new IllegalStateException("the user-mode network is already started");
        }
        GuestNetwork network = new GuestNetwork(config.network().bits(), config.prefixLength(), config.host().bits(),
                config.dns().bits(), config.dhcpStart().bits(), config.dhcpLeases());
        List<InetSocketAddress> upstreams = config.dnsUpstreams().isEmpty()
                ? ResolvConf.nameservers(Path.of("/etc/resolv.conf")) : config.dnsUpstreams();
        NetStack s = new NetStack(network, limits, counters, log, nic);
        boolean ready = false;
        s.lock.lock();
        try {
            dns = new DnsForwarder(s, upstreams);
            udp = new UdpNat(s, config.restrict());
            tcp = new TcpNat(s, config.restrict(), upstreams.isEmpty() ? null : upstreams.getFirst());
            input = new FrameInput(s, config.restrict(), new DhcpServer(s, config.hostname().orElse(null)), dns, udp, tcp);
            stack = s;
            for (HostForward f : config.hostForwards()) {
                listen(f);
            }
            ready = true;
        } finally {
            if (!ready) {
                // A forward that could not be had: what was bound so far goes, and the network was never started.
                release();
                stack = null;
            }
            s.lock.unlock();
            if (!ready) {
                s.loop.closeSelector();
            }
        }
        s.loop.start("jvirt-net-user");
    }

    @Override
    public void send(ByteBuffer frame, boolean checksumPartial) {
        NetStack s = stack;
        if (s == null) {
            throw new IllegalStateException("the user-mode network is not started");
        }
        s.lock.lock();
        try {
            if (closed) {
                return;
            }
            input.frame(frame, checksumPartial);
        } catch (RuntimeException e) {
            s.bug(e);
        } finally {
            s.lock.unlock();
        }
        s.flush();
    }

    @Override
    public int mtu() {
        return IpOutput.GUEST_MTU;
    }

    @Override
    public void receiveReady() {
        NetStack s = stack;
        if (s != null) {
            s.link.receiveReady();
        }
    }

    /** The counters now. */
    public NatStats stats() {
        return NatStats.of(counters);
    }

    @Override
    public void close() {
        NetStack s = stack;
        if (s == null || closed) {
            closed = true;
            return;
        }
        closed = true;
        s.loop.stop(STOP_MILLIS);
        s.lock.lock();
        try {
            release();
        } finally {
            s.lock.unlock();
        }
        s.loop.closeSelector();
    }

    /** Closes every host socket and drops every queued frame; under the lock. */
    private void release() {
        NetStack s = stack;
        if (s == null) {
            return;
        }
        if (tcp != null) {
            tcp.close();
        }
        if (udp != null) {
            udp.close();
        }
        if (dns != null) {
            dns.close();
        }
        for (SelectionKey key : s.loop.keys()) {
            try {
                key.channel().close();
            } catch (IOException e) {
                log.warn("close", "user-mode network: closing a host socket failed: " + e.getMessage());
            }
        }
        s.arp.clear();
        s.link.clear();
    }

    /** Binds a forwarded host port; a port that cannot be had is an IOException saying which and what to do. */
    private void listen(HostForward f) throws IOException {
        InetSocketAddress at = new InetSocketAddress(f.hostAddress().toInetAddress(), f.hostPort());
        int guest = config.guestAddress(f).bits();
        if (f.protocol() == HostForward.Protocol.TCP) {
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.INET);
            try {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(at, BACKLOG);
            } catch (IOException e) {
                channel.close();
                throw bindFailure(f, e);
            }
            tcp.listen(channel, guest, f.guestPort());
        } else {
            DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
            try {
                channel.bind(at);
            } catch (IOException e) {
                channel.close();
                throw bindFailure(f, e);
            }
            udp.forward(channel, f.hostPort(), guest, f.guestPort());
        }
    }

    private static IOException bindFailure(HostForward f, IOException e) {
        String where = "port " + f.hostPort() + " on " + f.hostAddress();
        if (e instanceof BindException && String.valueOf(e.getMessage()).contains("in use")) {
            return new IOException("hostfwd " + f + ": " + where + " is already in use; choose another host port", e);
        }
        return new IOException("hostfwd " + f + ": cannot listen on " + where + " (" + e.getMessage() + "); give an address of this host", e);
    }
}
