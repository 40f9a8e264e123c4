package jvirt.riscv;

/**
 * Integer operations with more to them than one JVM instruction: division with RISC-V's rules for
 * zero and overflow, the high half of a signed×unsigned product, comparisons, and the
 * bit-manipulation extensions. One constant per operation, serving its register and immediate
 * forms: the interpreter dispatches through {@link #of}; translated code names the constant, so
 * the JIT inlines its body.
 */
enum Alu {
    DIV(Op.DIV) {
        @Override
        long apply(long a, long b) {
            return b == 0 ? -1 : a == Long.MIN_VALUE && b == -1 ? a : a / b;
        }
    },
    DIVU(Op.DIVU) {
        @Override
        long apply(long a, long b) {
            return b == 0 ? -1 : Long.divideUnsigned(a, b);
        }
    },
    REM(Op.REM) {
        @Override
        long apply(long a, long b) {
            return b == 0 ? a : a == Long.MIN_VALUE && b == -1 ? 0 : a % b;
        }
    },
    REMU(Op.REMU) {
        @Override
        long apply(long a, long b) {
            return b == 0 ? a : Long.remainderUnsigned(a, b);
        }
    },
    DIVW(Op.DIVW) {
        @Override
        long apply(long a, long b) {
            int p = (int) a;
            int q = (int) b;
            return q == 0 ? -1 : p == Integer.MIN_VALUE && q == -1 ? p : p / q;
        }
    },
    DIVUW(Op.DIVUW) {
        @Override
        long apply(long a, long b) {
            return (int) b == 0 ? -1 : Integer.divideUnsigned((int) a, (int) b);
        }
    },
    REMW(Op.REMW) {
        @Override
        long apply(long a, long b) {
            int p = (int) a;
            int q = (int) b;
            return q == 0 ? p : p == Integer.MIN_VALUE && q == -1 ? 0 : p % q;
        }
    },
    REMUW(Op.REMUW) {
        @Override
        long apply(long a, long b) {
            return (int) b == 0 ? (int) a : Integer.remainderUnsigned((int) a, (int) b);
        }
    },
    MULHSU(Op.MULHSU) {
        @Override
        long apply(long a, long b) {
            return Math.multiplyHigh(a, b) + (b < 0 ? a : 0);
        }
    },
    SLT(Op.SLT, Op.SLTI) {
        @Override
        long apply(long a, long b) {
            return a < b ? 1 : 0;
        }
    },
    SLTU(Op.SLTU, Op.SLTIU) {
        @Override
        long apply(long a, long b) {
            return Long.compareUnsigned(a, b) < 0 ? 1 : 0;
        }
    },
    SH1ADD(Op.SH1ADD) {
        @Override
        long apply(long a, long b) {
            return (a << 1) + b;
        }
    },
    SH2ADD(Op.SH2ADD) {
        @Override
        long apply(long a, long b) {
            return (a << 2) + b;
        }
    },
    SH3ADD(Op.SH3ADD) {
        @Override
        long apply(long a, long b) {
            return (a << 3) + b;
        }
    },
    ADD_UW(Op.ADD_UW) {
        @Override
        long apply(long a, long b) {
            return (a & 0xFFFFFFFFL) + b;
        }
    },
    SH1ADD_UW(Op.SH1ADD_UW) {
        @Override
        long apply(long a, long b) {
            return ((a & 0xFFFFFFFFL) << 1) + b;
        }
    },
    SH2ADD_UW(Op.SH2ADD_UW) {
        @Override
        long apply(long a, long b) {
            return ((a & 0xFFFFFFFFL) << 2) + b;
        }
    },
    SH3ADD_UW(Op.SH3ADD_UW) {
        @Override
        long apply(long a, long b) {
            return ((a & 0xFFFFFFFFL) << 3) + b;
        }
    },
    SLLI_UW(Op.SLLI_UW) {
        @Override
        long apply(long a, long b) {
            return (a & 0xFFFFFFFFL) << b;
        }
    },
    ANDN(Op.ANDN) {
        @Override
        long apply(long a, long b) {
            return a & ~b;
        }
    },
    ORN(Op.ORN) {
        @Override
        long apply(long a, long b) {
            return a | ~b;
        }
    },
    XNOR(Op.XNOR) {
        @Override
        long apply(long a, long b) {
            return ~(a ^ b);
        }
    },
    CLZ(Op.CLZ) {
        @Override
        long apply(long a, long b) {
            return Long.numberOfLeadingZeros(a);
        }
    },
    CLZW(Op.CLZW) {
        @Override
        long apply(long a, long b) {
            return Integer.numberOfLeadingZeros((int) a);
        }
    },
    CTZ(Op.CTZ) {
        @Override
        long apply(long a, long b) {
            return Long.numberOfTrailingZeros(a);
        }
    },
    CTZW(Op.CTZW) {
        @Override
        long apply(long a, long b) {
            return Integer.numberOfTrailingZeros((int) a);
        }
    },
    CPOP(Op.CPOP) {
        @Override
        long apply(long a, long b) {
            return Long.bitCount(a);
        }
    },
    CPOPW(Op.CPOPW) {
        @Override
        long apply(long a, long b) {
            return Integer.bitCount((int) a);
        }
    },
    MAX(Op.MAX) {
        @Override
        long apply(long a, long b) {
            return Math.max(a, b);
        }
    },
    MAXU(Op.MAXU) {
        @Override
        long apply(long a, long b) {
            return Long.compareUnsigned(a, b) >= 0 ? a : b;
        }
    },
    MIN(Op.MIN) {
        @Override
        long apply(long a, long b) {
            return Math.min(a, b);
        }
    },
    MINU(Op.MINU) {
        @Override
        long apply(long a, long b) {
            return Long.compareUnsigned(a, b) <= 0 ? a : b;
        }
    },
    SEXT_B(Op.SEXT_B) {
        @Override
        long apply(long a, long b) {
            return (byte) a;
        }
    },
    SEXT_H(Op.SEXT_H) {
        @Override
        long apply(long a, long b) {
            return (short) a;
        }
    },
    ZEXT_H(Op.ZEXT_H) {
        @Override
        long apply(long a, long b) {
            return a & 0xFFFF;
        }
    },
    ROL(Op.ROL) {
        @Override
        long apply(long a, long b) {
            return Long.rotateLeft(a, (int) b);
        }
    },
    ROLW(Op.ROLW) {
        @Override
        long apply(long a, long b) {
            return Integer.rotateLeft((int) a, (int) b);
        }
    },
    ROR(Op.ROR, Op.RORI) {
        @Override
        long apply(long a, long b) {
            return Long.rotateRight(a, (int) b);
        }
    },
    RORW(Op.RORW, Op.RORIW) {
        @Override
        long apply(long a, long b) {
            return Integer.rotateRight((int) a, (int) b);
        }
    },
    ORC_B(Op.ORC_B) {
        @Override
        long apply(long a, long b) {
            long r = 0;
            for (int i = 0; i < 64; i += 8) {
                if ((a >>> i & 0xFF) != 0) {
                    r |= 0xFFL << i;
                }
            }
            return r;
        }
    },
    REV8(Op.REV8) {
        @Override
        long apply(long a, long b) {
            return Long.reverseBytes(a);
        }
    },
    CLMUL(Op.CLMUL) {
        @Override
        long apply(long a, long b) {
            long r = 0;
            for (int i = 0; i < 64; i++) {
                if ((b >>> i & 1) != 0) {
                    r ^= a << i;
                }
            }
            return r;
        }
    },
    CLMULH(Op.CLMULH) {
        @Override
        long apply(long a, long b) {
            long r = 0;
            for (int i = 1; i < 64; i++) {
                if ((b >>> i & 1) != 0) {
                    r ^= a >>> (64 - i);
                }
            }
            return r;
        }
    },
    CLMULR(Op.CLMULR) {
        @Override
        long apply(long a, long b) {
            return CLMULH.apply(a, b) << 1 | CLMUL.apply(a, b) >>> 63;
        }
    },
    BCLR(Op.BCLR, Op.BCLRI) {
        @Override
        long apply(long a, long b) {
            return a & ~(1L << b);
        }
    },
    BEXT(Op.BEXT, Op.BEXTI) {
        @Override
        long apply(long a, long b) {
            return a >>> b & 1;
        }
    },
    BINV(Op.BINV, Op.BINVI) {
        @Override
        long apply(long a, long b) {
            return a ^ 1L << b;
        }
    },
    BSET(Op.BSET, Op.BSETI) {
        @Override
        long apply(long a, long b) {
            return a | 1L << b;
        }
    };

    private static final Alu[] BY_OP = new Alu[256];

    static {
        for (Alu alu : values()) {
            for (int op : alu.ops) {
                BY_OP[op] = alu;
            }
        }
    }

    private final int[] ops;

    Alu(int... ops) {
        this.ops = ops;
    }

    /** The result for operands {@code a} (rs1) and {@code b} (rs2, or the immediate; ignored by one-operand ops). */
    abstract long apply(long a, long b);

    /** The operation an op performs, or null if it is not one of these. */
    static Alu of(int op) {
        return BY_OP[op];
    }

    /** Whether an op takes its second operand from the immediate rather than rs2. */
    static boolean immediateForm(int op) {
        return switch (op) {
            case Op.SLTI, Op.SLTIU, Op.SLLI_UW, Op.RORI, Op.RORIW, Op.BCLRI, Op.BEXTI, Op.BINVI, Op.BSETI -> true;
            default -> false;
        };
    }
}
