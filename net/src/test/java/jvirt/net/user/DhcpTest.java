package jvirt.net.user;

import static jvirt.net.user.Frames.GATEWAY;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import jvirt.net.user.dhcp.DhcpMessage;
import jvirt.net.user.wire.EthernetFrame;
import jvirt.net.user.wire.UdpDatagram;
import org.junit.jupiter.api.Test;

/** DHCP as Busybox udhcpc speaks it: DISCOVER and REQUEST with options 53, 61, 57, 50, 54, 55, 60 and 12. */
class DhcpTest {
    private static final long MAC = Frames.GUEST_MAC;
    private static final int BROADCAST = -1;

    /** A client message; {@code extra} are further options as code, then bytes. */
    private static ByteBuffer message(int type, int xid, long mac, int ciaddr, boolean broadcastFlag, int requested, int serverId) {
        ByteBuffer m = ByteBuffer.allocate(548);
        m.put(0, (byte) 1).put(1, (byte) 1).put(2, (byte) 6);
        m.putInt(4, xid);
        m.putShort(10, (short) (broadcastFlag ? 0x8000 : 0));
        m.putInt(12, ciaddr);
        m.putShort(28, (short) (mac >>> 32)).putInt(30, (int) mac);
        m.putInt(236, 0x63825363);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {53, 1, (byte) type});
        o.writeBytes(new byte[] {61, 7, 1, (byte) (mac >>> 40), (byte) (mac >>> 32), (byte) (mac >>> 24), (byte) (mac >>> 16), (byte) (mac >>> 8), (byte) mac});
        o.writeBytes(new byte[] {57, 2, 0x02, 0x40});
        if (requested != 0) {
            o.writeBytes(new byte[] {50, 4, (byte) (requested >>> 24), (byte) (requested >>> 16), (byte) (requested >>> 8), (byte) requested});
        }
        if (serverId != 0) {
            o.writeBytes(new byte[] {54, 4, (byte) (serverId >>> 24), (byte) (serverId >>> 16), (byte) (serverId >>> 8), (byte) serverId});
        }
        o.writeBytes(new byte[] {55, 7, 1, 3, 6, 12, 15, 28, 42});
        byte[] vendor = "udhcp 1.36.1".getBytes();
        o.write(60);
        o.write(vendor.length);
        o.writeBytes(vendor);
        o.writeBytes(new byte[] {12, 5, 'g', 'u', 'e', 's', 't'});
        o.write(255);
        m.put(240, o.toByteArray());
        return m;
    }

    private static ByteBuffer frame(ByteBuffer message, int source, int destination) {
        byte[] payload = message.array();
        long mac = destination == BROADCAST ? EthernetFrame.BROADCAST : Frames.NAT_MAC;
        return Frames.udp(mac, source, DhcpMessage.CLIENT_PORT, destination, DhcpMessage.SERVER_PORT, payload);
    }

    /** A server reply decoded: the fixed fields the client reads and the options by code. */
    private record Reply(Packet packet, int yiaddr, int ciaddr, int xid, long chaddr, Map<Integer, byte[]> options) {
        static Reply of(Packet p) {
            UdpDatagram udp = p.udp();
            assertThat(udp.sourcePort).isEqualTo(DhcpMessage.SERVER_PORT);
            assertThat(udp.destinationPort).isEqualTo(DhcpMessage.CLIENT_PORT);
            assertThat(p.ip().headerLength).as("udhcpc takes only 20-byte IP headers").isEqualTo(20);
            ByteBuffer b = p.frame();
            int at = udp.payloadOffset;
            assertThat(udp.payloadLength).isGreaterThanOrEqualTo(300);
            assertThat(b.get(at)).isEqualTo((byte) 2);
            assertThat(b.getInt(at + 236)).isEqualTo(0x63825363);
            Map<Integer, byte[]> options = new HashMap<>();
            int o = at + 240;
            while ((b.get(o) & 0xFF) != 255) {
                int code = b.get(o) & 0xFF;
                if (code == 0) {
                    o++;
                    continue;
                }
                int n = b.get(o + 1) & 0xFF;
                options.put(code, p.bytes(o + 2, n));
                o += 2 + n;
            }
            long chaddr = (b.getShort(at + 28) & 0xFFFFL) << 32 | (b.getInt(at + 30) & 0xFFFFFFFFL);
            return new Reply(p, b.getInt(at + 16), b.getInt(at + 12), b.getInt(at + 4), chaddr, options);
        }

        int type() {
            return options.get(53)[0];
        }

        int address(int option) {
            return ByteBuffer.wrap(options.get(option)).getInt();
        }
    }

    private static Reply reply(Nat nat) {
        return Reply.of(nat.nic.await(p -> p.isUdp() && p.udp().sourcePort == DhcpMessage.SERVER_PORT));
    }

    @Test
    void udhcpcGetsTheFirstAddressWithEverythingItAsksFor() throws Exception {
        try (Nat nat = new Nat("hostname=jvirt-guest")) {
            nat.send(frame(message(DhcpMessage.DISCOVER, 0x1111, MAC, 0, false, 0, 0), 0, BROADCAST));
            Reply offer = reply(nat);
            assertThat(offer.type()).isEqualTo(DhcpMessage.OFFER);
            assertThat(offer.xid()).isEqualTo(0x1111);
            assertThat(offer.chaddr()).isEqualTo(MAC);
            assertThat(offer.yiaddr()).isEqualTo(Frames.GUEST);
            // No broadcast flag: unicast to the offered address at the client's MAC (udhcpc reads a raw socket).
            assertThat(offer.packet().destinationMac()).isEqualTo(MAC);
            assertThat(offer.packet().ip().destination).isEqualTo(Frames.GUEST);
            assertThat(offer.packet().ip().source).isEqualTo(GATEWAY);
            assertThat(offer.address(54)).isEqualTo(GATEWAY);
            assertThat(offer.address(1)).isEqualTo(0xFFFFFF00);
            assertThat(offer.address(3)).isEqualTo(GATEWAY);
            assertThat(offer.address(6)).isEqualTo(Frames.DNS);
            assertThat(offer.address(28)).isEqualTo(Frames.ip("10.0.2.255"));
            assertThat(offer.address(51)).isEqualTo(86400);
            assertThat(new String(offer.options().get(12))).isEqualTo("jvirt-guest");

            nat.send(frame(message(DhcpMessage.REQUEST, 0x2222, MAC, 0, false, offer.yiaddr(), GATEWAY), 0, BROADCAST));
            Reply ack = reply(nat);
            assertThat(ack.type()).isEqualTo(DhcpMessage.ACK);
            assertThat(ack.yiaddr()).isEqualTo(Frames.GUEST);
            assertThat(ack.address(51)).isEqualTo(86400);
            assertThat(ack.packet().destinationMac()).isEqualTo(MAC);

            // Renewing: unicast from the bound address to the server, ciaddr set, no options 50 and 54.
            nat.send(frame(message(DhcpMessage.REQUEST, 0x3333, MAC, Frames.GUEST, false, 0, 0), Frames.GUEST, GATEWAY));
            Reply renew = reply(nat);
            assertThat(renew.type()).isEqualTo(DhcpMessage.ACK);
            assertThat(renew.ciaddr()).isEqualTo(Frames.GUEST);
            assertThat(renew.packet().ip().destination).isEqualTo(Frames.GUEST);
            assertThat(nat.stats().dhcpOffers()).isEqualTo(1);
            assertThat(nat.stats().dhcpAcks()).isEqualTo(2);
        }
    }

    @Test
    void leasesAreKeptPerMacAndTheBroadcastFlagIsHonoured() throws Exception {
        try (Nat nat = new Nat("")) {
            long other = 0x5254_0000_0099L;
            nat.send(frame(message(DhcpMessage.DISCOVER, 1, MAC, 0, false, 0, 0), 0, BROADCAST));
            assertThat(reply(nat).yiaddr()).isEqualTo(Frames.GUEST);
            nat.send(frame(message(DhcpMessage.DISCOVER, 2, other, 0, true, 0, 0), 0, BROADCAST));
            Reply second = reply(nat);
            assertThat(second.yiaddr()).isEqualTo(Frames.ip("10.0.2.16"));
            assertThat(second.packet().destinationMac()).isEqualTo(EthernetFrame.BROADCAST);
            assertThat(second.packet().ip().destination).isEqualTo(BROADCAST);
            // The first client asks again and gets its own address back.
            nat.send(frame(message(DhcpMessage.DISCOVER, 3, MAC, 0, false, 0, 0), 0, BROADCAST));
            assertThat(reply(nat).yiaddr()).isEqualTo(Frames.GUEST);
            // A request for the other client's address is refused, broadcast.
            nat.send(frame(message(DhcpMessage.REQUEST, 4, MAC, 0, false, Frames.ip("10.0.2.16"), GATEWAY), 0, BROADCAST));
            Reply nak = reply(nat);
            assertThat(nak.type()).isEqualTo(DhcpMessage.NAK);
            assertThat(nak.packet().destinationMac()).isEqualTo(EthernetFrame.BROADCAST);
            assertThat(nak.yiaddr()).isZero();
            // INIT-REBOOT for an address outside the network: NAK.
            nat.send(frame(message(DhcpMessage.REQUEST, 5, MAC, 0, false, Frames.ip("192.168.1.50"), 0), 0, BROADCAST));
            assertThat(reply(nat).type()).isEqualTo(DhcpMessage.NAK);
            // INIT-REBOOT for a free pool address: ACK.
            nat.send(frame(message(DhcpMessage.REQUEST, 6, MAC, 0, false, Frames.ip("10.0.2.20"), 0), 0, BROADCAST));
            Reply reboot = reply(nat);
            assertThat(reboot.type()).isEqualTo(DhcpMessage.ACK);
            assertThat(reboot.yiaddr()).isEqualTo(Frames.ip("10.0.2.20"));
            // The client picked another server's offer: nothing is sent.
            nat.send(frame(message(DhcpMessage.REQUEST, 7, other, 0, false, Frames.ip("10.0.2.16"), Frames.ip("10.0.2.200")), 0, BROADCAST));
            assertThat(nat.nic.poll(Packet::isUdp, Duration.ofMillis(200))).isNull();
            assertThat(nat.stats().dhcpNaks()).isEqualTo(2);
        }
    }

    @Test
    void releaseInformAndAFullPool() throws Exception {
        try (Nat nat = new Nat("")) {
            for (int i = 0; i < 16; i++) {
                nat.send(frame(message(DhcpMessage.DISCOVER, i, MAC + i, 0, false, 0, 0), 0, BROADCAST));
                Reply offer = reply(nat);
                assertThat(offer.yiaddr()).isEqualTo(Frames.GUEST + i);
                nat.send(frame(message(DhcpMessage.REQUEST, i, MAC + i, 0, false, offer.yiaddr(), GATEWAY), 0, BROADCAST));
                assertThat(reply(nat).type()).isEqualTo(DhcpMessage.ACK);
            }
            nat.send(frame(message(DhcpMessage.DISCOVER, 99, MAC + 99, 0, false, 0, 0), 0, BROADCAST));
            assertThat(nat.nic.poll(Packet::isUdp, Duration.ofMillis(200))).isNull();
            assertThat(nat.log).anyMatch(l -> l.contains("all 16 DHCP addresses are leased"));

            nat.send(frame(message(DhcpMessage.RELEASE, 100, MAC + 3, Frames.GUEST + 3, false, 0, GATEWAY), Frames.GUEST + 3, GATEWAY));
            nat.send(frame(message(DhcpMessage.DISCOVER, 101, MAC + 99, 0, false, 0, 0), 0, BROADCAST));
            assertThat(reply(nat).yiaddr()).isEqualTo(Frames.GUEST + 3);

            nat.send(frame(message(DhcpMessage.INFORM, 102, MAC, Frames.GUEST, false, 0, 0), Frames.GUEST, GATEWAY));
            Reply inform = reply(nat);
            assertThat(inform.type()).isEqualTo(DhcpMessage.ACK);
            assertThat(inform.yiaddr()).isZero();
            assertThat(inform.options()).doesNotContainKey(51).containsKey(6);
            assertThat(inform.packet().ip().destination).isEqualTo(Frames.GUEST);
        }
    }

    @Test
    void brokenMessagesAreDropped() throws Exception {
        try (Nat nat = new Nat("")) {
            ByteBuffer m = message(DhcpMessage.DISCOVER, 1, MAC, 0, false, 0, 0);
            m.putInt(236, 0x12345678);
            nat.send(frame(m, 0, BROADCAST));
            ByteBuffer unterminated = message(DhcpMessage.DISCOVER, 1, MAC, 0, false, 0, 0);
            unterminated.put(240, (byte) 53).put(241, (byte) 2); // a message type two bytes long
            nat.send(frame(unterminated, 0, BROADCAST));
            nat.send(Frames.udp(EthernetFrame.BROADCAST, 0, 68, BROADCAST, 67, new byte[100]));
            assertThat(nat.nic.poll(Packet::isUdp, Duration.ofMillis(200))).isNull();
            assertThat(nat.stats().droppedMalformed()).isEqualTo(2);
            assertThat(nat.stats().droppedTruncated()).isEqualTo(1);
        }
    }
}
