package jvirt.net.user.stack;

import java.nio.ByteBuffer;
import jvirt.net.user.wire.EthernetFrame;
import jvirt.net.user.wire.IcmpMessage;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.UdpDatagram;

/**
 * IPv4 toward the guest: headers, the destination MAC (broadcast, or from the {@link ArpTable}),
 * and fragmentation of datagrams over the 1500-byte MTU (a DNS answer may be larger; TCP never
 * needs it, its segments are sized to fit or sent as offloaded large frames).
 */
public final class IpOutput {
    public static final int IP_OFFSET = EthernetFrame.HEADER_LENGTH;
    public static final int TRANSPORT_OFFSET = IP_OFFSET + Ipv4Header.MIN_LENGTH;
    public static final int MTU = 1500;
    /**
     * The MTU the guest's interface is given, as passt does: the NAT terminates TCP and UDP, so a
     * packet of any size up to 64 KiB costs it no more than a small one, while the guest, whose CPU
     * is emulated, sends fewer and larger segments (Nagle gathers small writes into one per ACK).
     * What the NAT sends the guest stays within {@link #MTU}, but for TCP with segmentation offload.
     */
    public static final int GUEST_MTU = 65520;
    /** The largest UDP payload one IPv4 datagram can carry. */
    public static final int MAX_UDP_PAYLOAD = Ipv4Header.MAX_TOTAL_LENGTH - Ipv4Header.MIN_LENGTH - UdpDatagram.HEADER_LENGTH;
    /** Payload bytes per fragment: what fits the MTU, in the 8-byte units of the offset field. */
    private static final int FRAGMENT_PAYLOAD = (MTU - Ipv4Header.MIN_LENGTH) & ~7;
    private final NetStack stack;
    private final ByteBuffer scratch = ByteBuffer.allocate(Ipv4Header.MAX_TOTAL_LENGTH);
    private int identification;

    IpOutput(NetStack stack) {
        this.stack = stack;
    }

    /** A frame with room for {@code transportLength} bytes at {@link #TRANSPORT_OFFSET}, or null (counted). */
    public OutFrame allocate(int transportLength) {
        return stack.link.allocate(TRANSPORT_OFFSET + transportLength);
    }

    /** Writes the IPv4 header of a frame whose transport bytes are in place and sends it to {@code destination}. */
    public void send(OutFrame frame, int protocol, int source, int destination, int transportLength, int flagsAndOffset) {
        send(frame, protocol, source, destination, transportLength, flagsAndOffset, identification++, -1);
    }

    /**
     * Sends a UDP datagram, fragmented if it is over the MTU; {@code mac} is where to send it, or -1
     * to resolve the destination address (as DHCP needs before the guest has its address).
     */
    public void sendUdp(int source, int sourcePort, int destination, int destinationPort, ByteBuffer payload, int offset, int length, long mac) {
        if (length > MAX_UDP_PAYLOAD) {
            stack.counters.add(Counter.UDP_DROPPED);
            return;
        }
        scratch.put(UdpDatagram.HEADER_LENGTH, payload, offset, length);
        UdpDatagram.write(scratch, 0, sourcePort, destinationPort, length, source, destination);
        sendDatagram(Ipv4Header.PROTOCOL_UDP, source, destination, scratch, UdpDatagram.HEADER_LENGTH + length, mac);
    }

    /**
     * Sends ICMP destination unreachable ({@code code}) from {@code from} about the guest's datagram
     * whose header, decoded as {@code ip}, is at {@code ipOffset} in {@code frame}.
     */
    public void sendUnreachable(int code, int from, ByteBuffer frame, int ipOffset, Ipv4Header ip) {
        int quoted = Math.min(ip.totalLength, ip.headerLength + IcmpMessage.QUOTED_PAYLOAD);
        int length = IcmpMessage.HEADER_LENGTH + quoted;
        OutFrame reply = allocate(length);
        if (reply == null) {
            return;
        }
        ByteBuffer b = reply.buffer;
        b.putInt(TRANSPORT_OFFSET + 4, 0);
        b.put(TRANSPORT_OFFSET + IcmpMessage.HEADER_LENGTH, frame, ipOffset, quoted);
        IcmpMessage.finish(b, TRANSPORT_OFFSET, length, IcmpMessage.DESTINATION_UNREACHABLE, code);
        send(reply, Ipv4Header.PROTOCOL_ICMP, from, ip.source, length, 0);
        stack.counters.add(Counter.ICMP_ERRORS);
    }

    /** Answers the guest's echo request, the ICMP message {@code [offset, offset + length)} of {@code request}. */
    public void sendEchoReply(ByteBuffer request, int offset, int length, int source, int destination) {
        scratch.put(0, request, offset, length);
        IcmpMessage.finish(scratch, 0, length, IcmpMessage.ECHO_REPLY, 0);
        sendDatagram(Ipv4Header.PROTOCOL_ICMP, source, destination, scratch, length, -1);
        stack.counters.add(Counter.ICMP_ECHO_REPLIES);
    }

    /** Sends the {@code length} bytes of {@code data} from 0 as one IPv4 datagram's payload, fragmented if need be. */
    public void sendDatagram(int protocol, int source, int destination, ByteBuffer data, int length, long mac) {
        int id = identification++;
        int chunk = length <= MTU - Ipv4Header.MIN_LENGTH ? length : FRAGMENT_PAYLOAD;
        for (int at = 0; at < length; at += chunk) {
            int n = Math.min(chunk, length - at);
            OutFrame frame = allocate(n);
            if (frame == null) {
                return;
            }
            frame.buffer.put(TRANSPORT_OFFSET, data, at, n);
            int more = at + n < length ? Ipv4Header.MORE_FRAGMENTS : 0;
            send(frame, protocol, source, destination, n, more | at / 8, id, mac);
        }
    }

    private void send(OutFrame frame, int protocol, int source, int destination, int transportLength, int flagsAndOffset, int id, long mac) {
        Ipv4Header.write(frame.buffer, IP_OFFSET, Ipv4Header.MIN_LENGTH + transportLength, id, flagsAndOffset, protocol, source, destination);
        if (mac < 0) {
            mac = destination == -1 || destination == stack.network.broadcast() ? EthernetFrame.BROADCAST : stack.arp.lookup(destination);
            if (mac < 0) {
                stack.arp.await(frame, destination);
                return;
            }
        }
        EthernetFrame.write(frame.buffer, 0, mac, stack.mac, EthernetFrame.TYPE_IPV4);
        stack.link.submit(frame);
    }
}
