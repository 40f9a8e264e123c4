/**
 * UDP through the NAT: {@link jvirt.net.user.udp.UdpNat} gives each guest socket (address and
 * port) a {@link jvirt.net.user.udp.UdpFlow}, one non-blocking host socket that sends wherever the
 * guest sends and relays back what comes from the hosts it sent to; idle flows close, their number
 * is bounded. {@link jvirt.net.user.udp.UdpForward} is a forwarded host port ({@code hostfwd=udp:}).
 */
package jvirt.net.user.udp;
