/**
 * What a user hands the board to boot, checked before anything runs: firmware as an ELF or a flat
 * binary, a RISC-V Linux {@code Image}, an initramfs. Malformed files are refused with a one-line
 * {@link jvirt.virt.boot.BootException}.
 */
package jvirt.virt.boot;
