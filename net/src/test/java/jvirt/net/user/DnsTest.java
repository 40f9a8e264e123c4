package jvirt.net.user;

import static jvirt.net.user.Frames.DNS;
import static jvirt.net.user.Frames.GUEST;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import jvirt.net.user.wire.UdpDatagram;
import org.junit.jupiter.api.Test;

class DnsTest {
    /** A query for example.com A with the given ID. */
    static byte[] query(int id) {
        ByteBuffer q = ByteBuffer.allocate(29);
        q.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putInt(0);
        q.put(new byte[] {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0}).putShort((short) 1).putShort((short) 1);
        return q.array();
    }

    /** An upstream that answers with the query, QR set, and one A record appended. */
    static byte[] answer(byte[] query) {
        ByteBuffer a = ByteBuffer.allocate(query.length + 16);
        a.put(query).putShort(2, (short) 0x8180).putShort(6, (short) 1);
        a.putShort((short) 0xC00C).putShort((short) 1).putShort((short) 1).putInt(300).putShort((short) 4).put(new byte[] {93, (byte) 184, (byte) 215, 14});
        return a.array();
    }


    @Test
    void queriesReachTheUpstreamAndAnswersComeBackUnderTheGuestsId() throws Exception {
        try (UdpEndpoint upstream = new UdpEndpoint("127.0.0.1", DnsTest::answer);
             Nat nat = new Nat("dns-upstream=127.0.0.1:" + upstream.port())) {
            for (int id : new int[] {0xBEEF, 0x0001, 0xBEEF}) {
                nat.send(Frames.udp(GUEST, 40000, DNS, 53, query(id)));
                Packet reply = nat.nic.await(Packet::isUdp);
                UdpDatagram udp = reply.udp();
                assertThat(reply.ip().source).isEqualTo(DNS);
                assertThat(udp.sourcePort).isEqualTo(53);
                assertThat(udp.destinationPort).isEqualTo(40000);
                byte[] payload = reply.udpPayload();
                assertThat(ByteBuffer.wrap(payload).getShort() & 0xFFFF).isEqualTo(id);
                byte[] upstreamSaw = upstream.last.getData();
                assertThat(ByteBuffer.wrap(payload, 2, payload.length - 2)).isEqualTo(ByteBuffer.wrap(answer(upstreamSaw), 2, payload.length - 2));
            }
            assertThat(nat.stats().dnsQueries()).isEqualTo(3);
            assertThat(nat.stats().dnsAnswers()).isEqualTo(3);
        }
    }

    @Test
    void aRepeatedQueryGoesToTheNextUpstream() throws Exception {
        try (UdpEndpoint dead = new UdpEndpoint("127.0.0.1", q -> null);
             UdpEndpoint alive = new UdpEndpoint("127.0.0.1", DnsTest::answer);
             Nat nat = new Nat("dns-upstream=127.0.0.1:" + dead.port() + ",dns-upstream=127.0.0.1:" + alive.port())) {
            nat.send(Frames.udp(GUEST, 40001, DNS, 53, query(77)));
            assertThat(nat.nic.poll(Packet::isUdp, Duration.ofMillis(200))).isNull();
            nat.send(Frames.udp(GUEST, 40001, DNS, 53, query(77)));
            Packet reply = nat.nic.await(Packet::isUdp);
            assertThat(ByteBuffer.wrap(reply.udpPayload()).getShort()).isEqualTo((short) 77);
            assertThat(dead.last).isNotNull();
        }
    }

    @Test
    void unansweredQueriesExpireAndAreBounded() throws Exception {
        try (UdpEndpoint dead = new UdpEndpoint("127.0.0.1", q -> null);
             Nat nat = new Nat("dns-upstream=127.0.0.1:" + dead.port(), TestLimits.of("dnsQueries", 4, "dnsTimeout", 300), new TestNic())) {
            for (int i = 0; i < 6; i++) {
                nat.send(Frames.udp(GUEST, 41000 + i, DNS, 53, query(i)));
            }
            assertThat(nat.stats().dnsDropped()).isEqualTo(2);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (nat.stats().dnsTimeouts() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(nat.stats().dnsTimeouts()).isEqualTo(4);
            // Room again after the expiry.
            nat.send(Frames.udp(GUEST, 42000, DNS, 53, query(9)));
            assertThat(nat.stats().dnsDropped()).isEqualTo(2);
        }
    }

    @Test
    void restrictBlocksDnsAndOtherPortsOfTheDnsAddressAreUnreachable() throws Exception {
        try (UdpEndpoint upstream = new UdpEndpoint("127.0.0.1", DnsTest::answer);
             Nat nat = new Nat("restrict=on,dns-upstream=127.0.0.1:" + upstream.port())) {
            nat.send(Frames.udp(GUEST, 40000, DNS, 53, query(1)));
            assertThat(nat.nic.poll(Packet::isUdp, Duration.ofMillis(200))).isNull();
            assertThat(nat.stats().droppedRestricted()).isEqualTo(1);
            assertThat(upstream.last).isNull();
            nat.send(Frames.udp(GUEST, 40000, DNS, 54, query(1)));
            Packet icmp = nat.nic.await(Packet::isIcmp);
            assertThat(icmp.icmp().type).isEqualTo(3);
            assertThat(icmp.icmp().code).isEqualTo(3);
        }
    }
}
