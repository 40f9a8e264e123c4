/**
 * Differential testing of the hart against QEMU: seeded random RV64GC (+ Zba/Zbb/Zbc/Zbs) programs
 * ({@link jvirt.virt.diff.Generator}) are encoded straight to machine code
 * ({@link jvirt.virt.diff.InstructionFormats}, {@link jvirt.virt.diff.Rv64}), laid out many to a
 * flat binary ({@link jvirt.virt.diff.BatchImage}), run on {@code qemu-system-riscv64} and on jvirt
 * (its interpreter or its translator), and the registers, fcsr, a checksum of the memory they wrote,
 * a page table entry and the traps they took are compared program by program. Programs run in M, S
 * or U-mode, bare or under Sv39/Sv48/Sv57, with MPRV, SUM, MXR, TVM, TW, TSR, PMP and the FPU's
 * state varied. A difference is reduced to the instruction where the peers first part ways
 * ({@link jvirt.virt.diff.Minimizer}).
 *
 * <p>Where QEMU 7.2 departs from the RISC-V specification, the generator keeps out of the case (see
 * the comments at each exclusion) rather than teach jvirt QEMU's behaviour.
 */
package jvirt.virt.diff;
