package jvirt.virt.diff;

import static jvirt.virt.diff.BatchImage.BASE_S0;
import static jvirt.virt.diff.BatchImage.BASE_SP;
import static jvirt.virt.diff.BatchImage.DATA;
import static jvirt.virt.diff.BatchImage.DATA_SIZE;
import static jvirt.virt.diff.BatchImage.SP_VALUE;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import jvirt.virt.diff.Rv64.Kind;
import jvirt.virt.diff.TestProgram.Environment;

/**
 * Generates a {@link TestProgram} from a seed: an environment (privilege, translation, mstatus
 * bits), initial values biased toward edge cases and a body drawn from every instruction the hart
 * implements, compressed forms included.
 *
 * <p>Two registers are reserved: x8 and x2 hold bases of the scratch area (x2 for the stack-pointer
 * forms of C) and no generated instruction writes them, except c.addi16sp, which comes in pairs that
 * cancel. Memory accesses address the scratch area from one of them, except the deliberately wild
 * ones past the end of RAM. Control transfers only go forward, so every body ends. Instructions that
 * trap are only those whose trap both peers must agree on.
 *
 * <p>Where QEMU 7.2 departs from the specification the generator stays out of the way; each such
 * place says why: misaligned AMOs, AMOs on pages they may not write, SCs that could fault, misaligned
 * or AMO accesses past the end of RAM, jumps there under MPRV, odd values for sepc, ctzw of a
 * value whose low word is zero.
 */
final class Generator {
    private static final int[] WRITABLE;

    static {
        List<Integer> w = new ArrayList<>();
        for (int r = 1; r < 32; r++) {
            if (r != BASE_S0 && r != BASE_SP) {
                w.add(r);
            }
        }
        WRITABLE = w.stream().mapToInt(Integer::intValue).toArray();
    }

    private final SplittableRandom rnd;
    private Environment env;
    /** One program in four is mostly floating point, so that results feed into more operations. */
    private boolean floatHeavy;
    /** What each f register was last given, as far as straight-line reasoning can tell: S or D. */
    private final Kind[] fKind = new Kind[32];
    /** The last LR's scratch offset and width, so that some SCs pair with it; -1 when none. */
    private int lastLrOffset = -1;
    private boolean lastLrDword;

    private Generator(long seed) {
        this.rnd = new SplittableRandom(seed);
    }

    /** The program of {@code seed}, with a body of about {@code length} instructions. */
    static TestProgram generate(long seed, int length) {
        return new Generator(seed).program(seed, length);
    }

    private TestProgram program(long seed, int length) {
        env = environment();
        floatHeavy = rnd.nextInt(4) == 0;
        long[] x = new long[32];
        for (int r = 1; r < 32; r++) {
            x[r] = intValue();
        }
        x[BASE_S0] = DATA;
        x[BASE_SP] = SP_VALUE;
        long[] f = new long[32];
        for (int r = 0; r < 32; r++) {
            boolean single = rnd.nextBoolean();
            fKind[r] = single ? Kind.S : Kind.D;
            f[r] = single ? singleRegister() : doubleValue();
        }
        long fcsr = rnd.nextInt(5) << 5 | (rnd.nextInt(4) == 0 ? rnd.nextInt(32) : 0);
        byte[] memory = new byte[DATA_SIZE];
        for (int k = 0; k < DATA_SIZE; k += 8) {
            long v = switch (rnd.nextInt(4)) {
                case 0 -> intValue();
                case 1 -> doubleValue();
                case 2 -> (long) singleValue() << 32 | singleValue() & 0xFFFFFFFFL;
                default -> rnd.nextLong();
            };
            for (int b = 0; b < 8; b++) {
                memory[k + b] = (byte) (v >>> (8 * b));
            }
        }
        List<List<Insn>> units = new ArrayList<>();
        int count = 0;
        while (count < length) {
            List<Insn> unit = unit();
            units.add(unit);
            count += unit.size();
        }
        return new TestProgram(seed, env, x, f, fcsr, memory, List.copyOf(units));
    }

    /**
     * M-mode mostly; else S or U, with no translation or an identity map under Sv39, Sv48 or
     * Sv57 in which the scratch area's second page gets random permissions and A/D bits; or
     * M-mode with MPRV under such a map. S-mode gets random SUM, TVM, TW and TSR, and any mode
     * now and then runs with the FPU off.
     */
    private Environment environment() {
        int roll = rnd.nextInt(20);
        long fs = rnd.nextInt(25) == 0 ? 0 : Environment.FS_INITIAL;
        if (roll < 8) {
            return new Environment(3, 0, 0, fs, -1);
        }
        boolean mprv = roll < 10;
        int priv = mprv ? 3 : rnd.nextBoolean() ? 0 : 1;
        long mstatus = fs | (mprv ? Environment.MPRV : 0);
        if (priv == 1) {
            for (long bit : new long[] {Environment.TVM, Environment.TW, Environment.TSR}) {
                mstatus |= rnd.nextInt(4) == 0 ? bit : 0;
            }
        }
        // PMP permissions for the second page, often none; W without R is reserved.
        int pmp = rnd.nextInt(4) == 0 ? rnd.nextInt(8) : -1;
        pmp = pmp >= 0 && (pmp & 3) == 2 ? pmp | 1 : pmp;
        if (roll >= 10 && roll < 13) {
            return new Environment(priv, 0, 0, mstatus, pmp);
        }
        int flags = BatchImage.PTE_V;
        if (rnd.nextInt(12) == 0) {
            flags = 0; // not valid
        }
        flags |= rnd.nextInt(8) != 0 ? BatchImage.PTE_R : 0;
        flags |= rnd.nextInt(3) != 0 ? BatchImage.PTE_W : 0; // W without R: reserved, so a page fault
        flags |= rnd.nextInt(4) == 0 ? BatchImage.PTE_X : 0;
        flags |= rnd.nextInt(4) == 0 ? 32 : 0; // G
        boolean user = priv != 1 ? rnd.nextInt(6) != 0 : rnd.nextInt(3) == 0;
        flags |= user ? BatchImage.PTE_U : 0;
        flags |= rnd.nextInt(3) != 0 ? BatchImage.PTE_A : 0;
        flags |= rnd.nextBoolean() ? BatchImage.PTE_D : 0;
        mstatus |= priv == 1 && rnd.nextBoolean() ? Environment.SUM : 0;
        mstatus |= rnd.nextInt(3) == 0 ? Environment.MXR : 0;
        return new Environment(priv, 8 + rnd.nextInt(3), flags, mstatus, pmp);
    }

    // ---- values ----

    private static final long[] INT_EDGES = {
        0, 1, -1, 2, -2, 3, 7, 31, 32, 33, 63, 64, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
        Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Integer.MIN_VALUE, Integer.MAX_VALUE,
        Integer.MIN_VALUE - 1L, Integer.MAX_VALUE + 1L, 0xFFFF_FFFFL, 0x1_0000_0000L, 0x8000_0000L,
        0xFFFF_FFFF_7FFF_FFFFL, 0x0000_0000_8000_0001L, 0x8000_0000_8000_0000L, 0x0101_0101_0101_0101L,
        0x8080_8080_8080_8080L, 0x00FF_00FF_00FF_00FFL, 0xFF00_0000_0000_00FFL, 0x5555_5555_5555_5555L,
        0xAAAA_AAAA_AAAA_AAAAL, 0x0000_0001_0000_0000L, 0xFFFF_FFFF_0000_0000L, 0x7FFF_FFFF_0000_0000L,
    };

    private long intValue() {
        return switch (rnd.nextInt(12)) {
            case 0, 1, 2 -> INT_EDGES[rnd.nextInt(INT_EDGES.length)];
            case 3 -> 1L << rnd.nextInt(64);
            case 4 -> (1L << rnd.nextInt(64)) - 1;
            case 5 -> -(1L << rnd.nextInt(64));
            case 6 -> rnd.nextInt(-2048, 2048);
            case 7 -> rnd.nextInt(); // sign-extended 32-bit
            case 8 -> rnd.nextLong() | 0x8000_0000L; // bit 31 set, upper half random
            case 9 -> rnd.nextBoolean() ? doubleValue() : NAN_BOX | singleValue() & 0xFFFF_FFFFL;
            case 10 -> singleValue() & 0xFFFF_FFFFL; // float bits for fmv.w.x
            default -> rnd.nextLong();
        };
    }

    static final long NAN_BOX = 0xFFFF_FFFF_0000_0000L;

    private static final long[] DOUBLE_EDGES = {
        0x0000_0000_0000_0000L, 0x8000_0000_0000_0000L, // +-0
        0x7FF0_0000_0000_0000L, 0xFFF0_0000_0000_0000L, // +-inf
        0x7FF8_0000_0000_0000L, 0xFFF8_0000_0000_0000L, 0x7FF8_0000_0000_0001L, 0x7FFF_FFFF_FFFF_FFFFL, // qNaN
        0x7FF0_0000_0000_0001L, 0xFFF4_0000_0000_0000L, 0x7FF7_FFFF_FFFF_FFFFL, // sNaN
        0x0000_0000_0000_0001L, 0x8000_0000_0000_0001L, 0x000F_FFFF_FFFF_FFFFL, 0x0008_0000_0000_0000L, // subnormal
        0x0010_0000_0000_0000L, 0x8010_0000_0000_0000L, 0x0010_0000_0000_0001L, // smallest normals
        0x7FEF_FFFF_FFFF_FFFFL, 0xFFEF_FFFF_FFFF_FFFFL, 0x7FE0_0000_0000_0000L, // largest
        0x3FF0_0000_0000_0000L, 0xBFF0_0000_0000_0000L, 0x3FE0_0000_0000_0000L, 0xBFE0_0000_0000_0000L, // 1, .5
        0x3FF8_0000_0000_0000L, 0x4004_0000_0000_0000L, 0xC004_0000_0000_0000L, 0x3FF0_0000_0000_0001L, // 1.5 2.5
        0x3FD5_5555_5555_5555L, 0x4000_0000_0000_0000L, 0x3CA0_0000_0000_0000L, // 1/3, 2, 2^-53
        0x41E0_0000_0000_0000L, 0x41DF_FFFF_FFC0_0000L, 0x41DF_FFFF_FFE0_0000L, 0x41E0_0000_0010_0000L, // ~2^31
        0xC1E0_0000_0000_0000L, 0xC1E0_0000_0020_0000L, 0xC1E0_0000_0010_0000L, 0xC1DF_FFFF_FFE0_0000L, // ~-2^31
        0x41F0_0000_0000_0000L, 0x41EF_FFFF_FFE0_0000L, 0x41EF_FFFF_FFF0_0000L, // ~2^32
        0x43E0_0000_0000_0000L, 0x43DF_FFFF_FFFF_FFFFL, 0xC3E0_0000_0000_0000L, 0xC3E0_0000_0000_0001L, // ~2^63
        0x43F0_0000_0000_0000L, 0x43EF_FFFF_FFFF_FFFFL, 0xBFEF_FFFF_FFFF_FFFFL, 0xBFF0_0000_0000_0001L, // 2^64, ~-1
        0x47EF_FFFF_E000_0000L, 0x47EF_FFFF_F000_0000L, 0x47F0_0000_0000_0000L, // FLT_MAX and just above
        0x3810_0000_0000_0000L, 0x380F_FFFF_F000_0000L, 0x36A0_0000_0000_0000L, 0x3690_0000_0000_0000L, // FLT tiny
        0x3698_0000_0000_0000L, 0x3800_0000_0000_0000L,
    };

    private static final int[] SINGLE_EDGES = {
        0x0000_0000, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, // +-0, +-inf
        0x7FC0_0000, 0xFFC0_0000, 0x7FC0_0001, 0x7FFF_FFFF, // qNaN
        0x7F80_0001, 0xFFA0_0000, 0x7FBF_FFFF, // sNaN
        0x0000_0001, 0x8000_0001, 0x007F_FFFF, 0x0040_0000, // subnormal
        0x0080_0000, 0x8080_0000, 0x0080_0001, 0x7F7F_FFFF, 0xFF7F_FFFF, 0x7F00_0000, // smallest, largest normals
        0x3F80_0000, 0xBF80_0000, 0x3F00_0000, 0xBF00_0000, 0x3FC0_0000, 0x4020_0000, 0xC020_0000, 0x3F80_0001,
        0x3EAA_AAAB, 0x4000_0000, 0x3380_0000, 0x3400_0000,
        0x4F00_0000, 0x4EFF_FFFF, 0xCF00_0000, 0xCF00_0001, 0x4F80_0000, 0x4F7F_FFFF, // ~2^31, 2^32
        0x5F00_0000, 0x5EFF_FFFF, 0xDF00_0000, 0xDF00_0001, 0x5F80_0000, 0x5F7F_FFFF, // ~2^63, 2^64
        0xBF7F_FFFF, 0xBF80_0001, 0x3F7F_FFFF,
    };

    private long doubleValue() {
        return switch (rnd.nextInt(7)) {
            case 0, 1 -> DOUBLE_EDGES[rnd.nextInt(DOUBLE_EDGES.length)];
            // Around 2^52, where the last fraction bits meet the units: rounding to integer decides there.
            case 6 -> Double.doubleToRawLongBits(Math.scalb(1 + rnd.nextDouble(), rnd.nextInt(49, 54))
                    * (rnd.nextBoolean() ? 1 : -1));
            // Exponents near 1.0 keep sums and products in range, so that they round and cancel.
            case 2 -> Double.doubleToRawLongBits((rnd.nextDouble() * 2 - 1) * Math.scalb(1.0, rnd.nextInt(-8, 9)));
            case 3 -> (long) rnd.nextInt(0x800) << 52 | rnd.nextLong() & 0x000F_FFFF_FFFF_FFFFL; // any exponent
            case 4 -> Double.doubleToRawLongBits(rnd.nextInt(-100, 101) * 0.25);
            default -> Double.doubleToRawLongBits(Math.scalb((double) rnd.nextLong(), rnd.nextInt(-80, 2)));
        };
    }

    private int singleValue() {
        return switch (rnd.nextInt(7)) {
            case 0, 1 -> SINGLE_EDGES[rnd.nextInt(SINGLE_EDGES.length)];
            case 6 -> Float.floatToRawIntBits(Math.scalb(1 + rnd.nextFloat(), rnd.nextInt(20, 25))
                    * (rnd.nextBoolean() ? 1 : -1));
            case 2 -> Float.floatToRawIntBits((float) ((rnd.nextDouble() * 2 - 1) * Math.scalb(1.0, rnd.nextInt(-8, 9))));
            case 3 -> rnd.nextInt(0x200) << 23 | rnd.nextInt(1 << 23);
            case 4 -> Float.floatToRawIntBits(rnd.nextInt(-100, 101) * 0.25f);
            default -> Float.floatToRawIntBits(Math.scalb((float) rnd.nextInt(), rnd.nextInt(-40, 2)));
        };
    }

    /** A single in an f register: mostly NaN-boxed, sometimes not (such a value reads as the canonical NaN). */
    private long singleRegister() {
        long bits = singleValue() & 0xFFFF_FFFFL;
        return switch (rnd.nextInt(10)) {
            case 0 -> bits; // upper half zero
            case 1 -> 0xFFFF_FFFE_0000_0000L | bits; // one bit short of a box
            default -> NAN_BOX | bits;
        };
    }

    // ---- registers and operands ----

    /** A destination: any register but the reserved ones; now and then x0. */
    private int rd() {
        return rnd.nextInt(20) == 0 ? 0 : WRITABLE[rnd.nextInt(WRITABLE.length)];
    }

    private int rdExcept(int reserved) {
        int r;
        do {
            r = rd();
        } while (r == reserved);
        return r;
    }

    private int rdNonZero() {
        return WRITABLE[rnd.nextInt(WRITABLE.length)];
    }

    /** A source: any register. */
    private int rs() {
        return rnd.nextInt(32);
    }

    /** A writable register among x8..x15 (the compressed register set), so not x8. */
    private int rdPrime() {
        return 9 + rnd.nextInt(7);
    }

    private int rsPrime() {
        return 8 + rnd.nextInt(8);
    }

    /** An f register, preferably one that holds a value of {@code kind}. */
    private int fs(Kind kind) {
        for (int tries = 0; tries < 4 && rnd.nextInt(5) != 0; tries++) {
            int r = rnd.nextInt(32);
            if (fKind[r] == kind) {
                return r;
            }
        }
        return rnd.nextInt(32);
    }

    private int fd(Kind kind) {
        int r = rnd.nextInt(32);
        fKind[r] = kind;
        return r;
    }

    /** A static rounding mode, or dynamic. */
    private int rm() {
        return rnd.nextInt(3) == 0 ? 7 : rnd.nextInt(5);
    }

    private static final int[] IMM_EDGES = {0, 1, -1, 2047, -2048, 2046, -2047, 31, 32, 63, 64, 0x7F, 0x80, 0xFF};

    private int imm12() {
        return rnd.nextInt(3) == 0 ? IMM_EDGES[rnd.nextInt(IMM_EDGES.length)] : rnd.nextInt(-2048, 2048);
    }

    private int imm6() {
        return rnd.nextInt(-32, 32);
    }

    private int shamt(int bits) {
        int max = (1 << bits) - 1;
        return switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> max;
            case 2 -> rnd.nextBoolean() ? 31 : 32 & max;
            default -> rnd.nextInt(max + 1);
        };
    }

    /**
     * A scratch-area offset for an access of {@code size} bytes, aligned half of the time. Under a
     * PMP entry over the second page no access straddles the two pages: QEMU 7.2 checks such an
     * access against PMP as a whole (it partly matches the entry, so it faults at its start),
     * jvirt splits it into bytes that each pass or fail; the ISA manual allows either.
     */
    private int dataOffset(int size) {
        int offset = rnd.nextInt(DATA_SIZE - size + 1);
        offset = rnd.nextBoolean() ? offset & -size : offset;
        return env.page2Pmp() >= 0 && offset < PAGE1_PART && offset + size > PAGE1_PART ? PAGE1_PART : offset;
    }

    private static <T> T pick(SplittableRandom rnd, T[] values) {
        return values[rnd.nextInt(values.length)];
    }

    // ---- units ----

    private List<Insn> unit() {
        if (floatHeavy && rnd.nextBoolean()) {
            return List.of(floatingPoint());
        }
        // Out of 100: register-register 16, immediate 8, Zbb unary 4, load/store 8, wild access or
        // jump 1, A 5, F/D 22, C 15, control transfer 10, CSR 5, fence 1, self-modifying 2, trap 3.
        int roll = rnd.nextInt(100);
        if (roll < 16) {
            return List.of(pick(rnd, Rv64.RegReg.values()).of(rd(), rs(), rs()));
        } else if (roll < 24) {
            return List.of(registerImmediate());
        } else if (roll < 28) {
            Rv64.Unary op = pick(rnd, Rv64.Unary.values());
            if (op == Rv64.Unary.CTZW) {
                // QEMU 7.2 counts into the upper word when the lower one is zero (ctzw of 1 << 40
                // gives 40, not 32): ctzw reads a zero-extended copy, which keeps every low word.
                int t = rdNonZero();
                return List.of(Rv64.RegReg.ADD_UW.of(t, rs(), 0), op.of(rd(), t));
            }
            return List.of(op.of(rd(), rs()));
        } else if (roll < 36) {
            return List.of(loadStore());
        } else if (roll < 37) {
            // No jumps under MPRV: after QEMU 7.2 has fetched (and faulted) from a page in M-mode,
            // its MPRV loads and stores to that page skip translation (access fault, not page fault).
            return rnd.nextInt(4) == 0 && !env.has(Environment.MPRV) ? wildJump() : wildAccess();
        } else if (roll < 42) {
            return atomic();
        } else if (roll < 64) {
            return List.of(floatingPoint());
        } else if (roll < 79) {
            return compressed();
        } else if (roll < 89) {
            return controlTransfer();
        } else if (roll < 94) {
            return List.of(csrAccess());
        } else if (roll < 95) {
            return List.of(fence());
        } else if (roll < 97) {
            return selfModifying();
        } else {
            return List.of(trap());
        }
    }

    private Insn registerImmediate() {
        return switch (rnd.nextInt(10)) {
            case 0, 1, 2, 3 -> pick(rnd, Rv64.RegImm.values()).of(rd(), rs(), imm12());
            case 4, 5, 6, 7 -> {
                Rv64.ShiftImm op = pick(rnd, Rv64.ShiftImm.values());
                yield op.of(rd(), rs(), shamt(op.shamtBits));
            }
            case 8 -> Rv64.lui(rd(), rnd.nextInt(1 << 20));
            default -> Rv64.auipc(rd(), rnd.nextInt(1 << 20));
        };
    }

    private Insn loadStore() {
        int base = rnd.nextBoolean() ? BASE_S0 : BASE_SP;
        long baseValue = base == BASE_S0 ? DATA : SP_VALUE;
        if (rnd.nextBoolean()) {
            Rv64.Load op = pick(rnd, Rv64.Load.values());
            int imm = (int) (DATA + dataOffset(op.size) - baseValue);
            if (op.toFloat()) {
                return op.of(fd(op.size == 4 ? Kind.S : Kind.D), base, imm);
            }
            return op.of(rd(), base, imm);
        }
        Rv64.Store op = pick(rnd, Rv64.Store.values());
        int imm = (int) (DATA + dataOffset(op.size) - baseValue);
        return op.of(op.fromFloat() ? rnd.nextInt(32) : rs(), base, imm);
    }

    /**
     * A jump past the end of RAM: an instruction access fault (a page fault under translation)
     * with the target in mepc and mtval. The unit first leaves the address after itself where
     * the trap handler resumes from a fetch fault.
     */
    private List<Insn> wildJump() {
        int t = rdNonZero();
        int rd = rd();
        int imm = imm12() & 0x7FF; // up from the end of RAM, never back into it
        return List.of(Rv64.auipc(t, 0), Rv64.RegImm.ADDI.of(t, t, 24),
                Rv64.Store.SD.of(t, BASE_S0, (int) (BatchImage.SAVE - DATA) + BatchImage.SAVE_RESUME),
                Rv64.lui(t, 0x42000 + rnd.nextInt(16)), Rv64.ShiftImm.SLLI.of(t, t, 1),
                Insn.fixed(InstructionFormats.i(0x67, rd, 0, t, imm), "jalr x" + rd + ", " + imm + "(x" + t + ")"));
    }

    /**
     * A load, store or LR past the end of RAM (64 MiB at 0x80000000, where neither board has a
     * device): an access fault, or a page fault under translation, with the address in mtval.
     * Aligned only: for a misaligned access QEMU 7.2 reports the address rounded down to the
     * access size, where the spec has the faulting address. No AMOs (QEMU reports a load access
     * fault, the spec a store/AMO one) and no SCs (QEMU fails one it holds no reservation for
     * without checking the address at all).
     */
    private List<Insn> wildAccess() {
        int t = rdNonZero();
        int imm = imm12() & 0x7F8; // aligned, and up from the end of RAM, never back into it
        List<Insn> unit = new ArrayList<>();
        unit.add(Rv64.lui(t, 0x42000 + rnd.nextInt(16)));
        unit.add(Rv64.ShiftImm.SLLI.of(t, t, 1));
        switch (rnd.nextInt(3)) {
            case 0 -> {
                Rv64.Load op = pick(rnd, Rv64.Load.values());
                unit.add(op.toFloat() ? op.of(rnd.nextInt(32), t, imm) : op.of(rd(), t, imm));
            }
            case 1 -> {
                Rv64.Store op = pick(rnd, Rv64.Store.values());
                unit.add(op.of(op.fromFloat() ? rnd.nextInt(32) : rs(), t, imm));
            }
            default -> {
                unit.add(Rv64.RegImm.ADDI.of(t, t, imm));
                unit.add(Rv64.Amo.LR.of(rnd.nextBoolean(), rd(), 0, t, false, false));
            }
        }
        return unit;
    }

    /**
     * An AMO, LR or SC with its address computed into a scratch register. LR/SC words sit at
     * offsets 4 mod 8 and doublewords at 0 mod 8, so no SC ever meets a reservation of the other
     * width at its own address (whether that SC may succeed is left open by the ISA manual).
     */
    private List<Insn> atomic() {
        int base = rnd.nextBoolean() ? BASE_S0 : BASE_SP;
        long baseValue = base == BASE_S0 ? DATA : SP_VALUE;
        int t = rdNonZero();
        boolean dword = rnd.nextBoolean();
        int size = dword ? 8 : 4;
        boolean aq = rnd.nextBoolean();
        boolean rl = rnd.nextBoolean();
        int kind = rnd.nextInt(10);
        int offset;
        Rv64.Amo op;
        if (kind < 2) {
            op = Rv64.Amo.LR;
            offset = reservable(dword, DATA_SIZE);
            if (rnd.nextInt(30) == 0) {
                offset = rnd.nextInt(DATA_SIZE - 8) | 1; // misaligned: both trap with a load address-misaligned
            } else {
                lastLrOffset = offset;
                lastLrDword = dword;
            }
        } else if (kind < 4) {
            op = Rv64.Amo.SC;
            if (lastLrOffset >= 0 && lastLrOffset < scLimit() && rnd.nextInt(4) != 0) {
                offset = lastLrOffset;
                dword = lastLrDword;
            } else {
                offset = reservable(dword, scLimit());
            }
        } else if (kind < 5) {
            return lrScPair(base, baseValue, t, dword, aq, rl);
        } else {
            op = pick(rnd, Rv64.Amo.values());
            while (op == Rv64.Amo.LR || op == Rv64.Amo.SC) {
                op = pick(rnd, Rv64.Amo.values());
            }
            // Always aligned: QEMU 7.2 raises a load address-misaligned (cause 4) for a misaligned
            // AMO, where the privileged spec has store/AMO address-misaligned (cause 6), as jvirt does.
            // Likewise QEMU translates an AMO as a load first: on a page it may not read it raises a
            // load page fault where the spec has a store/AMO page fault, and on a page it may read
            // but not write it sets the A bit although the access faults (the spec's translation
            // process checks permissions before it updates A/D). Such pages get no AMOs.
            offset = rnd.nextInt((page2Writable() ? DATA_SIZE : PAGE1_PART) / size) * size;
        }
        int imm = (int) (DATA + offset - baseValue);
        return List.of(Rv64.RegImm.ADDI.of(t, base, imm), op.of(dword, rd(), rs(), t, aq, rl));
    }

    /** The scratch area's bytes on its first page, whose mapping never varies. */
    private static final int PAGE1_PART = (int) (BatchImage.PAGE2 - DATA);

    /** An LR/SC offset below {@code limit}: words at 4 mod 8, doublewords at 0 mod 8. */
    private int reservable(boolean dword, int limit) {
        return rnd.nextInt(limit / 8) * 8 + (dword ? 0 : 4);
    }

    /**
     * Under translation or a PMP entry that denies access, SCs stay on the first page. QEMU 7.2
     * fails an SC that holds no matching reservation without translating or checking its address:
     * no fault, where the ISA manual has an SC pass its permission checks whether or not it
     * succeeds (jvirt faults), and no A/D update
     * (which the manual leaves unspecified for a failed SC).
     */
    private int scLimit() {
        return env.satpMode() == 0 && page2Writable() ? DATA_SIZE : PAGE1_PART;
    }

    /** Whether the body's loads and stores may both access the scratch area's second page. */
    private boolean page2Writable() {
        boolean pmpAllows = env.page2Pmp() < 0 || (env.page2Pmp() & 3) == 3 || env.dataPriv() == 3;
        if (env.satpMode() == 0 || !pmpAllows) {
            return pmpAllows;
        }
        int flags = env.page2Flags();
        boolean readWrite = (flags & (BatchImage.PTE_V | BatchImage.PTE_R | BatchImage.PTE_W))
                == (BatchImage.PTE_V | BatchImage.PTE_R | BatchImage.PTE_W);
        boolean user = (flags & BatchImage.PTE_U) != 0;
        boolean privOk = env.dataPriv() == 0 ? user : !user || env.has(Environment.SUM);
        return readWrite && privOk;
    }

    /** LR, a few instructions that leave the address alone, SC to the same address (or rarely not). */
    private List<Insn> lrScPair(int base, long baseValue, int t, boolean dword, boolean aq, boolean rl) {
        int offset = reservable(dword, scLimit());
        List<Insn> unit = new ArrayList<>();
        unit.add(Rv64.RegImm.ADDI.of(t, base, (int) (DATA + offset - baseValue)));
        unit.add(Rv64.Amo.LR.of(dword, rdExcept(t), 0, t, aq, rl));
        int between = rnd.nextInt(3);
        for (int k = 0; k < between; k++) {
            unit.add(pick(rnd, Rv64.RegReg.values()).of(rdExcept(t), rs(), rs()));
        }
        if (rnd.nextInt(8) == 0) {
            unit.add(Rv64.Store.SD.of(rs(), base, (int) (DATA + (offset & ~7) - baseValue)));
        }
        unit.add(Rv64.Amo.SC.of(dword, rd(), rs(), t, rnd.nextBoolean(), rnd.nextBoolean()));
        lastLrOffset = -1;
        return unit;
    }

    private Insn floatingPoint() {
        if (rnd.nextInt(6) == 0) {
            Rv64.Fma op = pick(rnd, Rv64.Fma.values());
            boolean dbl = rnd.nextBoolean();
            Kind k = dbl ? Kind.D : Kind.S;
            int rs1 = fs(k);
            int rs2 = fs(k);
            int rs3 = fs(k);
            return op.of(dbl, fd(k), rs1, rs2, rs3, rm());
        }
        Rv64.Fp op = pick(rnd, Rv64.Fp.values());
        int src1 = op.source == Kind.X ? rs() : fs(op.source);
        int src2 = fs(op.source);
        int dest = op.result == Kind.X ? rd() : fd(op.result);
        return op.of(dest, src1, src2, rm());
    }

    private List<Insn> compressed() {
        return switch (rnd.nextInt(24)) {
            case 0 -> List.of(Rv64.cAddi4spn(rdPrime(), 4 * rnd.nextInt(1, 256)));
            case 1 -> List.of(Rv64.cLw(rdPrime(), BASE_S0, 4 * rnd.nextInt(32)));
            case 2 -> List.of(Rv64.cLd(rdPrime(), BASE_S0, 8 * rnd.nextInt(32)));
            case 3 -> List.of(Rv64.cFld(fdPrime(), BASE_S0, 8 * rnd.nextInt(32)));
            case 4 -> List.of(Rv64.cSw(rsPrime(), BASE_S0, 4 * rnd.nextInt(32)));
            case 5 -> List.of(Rv64.cSd(rsPrime(), BASE_S0, 8 * rnd.nextInt(32)));
            case 6 -> List.of(Rv64.cFsd(8 + rnd.nextInt(8), BASE_S0, 8 * rnd.nextInt(32)));
            case 7 -> List.of(Rv64.cAddi(rnd.nextInt(10) == 0 ? 0 : rdNonZero(), imm6()));
            case 8 -> List.of(Rv64.cAddiw(rdNonZero(), imm6()));
            case 9 -> List.of(Rv64.cLi(rd(), imm6()));
            case 10 -> {
                int imm = 16 * rnd.nextInt(-31, 31);
                imm = imm == 0 ? 16 : imm;
                yield List.of(Rv64.cAddi16sp(imm), Rv64.cMv(rdNonZero(), BASE_SP), Rv64.cAddi16sp(-imm));
            }
            case 11 -> {
                int imm = imm6();
                yield List.of(Rv64.cLui(rdNonZero(), imm == 0 ? 1 : imm));
            }
            case 12 -> List.of(Rv64.cSrli(rdPrime(), shamt(6)));
            case 13 -> List.of(Rv64.cSrai(rdPrime(), shamt(6)));
            case 14 -> List.of(Rv64.cAndi(rdPrime(), imm6()));
            case 15 -> List.of(Rv64.cArith(rnd.nextInt(6), rdPrime(), rsPrime()));
            case 16 -> List.of(Rv64.cSlli(rdNonZero(), shamt(6)));
            case 17 -> List.of(Rv64.cMv(rdNonZero(), 1 + rnd.nextInt(31)));
            case 18 -> List.of(Rv64.cAdd(rdNonZero(), 1 + rnd.nextInt(31)));
            case 19 -> List.of(Rv64.cLwsp(rdNonZero(), spOffset(4)));
            case 20 -> List.of(Rv64.cLdsp(rdNonZero(), spOffset(8)));
            case 21 -> List.of(Rv64.cFldsp(fd(Kind.D), spOffset(8)));
            case 22 -> List.of(Rv64.cSwsp(rs(), spOffset(4)));
            default -> List.of(rnd.nextBoolean() ? Rv64.cSdsp(rs(), spOffset(8)) : Rv64.cFsdsp(rnd.nextInt(32), spOffset(8)));
        };
    }

    /** An offset from x2 for C.xWSP (up to 252) and C.xDSP (up to 504) that stays in the scratch area. */
    private int spOffset(int size) {
        int limit = Math.min(size * 63, (int) (DATA + DATA_SIZE - SP_VALUE - size));
        return size * rnd.nextInt(limit / size + 1);
    }

    private int fdPrime() {
        int r = 8 + rnd.nextInt(8);
        fKind[r] = Kind.D;
        return r;
    }

    /** A forward branch or jump over 0 to 3 units; the straight-line register guesses may go stale. */
    private List<Insn> controlTransfer() {
        int skip = rnd.nextInt(4);
        return switch (rnd.nextInt(8)) {
            case 0, 1, 2 -> List.of(pick(rnd, Rv64.Branch.values()).skipping(rs(), rs(), skip));
            case 3 -> List.of(Rv64.jal(rd(), skip));
            case 4 -> {
                int t = rdNonZero();
                yield List.of(Rv64.auipc(t, 0), Rv64.jalr(rd(), t, skip, -1, rnd.nextBoolean()));
            }
            case 5 -> List.of(Rv64.cJ(skip));
            case 6 -> List.of(Rv64.cBranch(rnd.nextBoolean(), rsPrime(), skip));
            default -> {
                int t = rdNonZero();
                Insn jump = rnd.nextBoolean() ? Rv64.cJr(t) : Rv64.cJalr(t);
                yield List.of(Rv64.auipc(t, 0), Rv64.addiToTarget(t, t, skip, -1), jump);
            }
        };
    }

    private static final int[] FP_CSRS = {Rv64.CSR_FFLAGS, Rv64.CSR_FRM, Rv64.CSR_FCSR};
    private static final int[] CSR_FUNCT3 = {1, 2, 3, 5, 6, 7};

    /**
     * Supervisor CSRs the trap handler and the environment leave alone (init zeroes them): their
     * WARL rules differ per register.
     */
    static final int[] SUPERVISOR_CSRS = {0x140, 0x141, 0x142, 0x143, 0x105};
    private static final int CSR_SEPC = 0x141;
    private static final int CSR_SATP = 0x180;

    private Insn csrAccess() {
        int funct3 = CSR_FUNCT3[rnd.nextInt(CSR_FUNCT3.length)];
        if (rnd.nextInt(4) == 0) {
            // From U-mode these are illegal; satp is only read (a write would remap the body).
            int csr = rnd.nextInt(6) == 0 ? CSR_SATP : SUPERVISOR_CSRS[rnd.nextInt(SUPERVISOR_CSRS.length)];
            if (csr == CSR_SATP) {
                return Rv64.csr(rnd.nextBoolean() ? 2 : 3, rd(), csr, 0);
            }
            if (csr == CSR_SEPC) {
                // Only even values: QEMU 7.2 keeps sepc[0], which the spec makes read-only zero
                // (jvirt clears it).
                return funct3 >= 5 ? Rv64.csr(funct3, rd(), csr, rnd.nextInt(16) * 2)
                        : Rv64.csr(rnd.nextBoolean() ? 2 : 3, rd(), csr, 0);
            }
            return Rv64.csr(funct3, rd(), csr, funct3 >= 5 ? rnd.nextInt(32) : rs());
        }
        int csr = FP_CSRS[rnd.nextInt(FP_CSRS.length)];
        // Writes to frm are mostly of valid modes, so that dynamic rounding is not mostly illegal.
        int source = funct3 >= 5 ? (csr == Rv64.CSR_FRM && rnd.nextInt(4) != 0 ? rnd.nextInt(5) : rnd.nextInt(32)) : rs();
        return Rv64.csr(funct3, rd(), csr, source);
    }

    private Insn fence() {
        return switch (rnd.nextInt(4)) {
            case 0 -> Rv64.fence(0, rnd.nextInt(16), rnd.nextInt(16));
            case 1 -> Rv64.fence(8, 3, 3); // fence.tso
            case 2 -> Rv64.fenceI();
            default -> Rv64.sfenceVma(rs(), rs());
        };
    }

    /**
     * Code that rewrites itself: the unit stores new bits over its own last instruction, runs
     * fence.i (without it, which instruction runs is unspecified) and then runs into the new one
     * (one 32-bit or two compressed instructions).
     */
    private List<Insn> selfModifying() {
        int t = rdNonZero();
        int v;
        do {
            v = rdNonZero();
        } while (v == t);
        Insn original = pick(rnd, Rv64.RegReg.values()).of(rd(), rs(), rs());
        int bits;
        String text;
        if (rnd.nextBoolean()) {
            Insn replacement = pick(rnd, Rv64.RegReg.values()).of(rd(), rs(), rs());
            bits = replacement.bits(0);
            text = replacement.text(0);
        } else {
            Insn first = Rv64.cAdd(rdNonZero(), 1 + rnd.nextInt(31));
            Insn second = Rv64.cSlli(rdNonZero(), rnd.nextInt(1, 64));
            bits = first.bits(0) | second.bits(0) << 16;
            text = first.text(0) + "; " + second.text(0);
        }
        int hi = (bits + 0x800) >>> 12;
        int lo = bits - (hi << 12);
        return List.of(Rv64.auipc(t, 0), Rv64.lui(v, hi), Rv64.RegImm.ADDI.of(v, v, lo),
                Rv64.Store.SW.of(v, t, 20), Rv64.fenceI(),
                Insn.fixed(original.bits(0), original.text(0) + "  # rewritten to: " + text));
    }

    private Insn trap() {
        return switch (rnd.nextInt(9)) {
            case 0 -> Rv64.ecall();
            case 1 -> Rv64.ebreak();
            case 2 -> Rv64.cEbreak();
            case 3 -> privileged();
            default -> IllegalEncodings.pick(rnd, rd(), rs(), rs());
        };
    }

    /**
     * An instruction that may be illegal at the body's privilege: mret below M; M-mode CSRs and
     * the counters (mcounteren is 0) below M; sret, wfi and sfence.vma in U-mode; in S-mode sret
     * and wfi when TSR and TW make them illegal (a legal sret would leave the body, a legal wfi
     * wait forever with no interrupt enabled), sfence.vma and satp whatever TVM says.
     */
    private Insn privileged() {
        if (env.priv() == 3) {
            return Rv64.ecall();
        }
        boolean user = env.priv() == 0;
        return switch (rnd.nextInt(7)) {
            case 0 -> Rv64.mret();
            case 1 -> Rv64.csr(2, rd(), 0x300 + rnd.nextInt(7), 0); // mstatus..mcounteren
            case 2 -> Rv64.csr(2, rd(), COUNTERS[rnd.nextInt(COUNTERS.length)], 0);
            case 3 -> user || env.has(Environment.TSR) ? Rv64.raw(0x10200073, "sret") : Rv64.mret();
            case 4 -> user || env.has(Environment.TW) ? Rv64.raw(0x10500073, "wfi") : Rv64.mret();
            case 5 -> Rv64.csr(2, rd(), CSR_SATP, 0);
            default -> Rv64.sfenceVma(rs(), rs());
        };
    }

    /** cycle, time, instret, hpmcounter3, hpmcounter31. */
    private static final int[] COUNTERS = {0xC00, 0xC01, 0xC02, 0xC03, 0xC1F};
}
