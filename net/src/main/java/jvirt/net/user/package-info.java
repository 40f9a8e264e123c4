/**
 * The user-mode NAT, slirp's model in pure Java: the guest gets a private network
 * ({@link jvirt.net.user.NatConfig}, QEMU's {@code -netdev user} options) whose gateway terminates
 * its TCP connections and UDP flows and carries them over ordinary host sockets, with DHCP, a DNS
 * forwarder and forwarded host ports; {@link jvirt.net.user.UserNetwork} is the
 * {@link jvirt.net.NetBackend}, {@link jvirt.net.user.NatStats} its counters. One selector thread
 * serves every host socket. Sub-packages: {@code wire} (the packet formats), {@code stack} (the
 * event loop, the link to the NIC, ARP and IPv4 output), {@code dhcp}, {@code dns}, {@code udp} and
 * {@code tcp}.
 */
package jvirt.net.user;
