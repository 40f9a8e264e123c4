package jvirt.riscv;

import static jvirt.riscv.FpOp.*;

import jvirt.riscv.fpu.Fpu;

/**
 * The F and D instructions other than loads and stores: NaN-boxing of single-precision values in
 * the 64-bit registers, the rounding-mode field (static or {@code frm}), and dispatch to
 * {@link Fpu}, whose flags are {@code fflags}.
 */
final class FloatingPoint {
    private static final int SIGN32 = 0x80000000;
    private static final long SIGN64 = 0x8000000000000000L;
    private static final int DYNAMIC = 7;

    private FloatingPoint() {
    }

    /** A single-precision operand: the low half when properly NaN-boxed, else the canonical NaN. */
    private static int unbox(long v) {
        return (v & Hart.NAN_BOX) == Hart.NAN_BOX ? (int) v : Fpu.CANONICAL_NAN32;
    }

    private static long box(int v) {
        return Hart.NAN_BOX | v & 0xFFFFFFFFL;
    }

    /** Whether the sub-operation's funct3 is a rounding mode (rather than a selector). */
    private static boolean rounds(int subop) {
        int base = subop >= DOUBLE && subop < FCVT_S_D ? subop - DOUBLE : subop;
        return !(base >= FSGNJ_S && base <= FMAX_S) && base != FMV_X_W && base != FCLASS_S
                && !(base >= FEQ_S && base <= FLE_S) && base != FMV_W_X;
    }

    static void execute(Hart h, long w) {
        h.requireFs();
        int subop = Op.fpSubop(w);
        int rm = Op.fpRm(w);
        if (rounds(subop) && rm == DYNAMIC) {
            rm = h.frm;
            if (rm > Fpu.RMM) {
                throw h.illegalInstruction();
            }
        }
        Fpu fpu = h.fpu;
        long[] f = h.f;
        long[] x = h.x;
        int rd = Op.rd(w);
        long a = f[Op.rs1(w)];
        long b = f[Op.rs2(w)];
        switch (subop) {
            case FADD_S -> f[rd] = box(fpu.add32(unbox(a), unbox(b), rm));
            case FSUB_S -> f[rd] = box(fpu.sub32(unbox(a), unbox(b), rm));
            case FMUL_S -> f[rd] = box(fpu.mul32(unbox(a), unbox(b), rm));
            case FDIV_S -> f[rd] = box(fpu.div32(unbox(a), unbox(b), rm));
            case FSQRT_S -> f[rd] = box(fpu.sqrt32(unbox(a), rm));
            case FSGNJ_S -> f[rd] = box(unbox(a) & ~SIGN32 | unbox(b) & SIGN32);
            case FSGNJN_S -> f[rd] = box(unbox(a) & ~SIGN32 | ~unbox(b) & SIGN32);
            case FSGNJX_S -> f[rd] = box(unbox(a) ^ unbox(b) & SIGN32);
            case FMIN_S -> f[rd] = box(fpu.min32(unbox(a), unbox(b)));
            case FMAX_S -> f[rd] = box(fpu.max32(unbox(a), unbox(b)));
            case FCVT_W_S -> x[rd] = fpu.cvtW32(unbox(a), rm);
            case FCVT_WU_S -> x[rd] = fpu.cvtWU32(unbox(a), rm);
            case FCVT_L_S -> x[rd] = fpu.cvtL32(unbox(a), rm);
            case FCVT_LU_S -> x[rd] = fpu.cvtLU32(unbox(a), rm);
            case FMV_X_W -> x[rd] = (int) a;
            case FCLASS_S -> x[rd] = Fpu.classify32(unbox(a));
            case FEQ_S -> x[rd] = fpu.eq32(unbox(a), unbox(b)) ? 1 : 0;
            case FLT_S -> x[rd] = fpu.lt32(unbox(a), unbox(b)) ? 1 : 0;
            case FLE_S -> x[rd] = fpu.le32(unbox(a), unbox(b)) ? 1 : 0;
            case FCVT_S_W -> f[rd] = box(fpu.cvt32FromW(x[Op.rs1(w)], rm));
            case FCVT_S_WU -> f[rd] = box(fpu.cvt32FromWU(x[Op.rs1(w)], rm));
            case FCVT_S_L -> f[rd] = box(fpu.cvt32FromL(x[Op.rs1(w)], rm));
            case FCVT_S_LU -> f[rd] = box(fpu.cvt32FromLU(x[Op.rs1(w)], rm));
            case FMV_W_X -> f[rd] = box((int) x[Op.rs1(w)]);
            case FMADD_S, FMSUB_S, FNMSUB_S, FNMADD_S -> {
                int c = unbox(f[Op.fpRs3(w)]);
                int negProduct = subop == FNMSUB_S || subop == FNMADD_S ? SIGN32 : 0;
                int negAddend = subop == FMSUB_S || subop == FNMADD_S ? SIGN32 : 0;
                f[rd] = box(fpu.fma32(unbox(a) ^ negProduct, unbox(b), c ^ negAddend, rm));
            }
            case FADD_D -> f[rd] = fpu.add64(a, b, rm);
            case FSUB_D -> f[rd] = fpu.sub64(a, b, rm);
            case FMUL_D -> f[rd] = fpu.mul64(a, b, rm);
            case FDIV_D -> f[rd] = fpu.div64(a, b, rm);
            case FSQRT_D -> f[rd] = fpu.sqrt64(a, rm);
            case FSGNJ_D -> f[rd] = a & ~SIGN64 | b & SIGN64;
            case FSGNJN_D -> f[rd] = a & ~SIGN64 | ~b & SIGN64;
            case FSGNJX_D -> f[rd] = a ^ b & SIGN64;
            case FMIN_D -> f[rd] = fpu.min64(a, b);
            case FMAX_D -> f[rd] = fpu.max64(a, b);
            case FCVT_W_D -> x[rd] = fpu.cvtW64(a, rm);
            case FCVT_WU_D -> x[rd] = fpu.cvtWU64(a, rm);
            case FCVT_L_D -> x[rd] = fpu.cvtL64(a, rm);
            case FCVT_LU_D -> x[rd] = fpu.cvtLU64(a, rm);
            case FMV_X_D -> x[rd] = a;
            case FCLASS_D -> x[rd] = Fpu.classify64(a);
            case FEQ_D -> x[rd] = fpu.eq64(a, b) ? 1 : 0;
            case FLT_D -> x[rd] = fpu.lt64(a, b) ? 1 : 0;
            case FLE_D -> x[rd] = fpu.le64(a, b) ? 1 : 0;
            case FCVT_D_W -> f[rd] = fpu.cvt64FromW(x[Op.rs1(w)], rm);
            case FCVT_D_WU -> f[rd] = fpu.cvt64FromWU(x[Op.rs1(w)], rm);
            case FCVT_D_L -> f[rd] = fpu.cvt64FromL(x[Op.rs1(w)], rm);
            case FCVT_D_LU -> f[rd] = fpu.cvt64FromLU(x[Op.rs1(w)], rm);
            case FMV_D_X -> f[rd] = x[Op.rs1(w)];
            case FMADD_D, FMSUB_D, FNMSUB_D, FNMADD_D -> {
                long c = f[Op.fpRs3(w)];
                long negProduct = subop == FNMSUB_D || subop == FNMADD_D ? SIGN64 : 0;
                long negAddend = subop == FMSUB_D || subop == FNMADD_D ? SIGN64 : 0;
                f[rd] = fpu.fma64(a ^ negProduct, b, c ^ negAddend, rm);
            }
            case FCVT_S_D -> f[rd] = box(fpu.cvt32From64(a, rm));
            case FCVT_D_S -> f[rd] = fpu.cvt64From32(unbox(a));
            default -> throw new IllegalStateException("no implementation for FP sub-op " + subop);
        }
        h.dirtyFs(); // conservatively: fflags may have changed even when only an integer register was written
    }
}
