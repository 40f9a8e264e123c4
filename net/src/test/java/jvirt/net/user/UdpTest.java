package jvirt.net.user;

import static jvirt.net.user.Frames.GATEWAY;
import static jvirt.net.user.Frames.GUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import jvirt.net.user.wire.InternetChecksum;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.UdpDatagram;
import org.junit.jupiter.api.Test;

class UdpTest {

    @Test
    void theGatewayIsTheHostsLoopback() throws Exception {
        try (UdpEndpoint echo = new UdpEndpoint("127.0.0.1", b -> b);
             Nat nat = new Nat("")) {
            byte[] hello = "hello, host".getBytes();
            nat.send(Frames.udp(GUEST, 5000, GATEWAY, echo.port(), hello));
            Packet reply = nat.nic.await(Packet::isUdp);
            assertThat(reply.ip().source).isEqualTo(GATEWAY);
            assertThat(reply.ip().destination).isEqualTo(GUEST);
            assertThat(reply.destinationMac()).isEqualTo(Frames.GUEST_MAC);
            UdpDatagram udp = reply.udp();
            assertThat(udp.sourcePort).isEqualTo(echo.port());
            assertThat(udp.destinationPort).isEqualTo(5000);
            assertThat(reply.udpPayload()).isEqualTo(hello);
            assertThat(echo.last.getAddress().isLoopbackAddress()).isTrue();
            // The same guest socket uses the same flow.
            int hostPort = echo.last.getPort();
            nat.send(Frames.udp(GUEST, 5000, GATEWAY, echo.port(), hello));
            nat.nic.await(Packet::isUdp);
            assertThat(echo.last.getPort()).isEqualTo(hostPort);
            assertThat(nat.stats().udpFlowsOpened()).isEqualTo(1);
            assertThat(nat.stats().udpFlowsActive()).isEqualTo(1);
        }
    }

    @Test
    void largeDatagramsReachTheGuestInFragments() throws Exception {
        byte[] big = new byte[4000];
        new SplittableRandom(4).nextBytes(big);
        try (UdpEndpoint echo = new UdpEndpoint("127.0.0.1", b -> big);
             Nat nat = new Nat("")) {
            nat.send(Frames.udp(GUEST, 5001, GATEWAY, echo.port(), new byte[] {1}));
            ByteArrayOutputStream datagram = new ByteArrayOutputStream();
            int id = -1;
            for (int expected = 0; ; ) {
                Packet fragment = nat.nic.await(Packet::isUdp);
                Ipv4Header ip = fragment.ip();
                assertThat(ip.totalLength).isLessThanOrEqualTo(1500);
                int offset = (ip.flagsAndOffset & Ipv4Header.OFFSET_MASK) * 8;
                assertThat(offset).isEqualTo(expected);
                int identification = fragment.frame().getShort(Packet.IP + 4) & 0xFFFF;
                assertThat(id == -1 || id == identification).isTrue();
                id = identification;
                datagram.writeBytes(fragment.bytes(fragment.transport(), ip.payloadLength()));
                expected += ip.payloadLength();
                if ((ip.flagsAndOffset & Ipv4Header.MORE_FRAGMENTS) == 0) {
                    break;
                }
            }
            byte[] whole = datagram.toByteArray();
            assertThat(whole).hasSize(8 + big.length);
            assertThat(Arrays.copyOfRange(whole, 8, whole.length)).isEqualTo(big);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(whole);
            assertThat(InternetChecksum.verifiesTransport(b, 0, whole.length, Ipv4Header.PROTOCOL_UDP, GATEWAY, GUEST)).isTrue();
        }
    }

    @Test
    void onlyHostsTheGuestSpokeToMayAnswer() throws Exception {
        try (UdpEndpoint echo = new UdpEndpoint("127.0.0.1", b -> b);
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.2"), 0));
             Nat nat = new Nat("")) {
            nat.send(Frames.udp(GUEST, 5002, GATEWAY, echo.port(), new byte[] {1}));
            nat.nic.await(Packet::isUdp);
            byte[] probe = {9, 9};
            stranger.send(new DatagramPacket(probe, probe.length, echo.last.getSocketAddress()));
            assertThat(nat.nic.poll(Packet::isUdp, Duration.ofMillis(300))).isNull();
            assertThat(nat.stats().udpDropped()).isEqualTo(1);
        }
    }

    @Test
    void idleFlowsCloseAndTheirNumberIsBounded() throws Exception {
        try (UdpEndpoint echo = new UdpEndpoint("127.0.0.1", b -> b);
             Nat nat = new Nat("", TestLimits.of("udpFlows", 4, "udpIdle", 200, "udpDnsIdle", 200), new TestNic())) {
            for (int port = 6000; port < 6010; port++) {
                nat.send(Frames.udp(GUEST, port, GATEWAY, echo.port(), new byte[] {1}));
            }
            assertThat(nat.stats().udpFlowsActive()).isEqualTo(4);
            assertThat(nat.stats().udpFlowsOpened()).isEqualTo(10);
            assertThat(nat.log).anyMatch(l -> l.contains("4 UDP flows are open"));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (nat.stats().udpFlowsActive() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(nat.stats().udpFlowsActive()).isZero();
            assertThat(nat.stats().udpFlowsExpired()).isEqualTo(10);
        }
    }

    @Test
    void unreachablePlacesInTheGuestNetworkSayIcmpAndMartiansAreDropped() throws Exception {
        try (Nat nat = new Nat("")) {
            nat.send(Frames.udp(GUEST, 5003, Frames.ip("10.0.2.77"), 9, new byte[] {1}));
            Packet icmp = nat.nic.await(Packet::isIcmp);
            assertThat(icmp.icmp().type).isEqualTo(3);
            assertThat(icmp.icmp().code).isEqualTo(1);
            assertThat(icmp.ip().source).isEqualTo(GATEWAY);
            // The quoted datagram is the guest's own header and first 8 bytes.
            assertThat(icmp.frame().getInt(icmp.transport() + 8 + 16)).isEqualTo(Frames.ip("10.0.2.77"));
            for (String martian : new String[] {"127.0.0.1", "224.0.0.251", "255.255.255.255", "10.0.2.255", "0.1.2.3"}) {
                nat.send(Frames.udp(GUEST, 5003, Frames.ip(martian), 9, new byte[] {1}));
            }
            assertThat(nat.stats().droppedMisaddressed()).isEqualTo(5);
            assertThat(nat.stats().udpFlowsOpened()).isZero();
        }
    }

    @Test
    void forwardedHostPortReachesTheGuestAndItsAnswerTheSender() throws Exception {
        int port = freeUdpPort();
        try (Nat nat = new Nat("restrict=on,hostfwd=udp::" + port + "-:7000");
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            byte[] ping = "ping".getBytes();
            client.send(new DatagramPacket(ping, ping.length, InetAddress.getLoopbackAddress(), port));
            // No MAC is known for the guest yet: the NAT asks, and the datagram waits for the answer.
            Packet who = nat.nic.await(Packet::isArp);
            assertThat(who.destinationMac()).isEqualTo(jvirt.net.user.wire.EthernetFrame.BROADCAST);
            assertThat(who.arp().targetIp).isEqualTo(GUEST);
            assertThat(nat.nic.poll(Packet::isUdp, Duration.ofMillis(100))).isNull();
            nat.send(Frames.arpReply(GUEST));
            Packet in = nat.nic.await(Packet::isUdp);
            assertThat(in.ip().source).isEqualTo(GATEWAY);
            assertThat(in.ip().destination).isEqualTo(GUEST);
            assertThat(in.udp().sourcePort).isEqualTo(port);
            assertThat(in.udp().destinationPort).isEqualTo(7000);
            assertThat(in.udpPayload()).isEqualTo(ping);
            assertThat(nat.stats().arpRequests()).isEqualTo(1);

            byte[] pong = "pong".getBytes();
            nat.send(Frames.udp(GUEST, 7000, GATEWAY, port, pong));
            client.setSoTimeout(10_000);
            DatagramPacket answer = new DatagramPacket(new byte[100], 100);
            client.receive(answer);
            assertThat(Arrays.copyOf(answer.getData(), answer.getLength())).isEqualTo(pong);
            // restrict=on: anything else the guest sends goes nowhere.
            nat.send(Frames.udp(GUEST, 7001, GATEWAY, port, pong));
            assertThat(nat.stats().droppedRestricted()).isEqualTo(1);
        }
    }

    @Test
    void aForwardedPortInUseIsAClearError() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = taken.getLocalPort();
            UserNetwork network = new UserNetwork(NatConfig.parse("hostfwd=udp::" + port + "-:53"), l -> { });
            assertThatThrownBy(() -> network.start(new TestNic())).isInstanceOf(IOException.class)
                    .hasMessage("hostfwd udp:127.0.0.1:" + port + "-:53: port " + port + " on 127.0.0.1 is already in use; choose another host port");
            network.close();
        }
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }
}
