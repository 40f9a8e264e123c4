/**
 * Programs from Debian packages for the guest's root: the packages' files and symbolic links laid
 * out as on a merged-/usr system ({@link jvirt.guest.rootfs.PackageTree}), and the part of them
 * some dynamically linked programs need, found through what each ELF file asks of the dynamic
 * loader ({@link jvirt.guest.rootfs.ElfDynamic}), as {@link jvirt.guest.rootfs.RootEntry}s.
 */
package jvirt.guest.rootfs;
