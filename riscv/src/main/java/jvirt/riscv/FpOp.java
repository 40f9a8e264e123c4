package jvirt.riscv;

/** Sub-operations of {@link Op#FP}: one per F/D instruction other than loads and stores. */
final class FpOp {
    private FpOp() {
    }

    // Single precision.
    static final int FADD_S = 0;
    static final int FSUB_S = 1;
    static final int FMUL_S = 2;
    static final int FDIV_S = 3;
    static final int FSQRT_S = 4;
    static final int FSGNJ_S = 5;
    static final int FSGNJN_S = 6;
    static final int FSGNJX_S = 7;
    static final int FMIN_S = 8;
    static final int FMAX_S = 9;
    static final int FCVT_W_S = 10;
    static final int FCVT_WU_S = 11;
    static final int FCVT_L_S = 12;
    static final int FCVT_LU_S = 13;
    static final int FMV_X_W = 14;
    static final int FCLASS_S = 15;
    static final int FEQ_S = 16;
    static final int FLT_S = 17;
    static final int FLE_S = 18;
    static final int FCVT_S_W = 19;
    static final int FCVT_S_WU = 20;
    static final int FCVT_S_L = 21;
    static final int FCVT_S_LU = 22;
    static final int FMV_W_X = 23;
    static final int FMADD_S = 24;
    static final int FMSUB_S = 25;
    static final int FNMSUB_S = 26;
    static final int FNMADD_S = 27;

    // Double precision: the same order, offset by DOUBLE.
    static final int DOUBLE = 32;
    static final int FADD_D = DOUBLE + FADD_S;
    static final int FSUB_D = DOUBLE + FSUB_S;
    static final int FMUL_D = DOUBLE + FMUL_S;
    static final int FDIV_D = DOUBLE + FDIV_S;
    static final int FSQRT_D = DOUBLE + FSQRT_S;
    static final int FSGNJ_D = DOUBLE + FSGNJ_S;
    static final int FSGNJN_D = DOUBLE + FSGNJN_S;
    static final int FSGNJX_D = DOUBLE + FSGNJX_S;
    static final int FMIN_D = DOUBLE + FMIN_S;
    static final int FMAX_D = DOUBLE + FMAX_S;
    static final int FCVT_W_D = DOUBLE + FCVT_W_S;
    static final int FCVT_WU_D = DOUBLE + FCVT_WU_S;
    static final int FCVT_L_D = DOUBLE + FCVT_L_S;
    static final int FCVT_LU_D = DOUBLE + FCVT_LU_S;
    static final int FMV_X_D = DOUBLE + FMV_X_W;
    static final int FCLASS_D = DOUBLE + FCLASS_S;
    static final int FEQ_D = DOUBLE + FEQ_S;
    static final int FLT_D = DOUBLE + FLT_S;
    static final int FLE_D = DOUBLE + FLE_S;
    static final int FCVT_D_W = DOUBLE + FCVT_S_W;
    static final int FCVT_D_WU = DOUBLE + FCVT_S_WU;
    static final int FCVT_D_L = DOUBLE + FCVT_S_L;
    static final int FCVT_D_LU = DOUBLE + FCVT_S_LU;
    static final int FMV_D_X = DOUBLE + FMV_W_X;
    static final int FMADD_D = DOUBLE + FMADD_S;
    static final int FMSUB_D = DOUBLE + FMSUB_S;
    static final int FNMSUB_D = DOUBLE + FNMSUB_S;
    static final int FNMADD_D = DOUBLE + FNMADD_S;

    // Conversions between the formats.
    static final int FCVT_S_D = 64;
    static final int FCVT_D_S = 65;

    /** Whether the sub-operation writes an integer register (the rest write a float register). */
    static boolean writesInteger(int subop) {
        int base = subop >= DOUBLE && subop < FCVT_S_D ? subop - DOUBLE : subop;
        return base >= FCVT_W_S && base <= FLE_S;
    }

    /** Whether rs1 names an integer register. */
    static boolean readsInteger(int subop) {
        int base = subop >= DOUBLE && subop < FCVT_S_D ? subop - DOUBLE : subop;
        return base >= FCVT_S_W && base <= FMV_W_X;
    }
}
