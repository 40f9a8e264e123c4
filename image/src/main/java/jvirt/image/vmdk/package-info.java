/**
 * VMware's VMDK images (QEMU's {@code vmdk}): text descriptors ({@link jvirt.image.vmdk.VmdkDescriptor}),
 * hosted sparse extents ({@link jvirt.image.vmdk.SparseExtentHeader},
 * {@link jvirt.image.vmdk.GrainDirectory}, {@link jvirt.image.vmdk.GrainTable}), stream-optimized
 * extents and their writer ({@link jvirt.image.vmdk.StreamWriter}), flat and zero extents, and the
 * disk they make up ({@link jvirt.image.vmdk.VmdkImage}): monolithicSparse, monolithicFlat,
 * twoGbMaxExtentSparse, twoGbMaxExtentFlat and streamOptimized, read and written. Differencing
 * images (parentFileNameHint), COWD, seSparse and raw-device extents are refused.
 */
package jvirt.image.vmdk;
