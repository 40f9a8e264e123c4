/**
 * Virtual PC / Hyper-V VHD images (QEMU's {@code vpc}): the footer ({@link jvirt.image.vhd.VhdFooter}),
 * a dynamic disk's header ({@link jvirt.image.vhd.DynamicDiskHeader}) and block allocation table
 * ({@link jvirt.image.vhd.BlockAllocationTable}), and the disk ({@link jvirt.image.vhd.VhdImage}),
 * fixed and dynamic, read and written, with QEMU's reckoning of the disk size (geometry or
 * {@code current_size}, by creator). Differencing disks are refused.
 */
package jvirt.image.vhd;
