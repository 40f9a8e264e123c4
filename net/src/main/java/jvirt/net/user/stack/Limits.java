package jvirt.net.user.stack;

/**
 * The bounds that keep a hostile guest from exhausting the host, and the NAT's timeouts
 * (milliseconds). {@link #DEFAULTS} are slirp's spirit with explicit caps; tests shorten the clocks.
 *
 * @param tcpConnections     TCP connections at once, handshaking or established
 * @param tcpConnecting      of those, host connects in progress
 * @param tcpTimeWait        closed connections remembered in TIME_WAIT (they hold no socket)
 * @param tcpBuffer          bytes buffered per connection and direction
 * @param tcpBufferBudget    bytes of TCP buffers for all connections together
 * @param udpFlows           UDP flows (host sockets) at once
 * @param dnsQueries         DNS queries awaiting an upstream answer
 * @param pendingFrames      frames queued for the NIC (or waiting for ARP)
 * @param pendingBytes       their bytes
 * @param tcpConnectTimeout  how long a host connect may take
 * @param tcpSynRetries      SYN or SYN-ACK retransmissions toward the guest before giving up
 * @param tcpDataRetries     data retransmissions toward the guest before giving up
 * @param tcpTimeWaitTime    how long TIME_WAIT lasts
 * @param udpIdle            idle time after which a UDP flow closes
 * @param udpDnsIdle         the same for a flow that last spoke to port 53
 * @param dnsTimeout         how long a forwarded DNS query is waited for
 */
public record Limits(int tcpConnections, int tcpConnecting, int tcpTimeWait, int tcpBuffer, long tcpBufferBudget,
                     int udpFlows, int dnsQueries, int pendingFrames, int pendingBytes,
                     long tcpConnectTimeout, int tcpSynRetries, int tcpDataRetries, long tcpTimeWaitTime,
                     long udpIdle, long udpDnsIdle, long dnsTimeout) {
    public static final Limits DEFAULTS = new Limits(1024, 128, 1024, 512 * 1024, 64L << 20,
            256, 256, 1024, 8 << 20,
            20_000, 5, 12, 2_000,
            60_000, 10_000, 5_000);

    public Limits {
        if (tcpConnections < 1 || tcpConnecting < 1 || tcpTimeWait < 1 || udpFlows < 1 || dnsQueries < 1 || pendingFrames < 16) {
            throw new IllegalArgumentException("every NAT limit must allow at least one of its kind");
        }
        if (tcpBuffer < 16 * 1024 || Integer.bitCount(tcpBuffer) != 1 || pendingBytes < 256 * 1024) {
            throw new IllegalArgumentException("the NAT's TCP buffer must be a power of two of at least 16 KiB, its frame queue at least 256 KiB");
        }
    }
}
