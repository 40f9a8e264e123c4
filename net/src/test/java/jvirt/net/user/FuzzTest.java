package jvirt.net.user;

import static jvirt.net.user.Frames.DNS;
import static jvirt.net.user.Frames.GATEWAY;
import static jvirt.net.user.Frames.GUEST;
import static jvirt.net.user.Frames.IP;
import static jvirt.net.user.Frames.TRANSPORT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import jvirt.net.user.wire.EthernetFrame;
import jvirt.net.user.wire.InternetChecksum;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.TcpSegment;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random and mutated frames (seeded): none may throw, hang or break the network.
 * Mutations often repair the IPv4 and transport checksums so that the damage reaches the
 * protocols behind them. Frames are kept to the guest's own connections and to loopback peers:
 * a fuzzed address never makes the host connect anywhere.
 */
class FuzzTest {
    private static final long SEED = 0x5EED_CAFEL;

    private static ByteBuffer template(SplittableRandom r) {
        byte[] junk = new byte[r.nextInt(0, 600)];
        r.nextBytes(junk);
        return switch (r.nextInt(8)) {
            case 0 -> Frames.arpRequest(GUEST, r.nextBoolean() ? GATEWAY : r.nextInt());
            case 1 -> Frames.echoRequest(r.nextBoolean() ? GATEWAY : DNS, r.nextInt(), r.nextInt(), junk);
            case 2 -> Frames.udp(EthernetFrame.BROADCAST, 0, 68, -1, 67, dhcpLike(r, junk));
            case 3 -> Frames.udp(GUEST, r.nextInt(1, 65536), DNS, 53, junk);
            case 4 -> Frames.udp(GUEST, r.nextInt(1, 65536), GATEWAY, r.nextInt(1, 65536), junk);
            case 5 -> Frames.tcp(GUEST, r.nextInt(1, 65536), GATEWAY, r.nextInt(1, 65536), r.nextInt(), r.nextInt(), r.nextInt(256), r.nextInt(65536),
                    new byte[0], junk, 0, junk.length);
            case 6 -> ByteBuffer.wrap(junk);
            default -> {
                ByteBuffer b = ByteBuffer.allocate(14 + junk.length);
                EthernetFrame.write(b, 0, r.nextBoolean() ? Frames.NAT_MAC : r.nextLong() & 0xFFFF_FFFF_FFFFL, Frames.GUEST_MAC, r.nextInt(65536));
                b.put(14, junk);
                yield b;
            }
        };
    }

    private static byte[] dhcpLike(SplittableRandom r, byte[] junk) {
        byte[] m = new byte[240 + junk.length];
        ByteBuffer b = ByteBuffer.wrap(m);
        b.put(0, (byte) 1).put(1, (byte) 1).put(2, (byte) 6).putInt(236, 0x63825363);
        b.putShort(28, (short) 0x5254).putInt(30, r.nextInt());
        System.arraycopy(junk, 0, m, 240, junk.length);
        if (junk.length >= 3 && r.nextBoolean()) {
            m[240] = 53;
            m[241] = 1;
            m[242] = (byte) r.nextInt(1, 9);
        }
        return m;
    }

    /** Damages a frame in one of several ways; often repairs its checksums afterwards. */
    static ByteBuffer mutate(ByteBuffer frame, SplittableRandom r) {
        byte[] b = Arrays.copyOf(frame.array(), frame.limit());
        switch (r.nextInt(5)) {
            case 0 -> {
                for (int i = r.nextInt(1, 9); i > 0 && b.length > 0; i--) {
                    b[r.nextInt(b.length)] ^= (byte) r.nextInt(1, 256);
                }
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
            case 2 -> {
                int at = b.length;
                b = Arrays.copyOf(b, b.length + r.nextInt(1, 2000));
                for (int i = at; i < b.length; i++) {
                    b[i] = (byte) r.nextInt();
                }
            }
            case 3 -> {
                if (b.length > IP + 20) {
                    b[IP + r.nextInt(20)] = (byte) r.nextInt();
                }
            }
            default -> {
                if (b.length > TRANSPORT + 20) {
                    b[TRANSPORT + r.nextInt(Math.min(60, b.length - TRANSPORT))] = (byte) r.nextInt();
                }
            }
        }
        ByteBuffer m = ByteBuffer.wrap(b);
        if (r.nextInt(3) > 0) {
            repair(m);
        }
        return m;
    }

    /** Recomputes the IPv4 header and transport checksums where the frame is whole enough to have them. */
    static void repair(ByteBuffer b) {
        if (b.limit() < IP + 20 || EthernetFrame.type(b, 0) != EthernetFrame.TYPE_IPV4) {
            return;
        }
        int ihl = (b.get(IP) & 0xF) * 4;
        if (ihl < 20 || IP + ihl > b.limit()) {
            return;
        }
        Frames.fixIpChecksum(b);
        int total = b.getShort(IP + 2) & 0xFFFF;
        int length = Math.min(total, b.limit() - IP) - ihl;
        int at = IP + ihl;
        int protocol = b.get(IP + 9) & 0xFF;
        int field = protocol == Ipv4Header.PROTOCOL_TCP ? 16 : protocol == Ipv4Header.PROTOCOL_UDP ? 6 : protocol == Ipv4Header.PROTOCOL_ICMP ? 2 : -1;
        if (field < 0 || length < field + 2) {
            return;
        }
        if (protocol == Ipv4Header.PROTOCOL_ICMP) {
            b.putShort(at + 2, (short) 0);
            b.putShort(at + 2, (short) InternetChecksum.finish(InternetChecksum.add(0, b, at, at + length)));
        } else {
            InternetChecksum.fillTransport(b, at, length, protocol, b.getInt(IP + 12), b.getInt(IP + 16), field);
        }
    }

    @Test
    void randomAndMutatedFramesOfEveryKind() throws Exception {
        SplittableRandom r = new SplittableRandom(SEED);
        int sent = 0;
        try (Nat nat = new Nat("restrict=on,hostname=fuzz")) {
            for (int i = 0; i < 4000; i++) {
                ByteBuffer frame = i % 4 == 0 ? template(r) : mutate(template(r), r);
                if (r.nextInt(50) == 0) {
                    frame = ByteBuffer.allocate(r.nextInt(1, 70_000));
                }
                if (r.nextBoolean()) {
                    nat.sendPartial(frame);
                } else {
                    nat.send(frame);
                }
                sent++;
                if (i % 500 == 0) {
                    nat.nic.drain();
                }
            }
            NatStats s = nat.stats();
            assertThat(s.framesFromGuest()).isEqualTo(sent);
            assertThat(s.internalErrors()).isZero();
            assertThat(s.dropped()).isPositive();
            stillWorks(nat);
        }
    }

    @Test
    void mutatedSegmentsOfLiveConnections() throws Exception {
        SplittableRandom r = new SplittableRandom(SEED + 1);
        try (AcceptingServer echo = new AcceptingServer(true);
             UdpEndpoint udpEcho = new UdpEndpoint("127.0.0.1", b -> b);
             UdpEndpoint dns = new UdpEndpoint("127.0.0.1", b -> {
                 byte[] junk = new byte[new SplittableRandom(b.length).nextInt(0, 1500)];
                 new SplittableRandom(b.length * 31L).nextBytes(junk);
                 if (junk.length > 12 && b.length > 2) {
                     junk[0] = b[0];
                     junk[1] = b[1];
                     junk[2] |= (byte) 0x80;
                 }
                 return junk;
             });
             Nat nat = new Nat("dns-upstream=127.0.0.1:" + dns.port(), TestLimits.of("tcpTimeWaitTime", 50), new TestNic(r.nextBoolean(), r.nextBoolean()))) {
            int port = 50_000;
            GuestTcp guest = connect(nat, port, echo.port());
            for (int i = 0; i < 3000; i++) {
                if (guest.resetReceived || guest.finReceived) {
                    guest = connect(nat, ++port, echo.port());
                }
                // Pick up where the NAT is, as a guest that retransmits would, so that resets can land.
                guest.sndNxt = guest.peerAck;
                guest.sndUna = guest.peerAck;
                ByteBuffer frame = switch (r.nextInt(6)) {
                    case 0 -> Frames.udp(GUEST, 7000 + r.nextInt(4), GATEWAY, udpEcho.port(), junk(r, 3000));
                    case 1 -> Frames.udp(GUEST, 7100 + r.nextInt(4), DNS, 53, junk(r, 600));
                    default -> segment(guest, r);
                };
                if (r.nextInt(4) == 0) {
                    frame = mutate(frame, r);
                }
                if (r.nextBoolean()) {
                    nat.sendPartial(frame);
                } else {
                    nat.send(frame);
                }
                guest.drainWaiting();
                if (i % 200 == 0) {
                    nat.nic.drain();
                }
            }
            assertThat(nat.stats().internalErrors()).isZero();
            assertThat(port).as("connections the fuzzing ended").isGreaterThan(50_000);
            stillWorks(nat);
        }
    }

    private static GuestTcp connect(Nat nat, int port, int serverPort) {
        GuestTcp g = new GuestTcp(nat, port, GATEWAY, serverPort);
        g.connect();
        return g;
    }

    private static byte[] junk(SplittableRandom r, int max) {
        byte[] b = new byte[r.nextInt(max)];
        r.nextBytes(b);
        return b;
    }

    /** A segment of {@code guest}'s connection with random flags, numbers near the right ones, options and data. */
    private static ByteBuffer segment(GuestTcp guest, SplittableRandom r) {
        int seq = switch (r.nextInt(4)) {
            case 0 -> r.nextInt();
            case 1 -> guest.sndNxt + r.nextInt(-70_000, 70_000);
            default -> guest.sndNxt;
        };
        int ack = r.nextInt(3) == 0 ? r.nextInt() : guest.rcvNxt + r.nextInt(-3000, 3000);
        int flags = r.nextInt(4) == 0 ? r.nextInt(256) : TcpSegment.ACK | (r.nextInt(8) == 0 ? TcpSegment.FIN : 0) | (r.nextInt(40) == 0 ? TcpSegment.RST : 0)
                | (r.nextInt(40) == 0 ? TcpSegment.SYN : 0) | (r.nextBoolean() ? TcpSegment.PSH : 0);
        byte[] options = new byte[r.nextInt(4) == 0 ? 4 * r.nextInt(1, 11) : 0];
        r.nextBytes(options);
        byte[] payload = junk(r, r.nextInt(10) == 0 ? 65_000 : 3000);
        ByteBuffer frame = Frames.tcp(GUEST, guest.port, GATEWAY, guest.remotePort, seq, ack, flags, r.nextInt(65536), options, payload, 0, payload.length);
        if (seq == guest.sndNxt && (flags & (TcpSegment.SYN | TcpSegment.RST)) == 0 && r.nextBoolean()) {
            guest.sndNxt += payload.length; // often a well-formed next segment, so data flows and windows move
        }
        return frame;
    }

    /** ARP, ICMP and a TCP round trip work after the barrage. */
    private static void stillWorks(Nat nat) throws Exception {
        nat.nic.drain();
        nat.send(Frames.arpRequest(GUEST, GATEWAY));
        assertThat(nat.nic.await(Packet::isArp).arp().senderIp).isEqualTo(GATEWAY);
        nat.send(Frames.echoRequest(GATEWAY, 1, 2, new byte[8]));
        nat.nic.await(Packet::isIcmp);
        try (HostPeer<byte[]> echo = new HostPeer<>(s -> {
                 byte[] b = s.getInputStream().readNBytes(10_000);
                 s.getOutputStream().write(b);
                 return b;
             });
             Nat open = new Nat("")) {
            GuestTcp guest = new GuestTcp(open, 9000, GATEWAY, echo.port());
            guest.connect();
            byte[] data = TcpTest.random(10_000, 30);
            guest.write(data);
            assertThat(guest.read(data.length)).isEqualTo(data);
        }
    }
}
