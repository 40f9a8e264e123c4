package jvirt.net.user;

import static jvirt.net.user.Frames.DNS;
import static jvirt.net.user.Frames.GATEWAY;
import static jvirt.net.user.Frames.GUEST;
import static jvirt.net.user.Frames.GUEST_MAC;
import static jvirt.net.user.Frames.NAT_MAC;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import jvirt.net.user.wire.ArpPacket;
import jvirt.net.user.wire.IcmpMessage;
import jvirt.net.user.wire.Ipv4Header;
import org.junit.jupiter.api.Test;

class ArpIcmpTest {
    @Test
    void answersArpForTheGatewayAndTheDnsAddress() throws Exception {
        try (Nat nat = new Nat("")) {
            for (int target : new int[] {GATEWAY, DNS}) {
                nat.send(Frames.arpRequest(GUEST, target));
                Packet reply = nat.nic.await(Packet::isArp);
                assertThat(reply.destinationMac()).isEqualTo(GUEST_MAC);
                assertThat(reply.sourceMac()).isEqualTo(NAT_MAC);
                ArpPacket arp = reply.arp();
                assertThat(arp.operation).isEqualTo(ArpPacket.REPLY);
                assertThat(arp.senderMac).isEqualTo(NAT_MAC);
                assertThat(arp.senderIp).isEqualTo(target);
                assertThat(arp.targetMac).isEqualTo(GUEST_MAC);
                assertThat(arp.targetIp).isEqualTo(GUEST);
            }
            nat.send(Frames.arpRequest(GUEST, Frames.ip("10.0.2.99")));
            assertThat(nat.nic.poll(Packet::isArp, Duration.ofMillis(200))).isNull();
            assertThat(nat.stats().arpReplies()).isEqualTo(2);
        }
    }

    @Test
    void answersPingsToItsOwnAddressesOnly() throws Exception {
        try (Nat nat = new Nat("")) {
            byte[] data = "abcdefghijklmnopqrstuvwabcdefghi".getBytes();
            nat.send(Frames.echoRequest(GATEWAY, 0x1234, 7, data));
            Packet reply = nat.nic.await(Packet::isIcmp);
            Ipv4Header ip = reply.ip();
            assertThat(ip.source).isEqualTo(GATEWAY);
            assertThat(ip.destination).isEqualTo(GUEST);
            assertThat(reply.destinationMac()).isEqualTo(GUEST_MAC);
            IcmpMessage icmp = reply.icmp();
            assertThat(icmp.type).isEqualTo(IcmpMessage.ECHO_REPLY);
            int at = reply.transport();
            assertThat(reply.frame().getShort(at + 4)).isEqualTo((short) 0x1234);
            assertThat(reply.frame().getShort(at + 6)).isEqualTo((short) 7);
            assertThat(reply.bytes(at + 8, data.length)).isEqualTo(data);

            nat.send(Frames.echoRequest(DNS, 1, 1, data));
            assertThat(nat.nic.await(Packet::isIcmp).ip().source).isEqualTo(DNS);

            nat.send(Frames.echoRequest(Frames.ip("192.0.2.1"), 1, 1, data));
            assertThat(nat.nic.poll(Packet::isIcmp, Duration.ofMillis(200))).isNull();
            assertThat(nat.stats().icmpEchoReplies()).isEqualTo(2);
            assertThat(nat.stats().droppedUnsupported()).isEqualTo(1);
        }
    }
}
