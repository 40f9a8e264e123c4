package jvirt.net.user;

import jvirt.net.user.stack.Counter;
import jvirt.net.user.stack.Counters;

/**
 * A snapshot of the user-mode network's counters. Frames the NAT drops are counted by reason:
 * {@code truncated} (shorter than their headers say), {@code malformed} (a field out of range),
 * {@code badChecksum}, {@code oversized} (a frame past 64 KiB), {@code unsupported} (an EtherType
 * or protocol the NAT does not carry, ICMP other than echo to its own addresses), {@code fragments}
 * (IPv4 fragments: never reassembled), {@code ipv6}, {@code misaddressed} (for another MAC, or from
 * or to an address the guest cannot use), {@code restricted} (blocked by {@code restrict=on}) and
 * {@code toGuest} (frames for the guest lost to a full queue or an address that never answered ARP).
 * {@code tcpConnectionsActive} (handshaking or open), {@code tcpTimeWait} and {@code udpFlowsActive} are gauges.
 */
public record NatStats(long framesFromGuest, long bytesFromGuest, long framesToGuest, long bytesToGuest,
                       long droppedTruncated, long droppedMalformed, long droppedBadChecksum, long droppedOversized,
                       long droppedUnsupported, long droppedFragments, long droppedIpv6, long droppedMisaddressed,
                       long droppedRestricted, long droppedToGuest,
                       long arpReplies, long arpRequests, long icmpEchoReplies, long icmpErrors,
                       long dhcpOffers, long dhcpAcks, long dhcpNaks,
                       long dnsQueries, long dnsAnswers, long dnsTimeouts, long dnsDropped,
                       long udpFlowsOpened, long udpFlowsActive, long udpFlowsExpired, long udpDropped,
                       long tcpConnectionsOpened, long tcpConnectionsActive, long tcpTimeWait, long tcpRefusedByLimit, long tcpConnectFailed,
                       long tcpResetsSent, long tcpResetsReceived, long tcpRetransmits, long tcpFastRetransmits, long tcpTimeouts,
                       long hostForwardsAccepted, long internalErrors) {
    static NatStats of(Counters c) {
        return new NatStats(c.get(Counter.FRAMES_FROM_GUEST), c.get(Counter.BYTES_FROM_GUEST), c.get(Counter.FRAMES_TO_GUEST), c.get(Counter.BYTES_TO_GUEST),
                c.get(Counter.DROPPED_TRUNCATED), c.get(Counter.DROPPED_MALFORMED), c.get(Counter.DROPPED_BAD_CHECKSUM), c.get(Counter.DROPPED_OVERSIZED),
                c.get(Counter.DROPPED_UNSUPPORTED), c.get(Counter.DROPPED_FRAGMENT), c.get(Counter.DROPPED_IPV6), c.get(Counter.DROPPED_MISADDRESSED),
                c.get(Counter.DROPPED_RESTRICTED), c.get(Counter.DROPPED_TO_GUEST),
                c.get(Counter.ARP_REPLIES), c.get(Counter.ARP_REQUESTS), c.get(Counter.ICMP_ECHO_REPLIES), c.get(Counter.ICMP_ERRORS),
                c.get(Counter.DHCP_OFFERS), c.get(Counter.DHCP_ACKS), c.get(Counter.DHCP_NAKS),
                c.get(Counter.DNS_QUERIES), c.get(Counter.DNS_ANSWERS), c.get(Counter.DNS_TIMEOUTS), c.get(Counter.DNS_DROPPED),
                c.get(Counter.UDP_FLOWS_OPENED), c.get(Counter.UDP_FLOWS_ACTIVE), c.get(Counter.UDP_FLOWS_EXPIRED), c.get(Counter.UDP_DROPPED),
                c.get(Counter.TCP_CONNECTIONS_OPENED), c.get(Counter.TCP_CONNECTIONS_ACTIVE), c.get(Counter.TCP_TIME_WAIT), c.get(Counter.TCP_REFUSED_BY_LIMIT), c.get(Counter.TCP_CONNECT_FAILED),
                c.get(Counter.TCP_RESETS_SENT), c.get(Counter.TCP_RESETS_RECEIVED), c.get(Counter.TCP_RETRANSMITS), c.get(Counter.TCP_FAST_RETRANSMITS),
                c.get(Counter.TCP_TIMEOUTS), c.get(Counter.HOST_FORWARDS_ACCEPTED), c.get(Counter.INTERNAL_ERRORS));
    }

    /** Frames from the guest dropped for any reason. */
    public long dropped() {
        return droppedTruncated + droppedMalformed + droppedBadChecksum + droppedOversized + droppedUnsupported
                + droppedFragments + droppedIpv6 + droppedMisaddressed + droppedRestricted;
    }
}
