/**
 * Hyper-V's VHDX images (QEMU's {@code vhdx}): the headers ({@link jvirt.image.vhdx.VhdxHeader}),
 * region table ({@link jvirt.image.vhdx.VhdxRegionTable}), metadata ({@link jvirt.image.vhdx.VhdxMetadata}),
 * block allocation table ({@link jvirt.image.vhdx.BlockAllocationTable}), the metadata log and its
 * replay ({@link jvirt.image.vhdx.VhdxLog}), and the disk ({@link jvirt.image.vhdx.VhdxImage}),
 * dynamic and fixed, read and written. Differencing images are refused.
 */
package jvirt.image.vhdx;
