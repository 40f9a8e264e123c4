/** virtio-blk: a {@link jvirt.image.BlockDevice} offered to the guest as {@code /dev/vdX}. */
package jvirt.virtio.blk;
