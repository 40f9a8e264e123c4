package jvirt.net.user;

import static jvirt.net.user.Frames.GATEWAY;
import static jvirt.net.user.Frames.GUEST;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import jvirt.net.user.wire.TcpSegment;
import org.junit.jupiter.api.Test;

/** A hostile guest meets the bounds: connections, handshakes, descriptors; closed connections go. */
class TcpLimitsTest {
    static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /** The process's open epoll instances: one per NIO selector. */
    static long selectors() throws IOException {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:[eventpoll]")) {
                        n++;
                    }
                } catch (IOException e) {
                    // Closed while listed.
                }
            }
        }
        return n;
    }

    /**
     * The process's open TCP and UDP sockets: its descriptors that name a socket listed in
     * /proc/net (the JDK and libc open other descriptors of their own now and then).
     */
    static long inetSockets() {
        try {
            Set<String> inodes = new HashSet<>();
            for (String table : new String[] {"tcp", "tcp6", "udp", "udp6"}) {
                Path p = Path.of("/proc/net", table);
                if (Files.exists(p)) {
                    List<String> lines = Files.readAllLines(p);
                    for (String line : lines.subList(1, lines.size())) {
                        inodes.add(line.trim().split("\\s+")[9]);
                    }
                }
            }
            long n = 0;
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                for (Path fd : (Iterable<Path>) fds::iterator) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                            n++;
                        }
                    } catch (IOException e) {
                        // Closed while listed.
                    }
                }
            }
            return n;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    static long descriptors() {
        try {
            return openDescriptors();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static ByteBuffer syn(int port, int destination, int destinationPort) {
        ByteBuffer o = ByteBuffer.allocate(TcpSegment.SYN_OPTIONS_LENGTH);
        TcpSegment.writeSynOptions(o, 0, 1460, 7);
        return Frames.tcp(GUEST, port, destination, destinationPort, port * 7919, 0, TcpSegment.SYN, 65535, o.array(), new byte[0], 0, 0);
    }

    /** A listener whose accept queue is full: connects to it hang, as to a host that drops SYNs. */
    static final class Blackhole implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final List<Socket> fillers = new ArrayList<>();

        Blackhole() throws IOException {
            for (int i = 0; i < 2; i++) {
                fillers.add(new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()));
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket s : fillers) {
                s.close();
            }
            server.close();
        }
    }

    @Test
    void aSynFloodIsBoundedAndAWellBehavedConnectionStillGetsThrough() throws Exception {
        try (Blackhole blackhole = new Blackhole()) {
            long before = inetSockets();
            try (Nat nat = new Nat("")) {
                long started = openDescriptors();
                long most = 0;
                for (int i = 0; i < 5000; i++) {
                    nat.send(syn(10_000 + i, GATEWAY, blackhole.port()));
                    if (i % 250 == 0) {
                        most = Math.max(most, openDescriptors() - started);
                    }
                }
                NatStats s = nat.stats();
                // Each SYN past 128 handshakes either displaced the oldest or, while the selector was
                // behind on releasing sockets, was reset at once: 128 remain, every other one got a reset.
                assertThat(s.tcpConnectionsActive()).isEqualTo(128);
                assertThat(s.tcpConnectionsOpened()).isBetween(128L, 5000L);
                assertThat(s.tcpRefusedByLimit()).isEqualTo(5000 - 128);
                // Resets are frames like any other: while the NIC is slower than the flood, the bounded
                // queue drops some of them.
                assertThat(s.tcpResetsSent() + s.droppedToGuest()).isGreaterThanOrEqualTo(5000 - 128);
                assertThat(nat.log).anyMatch(l -> l.contains("TCP handshakes are in progress"));
                assertThat(nat.log.size()).isLessThan(5);
                assertThat(most).as("descriptors while flooded").isLessThanOrEqualTo(2 * 128 + 8);
                eventually("the descriptors of displaced handshakes are released", () -> descriptors() - started <= 128 + 8);

                try (HostPeer<byte[]> echo = new HostPeer<>(sock -> {
                         byte[] b = sock.getInputStream().readNBytes(100_000);
                         sock.getOutputStream().write(b);
                         return b;
                     })) {
                    GuestTcp guest = new GuestTcp(nat, 9999, GATEWAY, echo.port());
                    assertThat(guest.connect().tcp().has(TcpSegment.RST)).isFalse();
                    byte[] data = TcpTest.random(100_000, 20);
                    guest.write(data);
                    assertThat(guest.read(data.length)).isEqualTo(data);
                }
            }
            eventually("close() releases every socket", () -> inetSockets() <= before);
        }
    }

    @Test
    void manyConnectionsShareATightBufferBudgetAndLoseNothing() throws Exception {
        try (AcceptingServer echo = new AcceptingServer(true);
             Nat nat = new Nat("", TestLimits.of("tcpBufferBudget", 1 << 20), new TestNic(true, true))) {
            List<GuestTcp> guests = new ArrayList<>();
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                GuestTcp g = new GuestTcp(nat, 21_000 + i, GATEWAY, echo.port());
                g.segment = 16_000;
                g.partial = true;
                assertThat(g.connect().tcp().has(TcpSegment.RST)).isFalse();
                guests.add(g);
            }
            // Everyone writes before anyone reads: the echoes wait in the NAT's buffers meanwhile.
            for (int i = 0; i < guests.size(); i++) {
                byte[] data = TcpTest.random(150_000, 100 + i);
                guests.get(i).write(data);
                sent.add(data);
            }
            for (int i = 0; i < guests.size(); i++) {
                assertThat(guests.get(i).read(sent.get(i).length)).isEqualTo(sent.get(i));
            }
            assertThat(nat.stats().internalErrors()).isZero();
            assertThat(nat.stats().tcpResetsSent()).isZero();
        }
    }

    @Test
    void pastTheConnectionLimitSynsAreReset() throws Exception {
        try (AcceptingServer server = new AcceptingServer();
             Nat nat = new Nat("", TestLimits.of("tcpConnections", 20, "tcpTimeWaitTime", 100), new TestNic())) {
            List<GuestTcp> open = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                GuestTcp g = new GuestTcp(nat, 20_000 + i, GATEWAY, server.port());
                assertThat(g.connect().tcp().has(TcpSegment.RST)).isFalse();
                open.add(g);
            }
            GuestTcp refused = new GuestTcp(nat, 20_100, GATEWAY, server.port());
            assertThat(refused.connect().tcp().has(TcpSegment.RST)).isTrue();
            assertThat(nat.stats().tcpRefusedByLimit()).isEqualTo(1);
            assertThat(nat.log).anyMatch(l -> l.contains("20 TCP connections are open, the limit"));
            // One connection ends (the guest resets it): there is room again.
            open.getFirst().reset();
            eventually("the reset connection is gone", () -> nat.stats().tcpConnectionsActive() == 19);
            GuestTcp next = new GuestTcp(nat, 20_101, GATEWAY, server.port());
            assertThat(next.connect().tcp().has(TcpSegment.RST)).isFalse();
        }
    }

    @Test
    void closedConnectionsAreReapedAndTimeWaitIsShort() throws Exception {
        try (Nat nat = new Nat("", TestLimits.of("tcpTimeWaitTime", 100), new TestNic())) {
            long started = inetSockets();
            // The host closes first: the NAT ends in TIME_WAIT, briefly.
            try (HostPeer<Void> host = new HostPeer<>(s -> {
                     s.getOutputStream().write(new byte[] {1});
                     s.shutdownOutput();
                     s.getInputStream().read();
                     return null;
                 })) {
                GuestTcp guest = new GuestTcp(nat, 30_000, GATEWAY, host.port());
                guest.connect();
                guest.readToEnd();
                guest.fin();
                guest.awaitAcknowledged();
                host.result();
            }
            assertThat(nat.stats().tcpConnectionsActive()).isZero();
            eventually("TIME_WAIT ends", () -> nat.stats().tcpTimeWait() == 0);
            // The guest closes first: LAST_ACK, then gone at once.
            try (HostPeer<Void> host = new HostPeer<>(s -> {
                     s.getInputStream().read();
                     return null;
                 })) {
                GuestTcp guest = new GuestTcp(nat, 30_001, GATEWAY, host.port());
                guest.connect();
                guest.fin();
                guest.readToEnd();
                guest.sendAck();
                host.result();
            }
            eventually("the connection is gone", () -> nat.stats().tcpConnectionsActive() == 0);
            assertThat(nat.stats().tcpTimeWait()).isZero();
            eventually("no socket is left behind", () -> inetSockets() <= started);
        }
    }

    @Test
    void aConnectThatHangsEndsInAReset() throws Exception {
        try (Blackhole blackhole = new Blackhole();
             Nat nat = new Nat("", TestLimits.of("tcpConnectTimeout", 300), new TestNic())) {
            GuestTcp guest = new GuestTcp(nat, 30_002, GATEWAY, blackhole.port());
            TcpSegment answer = guest.connect().tcp();
            assertThat(answer.flags & 0x3F).isEqualTo(TcpSegment.RST | TcpSegment.ACK);
            assertThat(nat.stats().tcpConnectFailed()).isEqualTo(1);
        }
    }

    @Test
    void aForwardedConnectionTheGuestIgnoresClosesTheClient() throws Exception {
        int port = TcpTest.freeTcpPort();
        try (Nat nat = new Nat("hostfwd=tcp::" + port + "-:22", TestLimits.of("tcpSynRetries", 1), new TestNic());
             Socket client = new Socket()) {
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            client.setSoTimeout(20_000);
            nat.send(Frames.arpRequest(GUEST, GATEWAY));
            nat.nic.await(p -> p.isTcp() && p.tcp().has(TcpSegment.SYN));
            nat.nic.await(p -> p.isTcp() && p.tcp().has(TcpSegment.SYN));
            int read;
            try {
                read = client.getInputStream().read();
            } catch (java.net.SocketException e) {
                read = -1;
            }
            assertThat(read).isEqualTo(-1);
            assertThat(nat.stats().tcpTimeouts()).isEqualTo(1);
        }
    }
}
