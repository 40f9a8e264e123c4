/**
 * The NAT's DHCP server (RFC 2131, options of RFC 2132): {@link jvirt.net.user.dhcp.DhcpMessage}
 * reads and writes BOOTP messages, {@link jvirt.net.user.dhcp.DhcpServer} keeps slirp's 16 leases
 * keyed by the client's hardware address and answers DISCOVER, REQUEST (selecting, init-reboot,
 * renewing, rebinding), DECLINE, RELEASE and INFORM the way Busybox {@code udhcpc} and ISC
 * {@code dhclient} expect.
 */
package jvirt.net.user.dhcp;
