/**
 * The guest's initramfs: the cpio "newc" format the kernel unpacks into its first root file system
 * ({@link jvirt.guest.initramfs.NewcWriter}), and its contents, a merged-/usr root with busybox,
 * programs from Debian packages and a fixed {@code /init} that mounts the kernel's file systems,
 * prints the boot marker, loads modules, starts the guest agent (the {@code jvirt-agent} resource) on
 * its virtio-console port and a shell on the console
 * ({@link jvirt.guest.initramfs.BusyboxInitramfs}).
 */
package jvirt.guest.initramfs;
