/**
 * Networks a virtual NIC plugs into. {@link jvirt.net.NetBackend} is the one interface between a
 * NIC (virtio-net) and a network; {@link jvirt.net.GuestPort} is the NIC seen from the network.
 * Frames cross it as whole Ethernet frames with their offload metadata, never as device
 * structures. Sub-packages hold the backends: {@code jvirt.net.user}, the user-mode NAT.
 */
package jvirt.net;
