/**
 * virtio 1.x: the MMIO transport ({@link jvirt.virtio.MmioTransport}), split virtqueues whose
 * every descriptor is checked before use ({@link jvirt.virtio.Virtqueue},
 * {@link jvirt.virtio.DescriptorChain}), and the device contract ({@link jvirt.virtio.VirtioDevice}).
 * One sub-package per device type: {@code blk}, {@code console}, {@code net}, {@code rng}. A driver that breaks
 * the protocol puts its device in DEVICE_NEEDS_RESET; it never reaches memory outside RAM.
 */
package jvirt.virtio;
