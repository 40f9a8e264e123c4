/**
 * The NAT's DNS forwarder: queries the guest sends over UDP to the NAT's DNS address go to the
 * host's servers (or {@code dns-upstream}) from one host socket, under fresh random IDs, and the
 * answers come back under the guest's own. {@link jvirt.net.user.dns.DnsMessage} reads the little
 * of a DNS message this needs (RFC 1035 section 4.1).
 */
package jvirt.net.user.dns;
