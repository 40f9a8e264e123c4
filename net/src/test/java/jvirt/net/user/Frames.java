package jvirt.net.user;

import java.nio.ByteBuffer;
import jvirt.net.user.wire.ArpPacket;
import jvirt.net.user.wire.EthernetFrame;
import jvirt.net.user.wire.IcmpMessage;
import jvirt.net.user.wire.InternetChecksum;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.TcpSegment;
import jvirt.net.user.wire.UdpDatagram;

/** Frames as a guest sends them, built with the NAT's own codecs. */
final class Frames {
    static final long NAT_MAC = 0x5255_0A00_0202L;
    static final long GUEST_MAC = TestNic.MAC.bits();
    static final int GUEST = ip("10.0.2.15");
    static final int GATEWAY = ip("10.0.2.2");
    static final int DNS = ip("10.0.2.3");
    static final int IP = EthernetFrame.HEADER_LENGTH;
    static final int TRANSPORT = IP + Ipv4Header.MIN_LENGTH;

    private Frames() {
    }

    static int ip(String dotted) {
        return Ipv4Address.parseOrNull(dotted).bits();
    }

    static ByteBuffer arpRequest(int sender, int target) {
        ByteBuffer b = ByteBuffer.allocate(IP + ArpPacket.LENGTH);
        EthernetFrame.write(b, 0, EthernetFrame.BROADCAST, GUEST_MAC, EthernetFrame.TYPE_ARP);
        ArpPacket.write(b, IP, ArpPacket.REQUEST, GUEST_MAC, sender, 0, target);
        return b;
    }

    /** The guest's answer to the NAT's ARP request for {@code address}. */
    static ByteBuffer arpReply(int address) {
        ByteBuffer b = ByteBuffer.allocate(IP + ArpPacket.LENGTH);
        EthernetFrame.write(b, 0, NAT_MAC, GUEST_MAC, EthernetFrame.TYPE_ARP);
        ArpPacket.write(b, IP, ArpPacket.REPLY, GUEST_MAC, address, NAT_MAC, GATEWAY);
        return b;
    }

    /** An IPv4 frame to the NAT's MAC with {@code transportLength} bytes of transport to fill at {@link #TRANSPORT}. */
    static ByteBuffer ipv4(long destinationMac, int protocol, int source, int destination, int transportLength) {
        ByteBuffer b = ByteBuffer.allocate(TRANSPORT + transportLength);
        EthernetFrame.write(b, 0, destinationMac, GUEST_MAC, EthernetFrame.TYPE_IPV4);
        Ipv4Header.write(b, IP, Ipv4Header.MIN_LENGTH + transportLength, 1, Ipv4Header.DONT_FRAGMENT, protocol, source, destination);
        return b;
    }

    static ByteBuffer udp(int source, int sourcePort, int destination, int destinationPort, byte[] payload) {
        return udp(NAT_MAC, source, sourcePort, destination, destinationPort, payload);
    }

    static ByteBuffer udp(long destinationMac, int source, int sourcePort, int destination, int destinationPort, byte[] payload) {
        ByteBuffer b = ipv4(destinationMac, Ipv4Header.PROTOCOL_UDP, source, destination, UdpDatagram.HEADER_LENGTH + payload.length);
        b.put(TRANSPORT + UdpDatagram.HEADER_LENGTH, payload);
        UdpDatagram.write(b, TRANSPORT, sourcePort, destinationPort, payload.length, source, destination);
        return b;
    }

    static ByteBuffer echoRequest(int destination, int id, int sequence, byte[] data) {
        int length = IcmpMessage.HEADER_LENGTH + data.length;
        ByteBuffer b = ipv4(NAT_MAC, Ipv4Header.PROTOCOL_ICMP, GUEST, destination, length);
        b.putShort(TRANSPORT + 4, (short) id).putShort(TRANSPORT + 6, (short) sequence);
        b.put(TRANSPORT + IcmpMessage.HEADER_LENGTH, data);
        IcmpMessage.finish(b, TRANSPORT, length, IcmpMessage.ECHO_REQUEST, 0);
        return b;
    }

    /** A TCP segment; {@code options} (a multiple of 4 bytes) follow the header. */
    static ByteBuffer tcp(int source, int sourcePort, int destination, int destinationPort, int seq, int ack, int flags, int window,
                          byte[] options, byte[] payload, int payloadOffset, int payloadLength) {
        int length = TcpSegment.HEADER_LENGTH + options.length + payloadLength;
        ByteBuffer b = ipv4(NAT_MAC, Ipv4Header.PROTOCOL_TCP, source, destination, length);
        TcpSegment.write(b, TRANSPORT, sourcePort, destinationPort, seq, ack, flags, window, options.length);
        b.put(TRANSPORT + TcpSegment.HEADER_LENGTH, options);
        b.put(TRANSPORT + TcpSegment.HEADER_LENGTH + options.length, payload, payloadOffset, payloadLength);
        InternetChecksum.fillTransport(b, TRANSPORT, length, Ipv4Header.PROTOCOL_TCP, source, destination, TcpSegment.CHECKSUM_FIELD);
        return b;
    }

    /** Rewrites the IPv4 header checksum after a test changed the header. */
    static ByteBuffer fixIpChecksum(ByteBuffer b) {
        int ihl = (b.get(IP) & 0xF) * 4;
        b.putShort(IP + 10, (short) 0);
        b.putShort(IP + 10, (short) InternetChecksum.finish(InternetChecksum.add(0, b, IP, IP + ihl)));
        return b;
    }
}
