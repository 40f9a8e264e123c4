/**
 * TCP through the NAT, terminated as slirp does: {@link jvirt.net.user.tcp.TcpNat} keeps the
 * connections, their limits and the forwarded host ports; each {@link jvirt.net.user.tcp.TcpConnection}
 * is a full TCP endpoint toward the guest (RFC 9293, window scaling of RFC 7323, RFC 6298
 * retransmission timing, NewReno fast retransmit and recovery of RFC 6582) spliced to one
 * non-blocking host socket, with a bounded {@link jvirt.net.user.tcp.ByteRing} each way whose memory
 * beyond a floor comes from one {@link jvirt.net.user.tcp.BufferBudget}.
 */
package jvirt.net.user.tcp;
