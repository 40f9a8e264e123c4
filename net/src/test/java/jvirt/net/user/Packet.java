package jvirt.net.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import jvirt.net.user.wire.ArpPacket;
import jvirt.net.user.wire.EthernetFrame;
import jvirt.net.user.wire.IcmpMessage;
import jvirt.net.user.wire.InternetChecksum;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.TcpSegment;
import jvirt.net.user.wire.UdpDatagram;

/** A frame the NAT sent the guest, decoded with the NAT's own codecs; the checks assert as they decode. */
record Packet(ByteBuffer frame, int checksumStart, int checksumOffset, int segmentSize) {
    static final int IP = EthernetFrame.HEADER_LENGTH;

    int type() {
        return EthernetFrame.type(frame, 0);
    }

    long destinationMac() {
        return EthernetFrame.destination(frame, 0);
    }

    long sourceMac() {
        return EthernetFrame.source(frame, 0);
    }

    boolean isArp() {
        return type() == EthernetFrame.TYPE_ARP;
    }

    boolean isIp(int protocol) {
        return type() == EthernetFrame.TYPE_IPV4 && (frame.get(IP + 9) & 0xFF) == protocol;
    }

    boolean isUdp() {
        return isIp(Ipv4Header.PROTOCOL_UDP);
    }

    boolean isTcp() {
        return isIp(Ipv4Header.PROTOCOL_TCP);
    }

    boolean isIcmp() {
        return isIp(Ipv4Header.PROTOCOL_ICMP);
    }

    ArpPacket arp() {
        ArpPacket arp = new ArpPacket();
        assertThat(arp.decode(frame, IP, frame.limit() - IP)).isNull();
        return arp;
    }

    /** The IPv4 header, checked: intact, a whole datagram unless {@code fragmentsAllowed}. */
    Ipv4Header ip() {
        Ipv4Header ip = new Ipv4Header();
        var defect = ip.decode(frame, IP, frame.limit() - IP);
        assertThat(defect).isIn(null, jvirt.net.user.wire.Defect.FRAGMENT);
        assertThat(ip.totalLength).isEqualTo(frame.limit() - IP);
        return ip;
    }

    int transport() {
        return IP + ip().headerLength;
    }

    UdpDatagram udp() {
        Ipv4Header ip = ip();
        UdpDatagram udp = new UdpDatagram();
        assertThat(checksumStart).isEqualTo(-1);
        assertThat(udp.decode(frame, IP + ip.headerLength, ip.payloadLength(), ip.source, ip.destination, true)).isNull();
        assertThat(frame.getShort(IP + ip.headerLength + 6)).isNotZero();
        return udp;
    }

    byte[] udpPayload() {
        UdpDatagram udp = udp();
        return bytes(udp.payloadOffset, udp.payloadLength);
    }

    IcmpMessage icmp() {
        Ipv4Header ip = ip();
        IcmpMessage icmp = new IcmpMessage();
        assertThat(icmp.decode(frame, IP + ip.headerLength, ip.payloadLength())).isNull();
        return icmp;
    }

    /** The TCP segment, its checksum checked whole or, for an offloaded frame, as the pseudo-header sum Linux expects. */
    TcpSegment tcp() {
        Ipv4Header ip = ip();
        int at = IP + ip.headerLength;
        int length = ip.payloadLength();
        TcpSegment tcp = new TcpSegment();
        if (checksumStart < 0) {
            assertThat(tcp.decode(frame, at, length, ip.source, ip.destination, true)).isNull();
        } else {
            assertThat(checksumStart).isEqualTo(at);
            assertThat(checksumOffset).isEqualTo(TcpSegment.CHECKSUM_FIELD);
            assertThat(tcp.decode(frame, at, length, ip.source, ip.destination, false)).isNull();
            int pseudo = InternetChecksum.fold(InternetChecksum.pseudoHeader(ip.source, ip.destination, Ipv4Header.PROTOCOL_TCP, length));
            assertThat(frame.getShort(at + TcpSegment.CHECKSUM_FIELD) & 0xFFFF).isEqualTo(pseudo);
        }
        return tcp;
    }

    byte[] tcpPayload() {
        TcpSegment tcp = tcp();
        return bytes(tcp.payloadOffset, tcp.payloadLength);
    }

    byte[] bytes(int offset, int length) {
        byte[] b = new byte[length];
        frame.get(offset, b);
        return b;
    }

    @Override
    public String toString() {
        if (type() == EthernetFrame.TYPE_IPV4 && frame.limit() >= IP + 20) {
            int proto = frame.get(IP + 9) & 0xFF;
            String s = "IPv4 " + Ipv4Header.toString(frame.getInt(IP + 12)) + " > " + Ipv4Header.toString(frame.getInt(IP + 16)) + " proto " + proto;
            if (proto == Ipv4Header.PROTOCOL_TCP) {
                int t = IP + (frame.get(IP) & 0xF) * 4;
                s += " ports " + (frame.getShort(t) & 0xFFFF) + ">" + (frame.getShort(t + 2) & 0xFFFF) + " flags 0x" + Integer.toHexString(frame.get(t + 13) & 0xFF);
            } else if (proto == Ipv4Header.PROTOCOL_UDP) {
                int t = IP + (frame.get(IP) & 0xF) * 4;
                s += " ports " + (frame.getShort(t) & 0xFFFF) + ">" + (frame.getShort(t + 2) & 0xFFFF);
            }
            return s + " (" + frame.limit() + " bytes)";
        }
        return "EtherType 0x" + Integer.toHexString(type()) + " (" + frame.limit() + " bytes)";
    }
}
