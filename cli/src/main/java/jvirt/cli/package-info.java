/**
 * The {@code jvirt} command (picocli): {@code run} boots a machine in the foreground with QEMU's
 * flag spellings (disks, {@code --net user,hostfwd=…}), {@code img} is qemu-img's engine,
 * {@code image} manages guest images, {@code cloud-init seed} writes a checked NoCloud seed. Also the host side of the console: stdio in
 * raw mode with QEMU's Ctrl-A escapes.
 */
package jvirt.cli;
