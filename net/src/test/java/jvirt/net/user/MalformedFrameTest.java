package jvirt.net.user;

import static jvirt.net.user.Frames.GATEWAY;
import static jvirt.net.user.Frames.GUEST;
import static jvirt.net.user.Frames.IP;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.function.ToLongFunction;
import jvirt.net.user.wire.EthernetFrame;
import jvirt.net.user.wire.Ipv4Header;
import org.junit.jupiter.api.Test;

/** Each kind of broken frame is dropped, counted under its reason, and answered with nothing. */
class MalformedFrameTest {
    private static void dropped(ByteBuffer frame, ToLongFunction<NatStats> counter) throws Exception {
        try (Nat nat = new Nat("")) {
            nat.send(frame);
            NatStats s = nat.stats();
            assertThat(counter.applyAsLong(s)).as("the counter of this drop").isEqualTo(1);
            assertThat(s.dropped()).as("drops in all").isEqualTo(1);
            assertThat(s.internalErrors()).isZero();
            assertThat(nat.nic.drain()).isEmpty();
        }
    }

    private static ByteBuffer ping() {
        return Frames.echoRequest(GATEWAY, 1, 1, new byte[32]);
    }

    @Test
    void runtFrames() throws Exception {
        dropped(ByteBuffer.allocate(10), NatStats::droppedTruncated);
        dropped(ByteBuffer.wrap(new byte[0]), NatStats::droppedTruncated);
        // An IPv4 EtherType with only 10 bytes of header after it.
        dropped(ping().limit(IP + 10).slice(), NatStats::droppedTruncated);
    }

    @Test
    void oversizedFrames() throws Exception {
        ByteBuffer huge = ByteBuffer.allocate(70_000);
        huge.put(0, ping().array());
        dropped(huge, NatStats::droppedOversized);
    }

    @Test
    void badIpv4Headers() throws Exception {
        dropped(Frames.fixIpChecksum(ping().put(IP, (byte) 0x44)), NatStats::droppedMalformed);
        dropped(Frames.fixIpChecksum(ping().put(IP, (byte) 0x65)), NatStats::droppedMalformed);
        dropped(Frames.fixIpChecksum(ping().put(IP, (byte) 0x4F)), NatStats::droppedTruncated);
        ByteBuffer longer = ping();
        longer.putShort(IP + 2, (short) (longer.limit() - IP + 1));
        dropped(Frames.fixIpChecksum(longer), NatStats::droppedTruncated);
        ByteBuffer shorter = ping();
        shorter.putShort(IP + 2, (short) 19);
        dropped(Frames.fixIpChecksum(shorter), NatStats::droppedMalformed);
        ByteBuffer checksum = ping();
        checksum.putShort(IP + 10, (short) (checksum.getShort(IP + 10) + 1));
        dropped(checksum, NatStats::droppedBadChecksum);
    }

    @Test
    void fragmentsAreNotReassembled() throws Exception {
        dropped(Frames.fixIpChecksum(ping().putShort(IP + 6, (short) Ipv4Header.MORE_FRAGMENTS)), NatStats::droppedFragments);
        dropped(Frames.fixIpChecksum(ping().putShort(IP + 6, (short) 185)), NatStats::droppedFragments);
    }

    @Test
    void badTransportChecksums() throws Exception {
        ByteBuffer udp = Frames.udp(GUEST, 1000, GATEWAY, 2000, new byte[] {1, 2, 3});
        udp.put(Frames.TRANSPORT + 8, (byte) 9);
        dropped(udp, NatStats::droppedBadChecksum);
        ByteBuffer icmp = ping();
        icmp.put(Frames.TRANSPORT + 9, (byte) 9);
        dropped(icmp, NatStats::droppedBadChecksum);
        ByteBuffer truncatedUdp = Frames.udp(GUEST, 1000, GATEWAY, 2000, new byte[] {1, 2, 3});
        truncatedUdp.putShort(Frames.TRANSPORT + 4, (short) 200);
        dropped(truncatedUdp, NatStats::droppedTruncated);
    }

    @Test
    void otherProtocolsAndAddresses() throws Exception {
        ByteBuffer ipv6 = ping();
        ipv6.putShort(12, (short) EthernetFrame.TYPE_IPV6);
        dropped(ipv6, NatStats::droppedIpv6);
        ByteBuffer vlan = ping();
        vlan.putShort(12, (short) 0x8100);
        dropped(vlan, NatStats::droppedUnsupported);
        dropped(Frames.fixIpChecksum(ping().put(IP + 9, (byte) 47)), NatStats::droppedUnsupported);
        ByteBuffer elsewhere = ping();
        elsewhere.putShort(0, (short) 0x5254).putInt(2, 0x00AABBCC);
        dropped(elsewhere, NatStats::droppedMisaddressed);
        ByteBuffer spoofed = ping();
        spoofed.putInt(IP + 12, Frames.DNS);
        dropped(Frames.fixIpChecksum(spoofed), NatStats::droppedMisaddressed);
        ByteBuffer arp = Frames.arpRequest(GUEST, GATEWAY);
        arp.putShort(IP + 2, (short) 0x86DD);
        dropped(arp, NatStats::droppedMalformed);
        dropped(Frames.arpRequest(GUEST, GATEWAY).limit(IP + 20).slice(), NatStats::droppedTruncated);
    }
}
