package jvirt.net.user;

import static jvirt.net.user.Frames.GATEWAY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.SplittableRandom;
import jvirt.net.user.stack.Limits;
import jvirt.net.user.wire.TcpSegment;
import org.junit.jupiter.api.Test;

class TcpTest {
    static final int MIB = 1 << 20;

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /**
     * The guest sends 1 MiB and its FIN; the host reads to the end (the guest's half-close), then
     * answers 1 MiB and closes: each side gets the other's bytes exactly.
     */
    private static void bulkBothWays(TestNic nic, int guestSegment, boolean guestPartial) throws Exception {
        byte[] up = random(MIB, 1);
        byte[] down = random(MIB, 2);
        try (HostPeer<byte[]> host = new HostPeer<>(s -> {
                 byte[] got = readAll(s.getInputStream());
                 s.getOutputStream().write(down);
                 return got;
             });
             Nat nat = new Nat("", Limits.DEFAULTS, nic)) {
            GuestTcp guest = new GuestTcp(nat, 40000, GATEWAY, host.port());
            guest.segment = guestSegment;
            guest.partial = guestPartial;
            guest.connect();
            assertThat(guest.peerMss).isEqualTo(65480); // the guest's interface MTU, 65520, less the headers
            assertThat(guest.peerScale).isEqualTo(7);
            guest.write(up);
            guest.fin();
            assertThat(guest.readToEnd()).isEqualTo(down);
            assertThat(host.result()).isEqualTo(up);
            guest.awaitAcknowledged();
            if (nic.largeTcp) {
                assertThat(guest.largestSegment).isGreaterThan(1460);
            }
            NatStats s = nat.stats();
            assertThat(s.tcpConnectionsOpened()).isEqualTo(1);
            assertThat(s.droppedBadChecksum()).isZero();
            assertThat(s.internalErrors()).isZero();
        }
    }

    @Test
    void aMebibyteEachWayWithPlainFrames() throws Exception {
        bulkBothWays(new TestNic(false, false), 1460, false);
    }

    @Test
    void aMebibyteEachWayWithOffloads() throws Exception {
        bulkBothWays(new TestNic(true, true), 65000, true);
    }

    @Test
    void theHostClosesFirstAndTheGuestKeepsSending() throws Exception {
        byte[] banner = random(100_000, 3);
        byte[] request = random(200_000, 4);
        try (HostPeer<byte[]> host = new HostPeer<>(s -> {
                 s.getOutputStream().write(banner);
                 s.shutdownOutput();
                 return readAll(s.getInputStream());
             });
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40001, GATEWAY, host.port());
            guest.connect();
            assertThat(guest.readToEnd()).isEqualTo(banner);
            guest.write(request);
            guest.fin();
            assertThat(host.result()).isEqualTo(request);
            guest.awaitAcknowledged();
        }
    }

    @Test
    void aRepeatedFinIsAcknowledgedAgain() throws Exception {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try (HostPeer<Integer> host = new HostPeer<>(s -> {
                 int eof = s.getInputStream().read();
                 done.await();
                 return eof;
             });
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40014, GATEWAY, host.port());
            guest.connect();
            guest.fin();
            guest.awaitAcknowledged();
            // The guest did not see that ACK and sends its FIN again: the NAT, in CLOSE_WAIT, answers it.
            guest.sendAt(guest.sndNxt - 1, TcpSegment.FIN | TcpSegment.ACK, new byte[0], new byte[0], 0, 0);
            Packet ack = nat.nic.await(guest::matches);
            assertThat(ack.tcp().acknowledgment).isEqualTo(guest.sndNxt);
            done.countDown();
            assertThat(host.result()).isEqualTo(-1);
        }
    }

    @Test
    void aRefusedConnectIsAReset() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40002, GATEWAY, port);
            TcpSegment rst = guest.connect().tcp();
            assertThat(rst.flags & 0x3F).isEqualTo(TcpSegment.RST | TcpSegment.ACK);
            assertThat(rst.acknowledgment).isEqualTo(guest.sndNxt);
            assertThat(nat.stats().tcpConnectFailed()).isEqualTo(1);
            assertThat(nat.stats().tcpConnectionsActive()).isZero();
        }
    }

    @Test
    void aGuestResetResetsTheHostSide() throws Exception {
        try (HostPeer<Throwable> host = new HostPeer<>(s -> {
                 try {
                     return s.getInputStream().read() == -1 ? null : new AssertionError("data");
                 } catch (SocketException e) {
                     return e;
                 }
             });
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40003, GATEWAY, host.port());
            guest.connect();
            guest.reset();
            assertThat(host.result()).isInstanceOf(SocketException.class).hasMessageContaining("reset");
            assertThat(nat.stats().tcpResetsReceived()).isEqualTo(1);
        }
    }

    @Test
    void aHostResetResetsTheGuestSide() throws Exception {
        try (HostPeer<Void> host = new HostPeer<>(s -> {
                 s.getOutputStream().write(new byte[] {1, 2, 3});
                 s.getInputStream().read();
                 s.setSoLinger(true, 0);
                 return null;
             });
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40004, GATEWAY, host.port());
            guest.connect();
            assertThat(guest.read(3)).containsExactly(1, 2, 3);
            // Not write(), which waits for the ACK: the NAT delays it, and the host's reset may come first.
            guest.send(TcpSegment.ACK | TcpSegment.PSH, new byte[0], new byte[] {9}, 0, 1);
            host.result();
            guest.awaitReset();
            assertThat(nat.stats().tcpResetsSent()).isEqualTo(1);
        }
    }

    @Test
    void aSmallGuestWindowIsNeverOverrun() throws Exception {
        byte[] data = random(100_000, 5);
        try (HostPeer<Void> host = new HostPeer<>(s -> {
                 s.getOutputStream().write(data);
                 return null;
             });
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40005, GATEWAY, host.port());
            guest.window = 3000;
            guest.scale = -1;
            guest.connect();
            assertThat(guest.peerScale).isZero();
            // Acknowledge only once the NAT has gone quiet, so that every segment is checked against
            // the window it was sent under.
            guest.acking = false;
            while (!guest.finReceived) {
                Packet p;
                while ((p = nat.nic.poll(guest::matches, Duration.ofMillis(20))) != null) {
                    guest.handle(p);
                }
                guest.sendAck();
            }
            assertThat(guest.received.toByteArray()).isEqualTo(data);
            assertThat(guest.largestSegment).isLessThanOrEqualTo(1460);
        }
    }

    @Test
    void aGuestThatStopsAcknowledgingGetsRetransmissions() throws Exception {
        byte[] data = random(4000, 6);
        try (HostPeer<Void> host = sending(data);
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40006, GATEWAY, host.port());
            guest.connect();
            guest.acking = false;
            Packet first = nat.nic.await(guest::matches);
            int seq = first.tcp().sequence;
            // Unacknowledged, the first segment comes again after the retransmission timeout.
            Packet again = nat.nic.await(p -> guest.matches(p) && p.tcp().sequence == seq && p.tcp().payloadLength > 0);
            assertThat(again.tcpPayload()).isEqualTo(first.tcpPayload());
            assertThat(nat.stats().tcpRetransmits()).isPositive();
            guest.acking = true;
            guest.handle(again);
            assertThat(guest.read(data.length)).isEqualTo(data);
            guest.fin();
        }
    }

    @Test
    void threeDuplicateAcksTriggerAFastRetransmit() throws Exception {
        byte[] data = random(20 * 1460, 7);
        try (HostPeer<Void> host = sending(data);
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40007, GATEWAY, host.port());
            guest.connect();
            guest.acking = false;
            // The first segment is "lost"; the next three each draw the same acknowledgment.
            Packet lost = nat.nic.await(p -> guest.matches(p) && p.tcp().payloadLength > 0);
            for (int i = 0; i < 3; i++) {
                nat.nic.await(p -> guest.matches(p) && p.tcp().payloadLength > 0);
                guest.sendAck();
            }
            Packet again = nat.nic.await(p -> guest.matches(p) && p.tcp().sequence == lost.tcp().sequence);
            assertThat(again.tcpPayload()).isEqualTo(lost.tcpPayload());
            assertThat(nat.stats().tcpFastRetransmits()).isEqualTo(1);
            guest.acking = true;
            guest.handle(again);
            assertThat(guest.read(data.length)).isEqualTo(data);
        }
    }

    /** A host peer that sends {@code data}, then waits for the guest's byte (or its end). */
    private static HostPeer<Void> sending(byte[] data) throws IOException {
        return new HostPeer<>(s -> {
            s.getOutputStream().write(data);
            s.getInputStream().read();
            return null;
        });
    }

    /** Connects offering a two-segment window, without window scaling, and takes that much unacknowledged. */
    private static void takeTwoSegmentsThroughASmallWindow(GuestTcp guest) {
        guest.window = 2920;
        guest.scale = 0;
        guest.connect();
        guest.acking = false;
        guest.handle(guest.nat.nic.await(guest::matches));
        guest.handle(guest.nat.nic.await(guest::matches));
    }

    /** Acknowledges everything received with a window of 0. */
    private static void shutWindow(GuestTcp guest) {
        guest.window = 0;
        guest.sendAck();
    }

    @Test
    void anAckThatShutsTheWindowLetsNothingPastIt() throws Exception {
        // More than the NAT's ring holds, so that the ACK frees room, the NAT reads from the host
        // again and sends at once: with the window of this ACK (0), not the one before it.
        byte[] data = random(1 << 20, 9);
        try (HostPeer<Void> host = sending(data);
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40009, GATEWAY, host.port());
            takeTwoSegmentsThroughASmallWindow(guest);
            Thread.sleep(200); // the NAT fills its ring from the host and stops reading
            shutWindow(guest);
            Packet p;
            while ((p = nat.nic.poll(guest::matches, Duration.ofMillis(300))) != null) {
                guest.handle(p); // fails if a segment goes past the shut window
            }
            guest.window = 60_000;
            guest.acking = true;
            guest.sendAck();
            assertThat(guest.read(data.length)).isEqualTo(data);
        }
    }

    @Test
    void aShutWindowIsProbedUntilItOpens() throws Exception {
        byte[] data = random(50_000, 8);
        try (HostPeer<Void> host = sending(data);
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40008, GATEWAY, host.port());
            takeTwoSegmentsThroughASmallWindow(guest);
            shutWindow(guest);
            // Probes: no data, an old sequence number, so that the guest answers with its window.
            Packet probe = nat.nic.await(p -> guest.matches(p) && p.tcp().sequence == guest.rcvNxt - 1);
            assertThat(probe.tcp().payloadLength).isZero();
            guest.window = 60_000;
            guest.acking = true;
            guest.sendAck();
            assertThat(guest.read(data.length)).isEqualTo(data);
        }
    }

    @Test
    void aHostThatDoesNotReadShutsTheWindowAndNothingIsLost() throws Exception {
        byte[] data = random(6 * MIB, 9);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try (HostPeer<byte[]> host = new HostPeer<>(s -> {
                 go.await();
                 return readAll(s.getInputStream());
             });
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40009, GATEWAY, host.port());
            guest.segment = 65000;
            guest.partial = true;
            guest.connect();
            int at = 0;
            // Send until the NAT's window is shut: the host socket and the ring are full.
            while (guest.peerWindow > 0 || guest.sndUna != guest.sndNxt) {
                int allowed = guest.sndUna + guest.peerWindow - guest.sndNxt;
                if (allowed > 0 && at < data.length) {
                    int n = Math.min(Math.min(guest.segment, allowed), data.length - at);
                    guest.send(TcpSegment.ACK, new byte[0], data, at, n);
                    guest.sndNxt += n;
                    at += n;
                }
                Packet p = nat.nic.poll(guest::matches, Duration.ofMillis(300));
                if (p == null) {
                    break;
                }
                guest.handle(p);
            }
            assertThat(guest.peerWindow).isZero();
            assertThat(at).isLessThan(data.length);
            // Bytes past a shut window are not taken.
            guest.send(TcpSegment.ACK, new byte[0], data, at, 1000);
            Packet ack = nat.nic.await(guest::matches);
            assertThat(ack.tcp().acknowledgment).isEqualTo(guest.sndNxt);
            go.countDown();
            byte[] rest = java.util.Arrays.copyOfRange(data, at, data.length);
            guest.write(rest);
            guest.fin();
            assertThat(host.result()).isEqualTo(data);
        }
    }

    @Test
    void framesTheNicRefusesWaitForReceiveReady() throws Exception {
        byte[] data = random(400_000, 10);
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try (HostPeer<Void> host = new HostPeer<>(s -> {
                 go.await();
                 s.getOutputStream().write(data);
                 s.getInputStream().read();
                 return null;
             });
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40010, GATEWAY, host.port());
            guest.connect();
            nat.nic.refusing = true;
            go.countDown();
            guest.sendAck();
            Thread.sleep(200);
            assertThat(nat.nic.poll(guest::matches, Duration.ofMillis(100))).isNull();
            nat.nic.refusing = false;
            nat.network.receiveReady();
            assertThat(guest.read(data.length)).isEqualTo(data);
        }
    }

    @Test
    void outOfOrderSegmentsAreDroppedWithADuplicateAck() throws Exception {
        byte[] data = random(3000, 11);
        try (HostPeer<byte[]> host = new HostPeer<>(s -> readAll(s.getInputStream()));
             Nat nat = new Nat("")) {
            GuestTcp guest = new GuestTcp(nat, 40011, GATEWAY, host.port());
            guest.connect();
            int start = guest.sndNxt;
            guest.sendAt(start + 1500, TcpSegment.ACK, new byte[0], data, 1500, 1500);
            Packet dup = nat.nic.await(guest::matches);
            assertThat(dup.tcp().acknowledgment).isEqualTo(start);
            guest.sendAt(start, TcpSegment.ACK, new byte[0], data, 0, 1500);
            guest.sndNxt = start + 1500;
            guest.awaitAcknowledged();
            guest.sendAt(start + 1500, TcpSegment.ACK, new byte[0], data, 1500, 1500);
            guest.sndNxt = start + 3000;
            guest.awaitAcknowledged();
            guest.fin();
            assertThat(host.result()).isEqualTo(data);
        }
    }

    @Test
    void dnsOverTcpGoesToTheUpstream() throws Exception {
        try (HostPeer<byte[]> upstream = new HostPeer<>(s -> {
                 byte[] q = s.getInputStream().readNBytes(5);
                 s.getOutputStream().write(q);
                 return q;
             });
             Nat nat = new Nat("dns-upstream=127.0.0.1:" + upstream.port())) {
            GuestTcp guest = new GuestTcp(nat, 40012, Frames.DNS, 53);
            guest.connect();
            guest.write(new byte[] {0, 3, 'a', 'b', 'c'});
            assertThat(guest.read(5)).containsExactly(0, 3, 'a', 'b', 'c');
        }
    }

    @Test
    void restrictResetsEveryOutboundConnection() throws Exception {
        try (HostPeer<Void> host = new HostPeer<>(s -> null);
             Nat nat = new Nat("restrict=on,dns-upstream=127.0.0.1:" + host.port())) {
            for (int[] to : new int[][] {{GATEWAY, host.port()}, {Frames.DNS, 53}, {Frames.ip("192.0.2.1"), 80}}) {
                GuestTcp guest = new GuestTcp(nat, 40013, to[0], to[1]);
                assertThat(guest.connect().tcp().has(TcpSegment.RST)).isTrue();
            }
            assertThat(nat.stats().droppedRestricted()).isEqualTo(3);
            assertThat(nat.stats().tcpConnectionsOpened()).isZero();
        }
    }

    @Test
    void aForwardedPortInUseIsAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            int forwarded = TcpTest.freeTcpPort();
            long selectors = TcpLimitsTest.selectors();
            long sockets = TcpLimitsTest.inetSockets();
            UserNetwork network = new UserNetwork(NatConfig.parse("hostfwd=tcp::" + forwarded + "-:22,hostfwd=tcp::" + port + "-:80"), l -> { });
            assertThatThrownBy(() -> network.start(new TestNic())).isInstanceOf(IOException.class)
                    .hasMessage("hostfwd tcp:127.0.0.1:" + port + "-:80: port " + port + " on 127.0.0.1 is already in use; choose another host port");
            // Nothing is left open: not the forward bound before the failing one, not the selector.
            assertThat(TcpLimitsTest.inetSockets()).isEqualTo(sockets);
            assertThat(TcpLimitsTest.selectors()).isEqualTo(selectors);
            assertThatThrownBy(() -> network.send(Frames.arpRequest(Frames.GUEST, GATEWAY), false)).isInstanceOf(IllegalStateException.class);
            network.close();
        }
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aForwardedPortCarriesDataBothWays() throws Exception {
        int port = freeTcpPort();
        byte[] up = random(300_000, 12);
        byte[] down = random(300_000, 13);
        try (Nat nat = new Nat("restrict=on,hostfwd=tcp::" + port + "-:8080");
             Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(20_000);
            Thread writer = Thread.ofPlatform().start(() -> {
                try {
                    client.getOutputStream().write(up);
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Packet who = nat.nic.await(Packet::isArp);
            assertThat(who.arp().targetIp).isEqualTo(Frames.GUEST);
            nat.send(Frames.arpReply(Frames.GUEST));
            Packet syn = nat.nic.await(p -> p.isTcp() && p.tcp().has(TcpSegment.SYN));
            assertThat(syn.ip().source).isEqualTo(GATEWAY);
            assertThat(syn.tcp().destinationPort).isEqualTo(8080);
            assertThat(syn.tcp().mss).isEqualTo(65480);
            assertThat(syn.tcp().windowScale).isEqualTo(7);
            GuestTcp guest = new GuestTcp(nat, 8080, GATEWAY, 0);
            guest.accept(syn);
            assertThat(guest.readToEnd()).isEqualTo(up);
            guest.write(down);
            guest.fin();
            assertThat(readAll(client.getInputStream())).isEqualTo(down);
            writer.join();
            assertThat(nat.stats().hostForwardsAccepted()).isEqualTo(1);
        }
    }

    @Test
    void aForwardedConnectionTheGuestRefusesResetsTheClient() throws Exception {
        int port = freeTcpPort();
        try (Nat nat = new Nat("hostfwd=tcp::" + port + "-:8081");
             Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            client.setSoTimeout(20_000);
            nat.send(Frames.arpRequest(Frames.GUEST, GATEWAY));
            Packet syn = nat.nic.await(p -> p.isTcp() && p.tcp().has(TcpSegment.SYN));
            TcpSegment t = syn.tcp();
            nat.send(Frames.tcp(Frames.GUEST, 8081, GATEWAY, t.sourcePort, 0, t.sequence + 1, TcpSegment.RST | TcpSegment.ACK, 0,
                    new byte[0], new byte[0], 0, 0));
            assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        }
    }
}
