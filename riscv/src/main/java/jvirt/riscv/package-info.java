/**
 * The RV64GC hart: RV64IMAFDC with Zicsr, Zifencei, Zicntr/Zihpm and Zba/Zbb/Zbc/Zbs, privileged
 * architecture 1.12 with M, S and U modes, Sv39/Sv48/Sv57 paging with hardware A/D updates, PMP and
 * Sstc.
 *
 * <p>Execution: {@link jvirt.riscv.Decoder} turns guest code into {@link jvirt.riscv.Block}s of
 * pre-decoded instructions (one {@code long} each, see {@link jvirt.riscv.Op}), cached by physical
 * address and dropped when their page is written; {@link jvirt.riscv.Hart} runs them, checking
 * interrupts between blocks. Memory accesses go through per-privilege, per-access-type TLBs
 * ({@link jvirt.riscv.Mmu}) straight into guest RAM.
 */
package jvirt.riscv;
