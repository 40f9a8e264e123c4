/**
 * The wire formats the user-mode NAT speaks with the guest, each a small class named after its
 * RFC: {@link jvirt.net.user.wire.EthernetFrame}, {@link jvirt.net.user.wire.ArpPacket} (RFC 826),
 * {@link jvirt.net.user.wire.Ipv4Header} (RFC 791), {@link jvirt.net.user.wire.IcmpMessage} (RFC 792),
 * {@link jvirt.net.user.wire.UdpDatagram} (RFC 768), {@link jvirt.net.user.wire.TcpSegment} (RFC 9293,
 * with the options of RFC 7323) and {@link jvirt.net.user.wire.InternetChecksum} (RFC 1071).
 * Decoders are reusable objects filled from a buffer at an offset, with every field checked against
 * the bytes actually there; a bad packet comes back as a {@link jvirt.net.user.wire.Defect}, never an
 * exception. Nothing here allocates per packet.
 */
package jvirt.net.user.wire;
