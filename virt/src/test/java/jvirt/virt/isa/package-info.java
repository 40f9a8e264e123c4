/**
 * The instruction-level suite: RISC-V assembly programs under {@code src/test/asm}, one per area
 * of the ISA, assembled with the cross binutils and run on jvirt (and on QEMU, to check the
 * programs themselves).
 */
package jvirt.virt.isa;
