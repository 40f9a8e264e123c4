/**
 * VirtualBox's VDI images (QEMU's {@code vdi}): the header ({@link jvirt.image.vdi.VdiHeader}),
 * the block map ({@link jvirt.image.vdi.BlockMap}) and the disk they describe
 * ({@link jvirt.image.vdi.VdiImage}), dynamic and static, read and written. Differencing and undo
 * images are refused.
 */
package jvirt.image.vdi;
