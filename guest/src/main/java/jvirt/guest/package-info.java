/**
 * Guest images for jvirt machines: {@link jvirt.guest.GuestImages} pulls a named image
 * ({@code debian-13-riscv64}: a Debian kernel, OpenSBI and a busybox initramfs with Debian's
 * mkfs.ext4 and fsck.ext4, built from Debian packages; {@code debian-13-riscv64-cloud}: a whole
 * Debian system on a qcow2 disk, see {@link jvirt.guest.cloud}) into the local cache and finds cached ones,
 * as {@link jvirt.guest.GuestImage}s; {@link jvirt.guest.Progress} lets a front end show the
 * downloads. The cache layout, its locking and atomic updates are {@code ImageCache}'s; what goes
 * into the image is {@code DebianRecipe}'s.
 */
package jvirt.guest;
