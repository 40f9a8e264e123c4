package jvirt.net.user.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jvirt.net.user.stack.Counter;
import jvirt.net.user.stack.EventLoop;
import jvirt.net.user.stack.IpOutput;
import jvirt.net.user.stack.NetStack;
import jvirt.net.user.stack.Timer;

/**
 * Forwards the guest's UDP DNS queries. Each query goes out under a random ID (the guest's IDs
 * may collide across its sockets, and an answer must not be guessable) to the first upstream; a
 * query the guest repeats while it waits goes to the next, so a dead server costs the guest one
 * retry. Answers are taken only from an upstream's address and port, and only for an outstanding
 * ID. Outstanding queries are bounded and expire; with no upstream at all the guest gets SERVFAIL.
 */
public final class DnsForwarder implements EventLoop.Handler {
    private static final int BATCH = 64;
    private final NetStack stack;
    private final List<InetSocketAddress> upstreams;
    private final SecureRandom random = new SecureRandom();
    private final Map<Integer, Query> byUpstreamId = new HashMap<>();
    private final Map<Long, Query> byGuest = new HashMap<>();
    /** Outstanding queries, oldest first: every query waits the same time, so this is expiry order. */
    private final ArrayDeque<Query> expiries = new ArrayDeque<>();
    private final Timer timer = new Timer(this::expire);
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(IpOutput.MAX_UDP_PAYLOAD);
    private final ByteBuffer answer = ByteBuffer.allocate(IpOutput.MAX_UDP_PAYLOAD);
    private DatagramChannel channel;

    private static final class Query {
        final int upstreamId;
        final int guestAddress;
        final int guestPort;
        final int guestId;
        int upstream;
        long deadline;

        Query(int upstreamId, int guestAddress, int guestPort, int guestId) {
            this.upstreamId = upstreamId;
            this.guestAddress = guestAddress;
            this.guestPort = guestPort;
            this.guestId = guestId;
        }

        long guestKey() {
            return key(guestAddress, guestPort, guestId);
        }

        static long key(int address, int port, int id) {
            return (address & 0xFFFF_FFFFL) << 32 | (long) port << 16 | id;
        }
    }

    public DnsForwarder(NetStack stack, List<InetSocketAddress> upstreams) {
        this.stack = stack;
        this.upstreams = List.copyOf(upstreams);
    }

    /** Forwards the guest's query, the UDP payload {@code [offset, offset + length)} from {@code guestAddress:guestPort}. */
    public void query(ByteBuffer b, int offset, int length, int guestAddress, int guestPort) {
        if (length < DnsMessage.HEADER_LENGTH || DnsMessage.isResponse(b, offset)) {
            stack.counters.add(Counter.DNS_DROPPED);
            return;
        }
        stack.counters.add(Counter.DNS_QUERIES);
        if (upstreams.isEmpty() || !open()) {
            stack.log.warn("dns-none", "user-mode network: no DNS server to forward to (the host's resolv.conf has none); "
                    + "the guest gets SERVFAIL; give one with dns-upstream=ADDRESS");
            fail(b, offset, length, guestAddress, guestPort);
            return;
        }
        int guestId = DnsMessage.id(b, offset);
        Query q = byGuest.get(Query.key(guestAddress, guestPort, guestId));
        if (q != null) {
            // The guest asked again: its last server did not answer in time for it; try the next.
            q.upstream = (q.upstream + 1) % upstreams.size();
            expiries.remove(q);
        } else {
            if (byUpstreamId.size() >= stack.limits.dnsQueries()) {
                stack.counters.add(Counter.DNS_DROPPED);
                stack.log.warn("dns-limit", "user-mode network: " + stack.limits.dnsQueries() + " DNS queries are outstanding; dropping more");
                return;
            }
            int id;
            do {
                id = random.nextInt(0x10000);
            } while (byUpstreamId.containsKey(id));
            q = new Query(id, guestAddress, guestPort, guestId);
            byUpstreamId.put(id, q);
            byGuest.put(q.guestKey(), q);
        }
        q.deadline = EventLoop.now() + stack.limits.dnsTimeout();
        expiries.addLast(q);
        if (!timer.isScheduled()) {
            stack.loop.schedule(timer, q.deadline);
        }
        buffer.clear();
        buffer.put(0, b, offset, length).limit(length);
        buffer.putShort(0, (short) q.upstreamId);
        InetSocketAddress upstream = upstreams.get(q.upstream);
        try {
            if (channel.send(buffer, upstream) == 0) {
                stack.counters.add(Counter.DNS_DROPPED);
            }
        } catch (IOException e) {
            stack.log.warn("dns-send", "user-mode network: cannot send a DNS query to " + upstream + ": " + e.getMessage());
            forget(q);
            fail(b, offset, length, guestAddress, guestPort);
        }
    }

    @Override
    public void ready(int readyOps) {
        for (int i = 0; i < BATCH; i++) {
            buffer.clear();
            SocketAddress from;
            try {
                from = channel.receive(buffer);
            } catch (IOException e) {
                // An ICMP error from an earlier send surfaces here on some systems; the query expires.
                continue;
            }
            if (from == null) {
                return;
            }
            int length = buffer.position();
            Query q = length >= DnsMessage.HEADER_LENGTH && upstreams.contains(from) && DnsMessage.isResponse(buffer, 0)
                    ? byUpstreamId.get(DnsMessage.id(buffer, 0)) : null;
            if (q == null) {
                stack.counters.add(Counter.DNS_DROPPED);
                continue;
            }
            forget(q);
            buffer.putShort(0, (short) q.guestId);
            stack.ip.sendUdp(stack.network.dns(), DnsMessage.PORT, q.guestAddress, q.guestPort, buffer, 0, length, -1);
            stack.counters.add(Counter.DNS_ANSWERS);
        }
    }

    @Override
    public void abort() {
        close();
    }

    /** Closes the host socket and forgets every query. */
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                stack.log.warn("dns-close", "user-mode network: closing the DNS socket failed: " + e.getMessage());
            }
            channel = null;
        }
        byUpstreamId.clear();
        byGuest.clear();
        expiries.clear();
        stack.loop.cancel(timer);
    }

    private boolean open() {
        if (channel != null) {
            return true;
        }
        try {
            DatagramChannel c = DatagramChannel.open();
            c.configureBlocking(false);
            c.bind(null);
            stack.loop.register(c, SelectionKey.OP_READ, this);
            channel = c;
            return true;
        } catch (IOException e) {
            stack.log.warn("dns-open", "user-mode network: cannot open a socket for DNS: " + e.getMessage());
            return false;
        }
    }

    private void fail(ByteBuffer b, int offset, int length, int guestAddress, int guestPort) {
        int n = DnsMessage.serverFailure(b, offset, length, answer);
        if (n > 0) {
            stack.ip.sendUdp(stack.network.dns(), DnsMessage.PORT, guestAddress, guestPort, answer, 0, n, -1);
        }
    }

    private void forget(Query q) {
        byUpstreamId.remove(q.upstreamId);
        byGuest.remove(q.guestKey());
        expiries.remove(q);
    }

    private void expire(long now) {
        Query q;
        while ((q = expiries.peekFirst()) != null && q.deadline <= now) {
            forget(q);
            stack.counters.add(Counter.DNS_TIMEOUTS);
        }
        if (q != null) {
            stack.loop.schedule(timer, q.deadline);
        }
    }
}
