package jvirt.net.user.stack;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import jvirt.net.GuestPort;
import jvirt.net.user.wire.Defect;

/**
 * What the NAT's protocols share. All their state is guarded by {@link #lock}: the NIC's thread
 * takes it for a frame from the guest, the event loop for host sockets and timers. Frames for the
 * guest are queued on the {@link #link} and delivered after the lock is released.
 */
public final class NetStack {
    /** The NAT's MAC, slirp's style: 52:55 and the gateway address. */
    public final long mac;
    public final GuestNetwork network;
    public final Limits limits;
    public final Counters counters;
    public final RateLimitedLog log;
    public final ReentrantLock lock = new ReentrantLock();
    public final EventLoop loop;
    public final GuestLink link;
    public final ArpTable arp;
    public final IpOutput ip;
    private static final byte[] LOOPBACK = {127, 0, 0, 1};
    private final List<Runnable> roundTasks = new ArrayList<>();

    public NetStack(GuestNetwork network, Limits limits, Counters counters, RateLimitedLog log, GuestPort nic) throws IOException {
        this.mac = 0x5255_0000_0000L | (network.gateway() & 0xFFFF_FFFFL);
        this.network = network;
        this.limits = limits;
        this.counters = counters;
        this.log = log;
        this.loop = new EventLoop(lock, this::round, this::flush, this::bug);
        this.link = new GuestLink(nic, counters, limits, loop::requestRound);
        this.arp = new ArpTable(this);
        this.ip = new IpOutput(this);
    }

    /** Adds work for the loop's rounds (resuming producers the link starved); before the loop starts. */
    public void onRound(Runnable task) {
        roundTasks.add(task);
    }

    /** Delivers what is queued for the guest; call without the lock. */
    public void flush() {
        link.flush();
    }

    /**
     * The host address the guest means by {@code destination}: the gateway is the host alias, so
     * it stands for the host's loopback; anything else is itself.
     */
    public InetAddress hostAddress(int destination) {
        byte[] b = destination == network.gateway() ? LOOPBACK : new byte[] {
            (byte) (destination >>> 24), (byte) (destination >>> 16), (byte) (destination >>> 8), (byte) destination};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }

    /**
     * The address the guest sees a host peer at: loopback shows as the gateway (the host alias);
     * -1 for a peer the guest cannot be shown (IPv6, or inside the guest's own network).
     */
    public int guestView(InetAddress peer) {
        if (peer.isLoopbackAddress() && peer instanceof Inet4Address) {
            return network.gateway();
        }
        byte[] b = peer.getAddress();
        if (b.length != 4) {
            return -1;
        }
        int a = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
        return network.contains(a) ? -1 : a;
    }

    /** Counts a packet from the guest dropped for {@code defect}. */
    public void drop(Defect defect) {
        counters.add(switch (defect) {
            case TRUNCATED -> Counter.DROPPED_TRUNCATED;
            case MALFORMED -> Counter.DROPPED_MALFORMED;
            case BAD_CHECKSUM -> Counter.DROPPED_BAD_CHECKSUM;
            case FRAGMENT -> Counter.DROPPED_FRAGMENT;
        });
    }

    /** Counts and reports a bug that cost a frame or a connection, without stopping the network. */
    public void bug(RuntimeException e) {
        counters.add(Counter.INTERNAL_ERRORS);
        StackTraceElement[] where = e.getStackTrace();
        log.warn("bug", "user-mode network: internal error " + e + (where.length > 0 ? " at " + where[0] : "")
                + "; a frame or connection was dropped, please report it");
    }

    private void round() {
        for (Runnable task : roundTasks) {
            task.run();
        }
    }
}
