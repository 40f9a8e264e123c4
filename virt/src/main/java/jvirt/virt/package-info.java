/**
 * The RISC-V {@code virt} board, compatible with QEMU's: {@link jvirt.virt.VirtBoard} wires RAM,
 * harts and devices at QEMU's addresses, describes them in a device tree and boots firmware,
 * kernel and initrd the way QEMU does ({@code fw_dynamic}).
 */
package jvirt.virt;
