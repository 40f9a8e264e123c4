package jvirt.net.user;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jvirt.net.user.dhcp.DhcpMessage;
import jvirt.net.user.dhcp.DhcpServer;
import jvirt.net.user.dns.DnsForwarder;
import jvirt.net.user.dns.DnsMessage;
import jvirt.net.user.stack.Counter;
import jvirt.net.user.stack.GuestNetwork;
import jvirt.net.user.stack.NetStack;
import jvirt.net.user.tcp.TcpNat;
import jvirt.net.user.udp.UdpNat;
import jvirt.net.user.wire.ArpPacket;
import jvirt.net.user.wire.Defect;
import jvirt.net.user.wire.EthernetFrame;
import jvirt.net.user.wire.IcmpMessage;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.TcpSegment;
import jvirt.net.user.wire.UdpDatagram;

/**
 * A frame from the guest, checked layer by layer and handed to the protocol it is for: ARP, ICMP
 * echo to the NAT, DHCP, DNS, UDP, TCP. Whatever fails a check is counted and dropped. Runs under the
 * stack lock; its decoders are reused frame after frame.
 */
final class FrameInput {
    private static final int MAX_FRAME = EthernetFrame.HEADER_LENGTH + Ipv4Header.MAX_TOTAL_LENGTH;
    private final NetStack stack;
    private final GuestNetwork network;
    private final boolean restrict;
    private final DhcpServer dhcp;
    private final DnsForwarder dns;
    private final UdpNat udp;
    private final TcpNat tcp;
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Header ip = new Ipv4Header();
    private final IcmpMessage icmp = new IcmpMessage();
    private final UdpDatagram udpHeader = new UdpDatagram();
    private final TcpSegment segment = new TcpSegment();

    FrameInput(NetStack stack, boolean restrict, DhcpServer dhcp, DnsForwarder dns, UdpNat udp, TcpNat tcp) {
        this.stack = stack;
        this.network = stack.network;
        this.restrict = restrict;
        this.dhcp = dhcp;
        this.dns = dns;
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Handles one frame between the buffer's position and limit. */
    void frame(ByteBuffer frame, boolean checksumPartial) {
        ByteOrder order = frame.order();
        frame.order(ByteOrder.BIG_ENDIAN);
        try {
            ethernet(frame, frame.position(), frame.remaining(), checksumPartial);
        } finally {
            frame.order(order);
        }
    }

    private void ethernet(ByteBuffer frame, int offset, int length, boolean checksumPartial) {
        stack.counters.add(Counter.FRAMES_FROM_GUEST);
        stack.counters.add(Counter.BYTES_FROM_GUEST, length);
        if (length < EthernetFrame.HEADER_LENGTH) {
            stack.counters.add(Counter.DROPPED_TRUNCATED);
            return;
        }
        if (length > MAX_FRAME) {
            stack.counters.add(Counter.DROPPED_OVERSIZED);
            return;
        }
        int type = EthernetFrame.type(frame, offset);
        if (type == EthernetFrame.TYPE_IPV6) {
            stack.counters.add(Counter.DROPPED_IPV6);
            return;
        }
        long destination = EthernetFrame.destination(frame, offset);
        long source = EthernetFrame.source(frame, offset);
        if (destination != stack.mac && destination != EthernetFrame.BROADCAST || EthernetFrame.isGroup(source)) {
            stack.counters.add(Counter.DROPPED_MISADDRESSED);
            return;
        }
        int payload = offset + EthernetFrame.HEADER_LENGTH;
        int available = length - EthernetFrame.HEADER_LENGTH;
        switch (type) {
            case EthernetFrame.TYPE_ARP -> {
                Defect defect = arp.decode(frame, payload, available);
                if (defect != null) {
                    stack.drop(defect);
                } else {
                    stack.arp.input(arp, source);
                }
            }
            case EthernetFrame.TYPE_IPV4 -> ipv4(frame, payload, available, source, checksumPartial);
            default -> stack.counters.add(Counter.DROPPED_UNSUPPORTED);
        }
    }

    private void ipv4(ByteBuffer frame, int offset, int available, long sourceMac, boolean checksumPartial) {
        Defect defect = ip.decode(frame, offset, available);
        if (defect != null) {
            stack.drop(defect);
            return;
        }
        int payload = ip.payloadOffset(offset);
        int length = ip.payloadLength();
        if (network.isGuestAddress(ip.source)) {
            stack.arp.learn(ip.source, sourceMac);
        } else if (ip.source != 0 || ip.protocol != Ipv4Header.PROTOCOL_UDP) {
            // Only a DHCP client may speak before it has an address.
            stack.counters.add(Counter.DROPPED_MISADDRESSED);
            return;
        }
        switch (ip.protocol) {
            case Ipv4Header.PROTOCOL_ICMP -> icmp(frame, payload, length);
            case Ipv4Header.PROTOCOL_UDP -> udp(frame, offset, payload, length, checksumPartial);
            case Ipv4Header.PROTOCOL_TCP -> tcp(frame, payload, length, checksumPartial);
            default -> stack.counters.add(Counter.DROPPED_UNSUPPORTED);
        }
    }

    private void tcp(ByteBuffer frame, int offset, int length, boolean checksumPartial) {
        Defect defect = segment.decode(frame, offset, length, ip.source, ip.destination, !checksumPartial);
        if (defect != null) {
            stack.drop(defect);
        } else if (ip.source == 0) {
            stack.counters.add(Counter.DROPPED_MISADDRESSED);
        } else {
            tcp.input(frame, ip, segment);
        }
    }

    private void icmp(ByteBuffer frame, int offset, int length) {
        Defect defect = icmp.decode(frame, offset, length);
        if (defect != null) {
            stack.drop(defect);
        } else if (icmp.type == IcmpMessage.ECHO_REQUEST && network.isNat(ip.destination)) {
            stack.ip.sendEchoReply(frame, offset, length, ip.destination, ip.source);
        } else {
            // Java has no unprivileged ICMP sockets: echo beyond the NAT, and the rest, go nowhere.
            stack.counters.add(Counter.DROPPED_UNSUPPORTED);
        }
    }

    private void udp(ByteBuffer frame, int ipOffset, int offset, int length, boolean checksumPartial) {
        Defect defect = udpHeader.decode(frame, offset, length, ip.source, ip.destination, !checksumPartial);
        if (defect != null) {
            stack.drop(defect);
            return;
        }
        int destination = ip.destination;
        int port = udpHeader.destinationPort;
        if (port == DhcpMessage.SERVER_PORT && (destination == -1 || destination == network.broadcast() || destination == network.gateway())) {
            dhcp.input(frame, udpHeader.payloadOffset, udpHeader.payloadLength);
        } else if (ip.source == 0) {
            stack.counters.add(Counter.DROPPED_MISADDRESSED);
        } else if (destination == network.dns()) {
            if (port != DnsMessage.PORT) {
                stack.ip.sendUnreachable(IcmpMessage.CODE_PORT_UNREACHABLE, destination, frame, ipOffset, ip);
            } else if (restrict) {
                stack.counters.add(Counter.DROPPED_RESTRICTED);
            } else {
                dns.query(frame, udpHeader.payloadOffset, udpHeader.payloadLength, ip.source, udpHeader.sourcePort);
            }
        } else if (destination != network.gateway() && network.contains(destination)) {
            if (network.isGuestAddress(destination)) {
                stack.ip.sendUnreachable(IcmpMessage.CODE_HOST_UNREACHABLE, network.gateway(), frame, ipOffset, ip);
            } else {
                stack.counters.add(Counter.DROPPED_MISADDRESSED);
            }
        } else if (destination != network.gateway() && !GuestNetwork.isRoutable(destination)) {
            stack.counters.add(Counter.DROPPED_MISADDRESSED);
        } else {
            udp.input(frame, ip, udpHeader);
        }
    }
}
