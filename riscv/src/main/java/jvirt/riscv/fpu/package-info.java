/**
 * IEEE 754 binary32 and binary64 arithmetic with the RISC-V F and D extensions' semantics, for
 * the hart's floating-point instructions: {@link jvirt.riscv.fpu.Fpu} computes every operation
 * on bit patterns, bit-exact, in all five rounding modes, and accrues the fflags exception flags.
 * Canonical NaN results, tininess detected after rounding, minimumNumber/maximumNumber for
 * fmin/fmax and the saturating float-to-integer conversions follow the RISC-V specification.
 * Register files, NaN-boxing, the fcsr and instruction decoding belong to the hart.
 */
package jvirt.riscv.fpu;
