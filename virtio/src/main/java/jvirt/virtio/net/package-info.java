/** virtio-net: the NIC between a guest's driver and a {@link jvirt.net.NetBackend}. */
package jvirt.virtio.net;
