package jvirt.net.user;

import static jvirt.net.user.Frames.GATEWAY;
import static jvirt.net.user.Frames.GUEST;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private static boolean loopThreadAlive() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("jvirt-net-user") && t.isAlive());
    }

    @Test
    void closeReleasesEverySocketAndStopsTheThread() throws Exception {
        int tcpPort = TcpTest.freeTcpPort();
        int udpPort = UdpTest.freeUdpPort();
        long before = TcpLimitsTest.inetSockets();
        try (UdpEndpoint echo = new UdpEndpoint("127.0.0.1", b -> b);
             UdpEndpoint upstream = new UdpEndpoint("127.0.0.1", DnsTest::answer);
             AcceptingServer server = new AcceptingServer()) {
            long withPeers = TcpLimitsTest.inetSockets();
            Nat nat = new Nat("hostfwd=tcp::" + tcpPort + "-:80,hostfwd=udp::" + udpPort + "-:53,dns-upstream=127.0.0.1:" + upstream.port());
            assertThat(loopThreadAlive()).isTrue();
            nat.send(Frames.udp(GUEST, 5000, GATEWAY, echo.port(), new byte[] {1}));
            nat.nic.await(Packet::isUdp);
            nat.send(Frames.udp(GUEST, 5001, Frames.DNS, 53, DnsTest.query(5)));
            nat.nic.await(Packet::isUdp);
            GuestTcp guest = new GuestTcp(nat, 40000, GATEWAY, server.port());
            guest.connect();
            guest.write(new byte[1000]);
            assertThat(TcpLimitsTest.inetSockets()).isGreaterThan(withPeers);

            long start = System.nanoTime();
            nat.close();
            assertThat(System.nanoTime() - start).as("close() takes bounded time").isLessThan(3_000_000_000L);
            assertThat(loopThreadAlive()).isFalse();
            TcpLimitsTest.eventually("every socket of the NAT is closed", () -> TcpLimitsTest.inetSockets() <= withPeers);
            // The forwarded ports are free again, frames after close() go nowhere, and a second close() is harmless.
            new ServerSocket(tcpPort, 1, InetAddress.getLoopbackAddress()).close();
            new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort)).close();
            nat.send(Frames.arpRequest(GUEST, GATEWAY));
            nat.close();
        }
        TcpLimitsTest.eventually("the test's own peers are closed", () -> TcpLimitsTest.inetSockets() <= before);
    }

    @Test
    void statsBeforeStartAreZero() {
        UserNetwork network = new UserNetwork(NatConfig.defaults(), l -> { });
        assertThat(network.stats().framesFromGuest()).isZero();
        network.close();
    }

    /**
     * A NIC that takes its own lock in receive() and holds it while it sends and signals room, as a
     * device may: with data flowing both ways and the NIC refusing frames now and then, nothing
     * deadlocks.
     */
    @Test
    void aNicThatHoldsItsLockNeverDeadlocks() throws Exception {
        TestNic nic = new TestNic(true, true) {
            private final SplittableRandom random = new SplittableRandom(3);

            @Override
            public synchronized boolean receive(ByteBuffer frame, int checksumStart, int checksumOffset, int segmentSize) {
                if (random.nextInt(8) == 0) {
                    return false;
                }
                return super.receive(frame, checksumStart, checksumOffset, segmentSize);
            }
        };
        byte[] up = TcpTest.random(2 * TcpTest.MIB, 40);
        byte[] down = TcpTest.random(2 * TcpTest.MIB, 41);
        try (HostPeer<byte[]> host = new HostPeer<>(s -> {
                 Thread writer = Thread.ofPlatform().start(() -> {
                     try {
                         s.getOutputStream().write(down);
                         s.shutdownOutput();
                     } catch (java.io.IOException e) {
                         throw new RuntimeException(e);
                     }
                 });
                 byte[] got = TcpTest.readAll(s.getInputStream());
                 writer.join();
                 return got;
             });
             Nat nat = new Nat("", jvirt.net.user.stack.Limits.DEFAULTS, nic)) {
            nat.holdingNicLock = true;
            Thread ready = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    synchronized (nic) {
                        nat.network.receiveReady();
                    }
                    Thread.onSpinWait();
                }
            });
            GuestTcp guest = new GuestTcp(nat, 40001, GATEWAY, host.port());
            guest.segment = 32_000;
            guest.partial = true;
            guest.connect();
            guest.write(up);
            guest.fin();
            assertThat(guest.readToEnd()).isEqualTo(down);
            assertThat(host.result()).isEqualTo(up);
            ready.interrupt();
        }
    }
}
