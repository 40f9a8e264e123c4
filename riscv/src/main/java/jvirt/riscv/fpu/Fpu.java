package jvirt.riscv.fpu;

import static jvirt.riscv.fpu.Format.BINARY32;
import static jvirt.riscv.fpu.Format.BINARY64;

import jvirt.riscv.fpu.Conversions.IntegerFormat;

/**
 * IEEE 754 arithmetic as the RISC-V F and D extensions define it, on encodings: binary32 values
 * travel as {@code int} bit patterns, binary64 values as {@code long} ones (NaN-boxing is the
 * caller's business). Every operation ORs the exception flags it raises into {@link #flags}.
 *
 * <p>Arithmetic's common case, round to nearest even on finite operands with a normal result,
 * runs on the host's IEEE arithmetic (which rounds to nearest even), and error-free
 * transformations tell whether it was exact. Everything else (other rounding modes, special
 * operands, results that may underflow or overflow) takes the exact {@link SlowPath}.
 * Conversions ({@link Conversions}), comparisons and fmin/fmax work on the encodings with
 * integer arithmetic, in every rounding mode alike.
 */
public final class Fpu {
    /** Exception flags, with their fflags bit values. */
    public static final int NX = 1;
    public static final int UF = 2;
    public static final int OF = 4;
    public static final int DZ = 8;
    public static final int NV = 16;

    /** Rounding modes, with their RISC-V rm encodings (the caller resolves the dynamic mode). */
    public static final int RNE = 0;
    public static final int RTZ = 1;
    public static final int RDN = 2;
    public static final int RUP = 3;
    /** Round to nearest, ties away from zero. */
    public static final int RMM = 4;

    public static final int CANONICAL_NAN32 = 0x7fc00000;
    public static final long CANONICAL_NAN64 = 0x7ff8000000000000L;

    /**
     * Past this magnitude, the error of a binary64 product, quotient remainder or square root
     * remainder is a multiple of 2^-1074 or more, so the fused multiply-add computes it exactly
     * (the exponents involved sum to at least emin + p - 1 = -970).
     */
    private static final double NO_UNDERFLOW = 0x1p-960;
    /** Below this magnitude the terms of the fma exactness test cannot overflow when summed. */
    private static final double NO_OVERFLOW = 0x1p1020;

    /** The accrued exception flags (fflags). */
    public int flags;

    // Arithmetic, binary32. Java's float addition is binary32's, rounding to nearest even. Widened
    // to double, binary32 operands are exact and so are their products (48 bits); rounding a double
    // quotient or square root again to float is correct, since 53 >= 2 × 24 + 2.

    public int add32(int a, int b, int rm) {
        if (rm == RNE) {
            float x = Float.intBitsToFloat(a);
            float y = Float.intBitsToFloat(b);
            float sum = x + y;
            // A finite sum has finite operands and did not overflow; sums are never tiny and inexact.
            if (Float.isFinite(sum)) {
                inexactIf(twoSumError(x, y, sum) != 0);
                return Float.floatToRawIntBits(sum);
            }
        }
        return (int) SlowPath.add(this, BINARY32, unsigned(a), unsigned(b), rm);
    }

    public int sub32(int a, int b, int rm) {
        return add32(a, b ^ (int) BINARY32.signBit, rm);
    }

    public int mul32(int a, int b, int rm) {
        if (rm == RNE) {
            double product = (double) Float.intBitsToFloat(a) * Float.intBitsToFloat(b);
            float result = (float) product;
            if (isNormalAboveMin(result)) {
                inexactIf(result != product);
                return Float.floatToRawIntBits(result);
            }
        }
        return (int) SlowPath.mul(this, BINARY32, unsigned(a), unsigned(b), rm);
    }

    public int div32(int a, int b, int rm) {
        if (rm == RNE) {
            double x = Float.intBitsToFloat(a);
            double y = Float.intBitsToFloat(b);
            float result = (float) (x / y);
            if (isNormalAboveMin(result)) {
                inexactIf(result * y != x); // the product is exact in double
                return Float.floatToRawIntBits(result);
            }
        }
        return (int) SlowPath.div(this, BINARY32, unsigned(a), unsigned(b), rm);
    }

    public int sqrt32(int a, int rm) {
        double x = Float.intBitsToFloat(a);
        if (rm == RNE && x >= 0) { // ±0, positive or +∞: the square root is never tiny nor overflows
            float result = (float) Math.sqrt(x);
            inexactIf((double) result * result != x);
            return Float.floatToRawIntBits(result);
        }
        return (int) SlowPath.sqrt(this, BINARY32, unsigned(a), rm);
    }

    public int fma32(int a, int b, int c, int rm) {
        if (rm == RNE) {
            double product = (double) Float.intBitsToFloat(a) * Float.intBitsToFloat(b);
            double z = Float.intBitsToFloat(c);
            double sum = product + z;
            double error = twoSumError(product, z, sum);
            // Rounding the sum to odd first makes the second rounding, to float, correct (53 >= 24 + 2).
            double sumToOdd = error == 0 || (Double.doubleToRawLongBits(sum) & 1) != 0 ? sum
                    : error > 0 ? Math.nextUp(sum) : Math.nextDown(sum);
            float result = (float) sumToOdd;
            if (isNormalAboveMin(result)) {
                inexactIf(error != 0 | result != sum);
                return Float.floatToRawIntBits(result);
            }
        }
        return (int) SlowPath.fma(this, BINARY32, unsigned(a), unsigned(b), unsigned(c), rm);
    }

    // Arithmetic, binary64.

    public long add64(long a, long b, int rm) {
        if (rm == RNE) {
            double x = Double.longBitsToDouble(a);
            double y = Double.longBitsToDouble(b);
            double sum = x + y;
            // A finite sum has finite operands and did not overflow; sums are never tiny and inexact.
            if (Double.isFinite(sum)) {
                inexactIf(twoSumError(x, y, sum) != 0);
                return Double.doubleToRawLongBits(sum);
            }
        }
        return SlowPath.add(this, BINARY64, a, b, rm);
    }

    public long sub64(long a, long b, int rm) {
        return add64(a, b ^ BINARY64.signBit, rm);
    }

    public long mul64(long a, long b, int rm) {
        if (rm == RNE) {
            double x = Double.longBitsToDouble(a);
            double y = Double.longBitsToDouble(b);
            double product = x * y;
            double magnitude = Math.abs(product);
            if (magnitude >= NO_UNDERFLOW && magnitude <= Double.MAX_VALUE) {
                inexactIf(Math.fma(x, y, -product) != 0);
                return Double.doubleToRawLongBits(product);
            }
        }
        return SlowPath.mul(this, BINARY64, a, b, rm);
    }

    public long div64(long a, long b, int rm) {
        if (rm == RNE) {
            double x = Double.longBitsToDouble(a);
            double y = Double.longBitsToDouble(b);
            double quotient = x / y;
            double magnitude = Math.abs(quotient);
            if (magnitude > Double.MIN_NORMAL && magnitude <= Double.MAX_VALUE && Math.abs(x) >= NO_UNDERFLOW) {
                inexactIf(Math.fma(quotient, y, -x) != 0); // the remainder, exact
                return Double.doubleToRawLongBits(quotient);
            }
        }
        return SlowPath.div(this, BINARY64, a, b, rm);
    }

    public long sqrt64(long a, int rm) {
        double x = Double.longBitsToDouble(a);
        if (rm == RNE && x >= NO_UNDERFLOW && x <= Double.MAX_VALUE) {
            double root = Math.sqrt(x);
            inexactIf(Math.fma(root, root, -x) != 0); // the remainder, exact
            return Double.doubleToRawLongBits(root);
        }
        return SlowPath.sqrt(this, BINARY64, a, rm);
    }

    public long fma64(long a, long b, long c, int rm) {
        if (rm == RNE) {
            double x = Double.longBitsToDouble(a);
            double y = Double.longBitsToDouble(b);
            double z = Double.longBitsToDouble(c);
            double result = Math.fma(x, y, z);
            double product = x * y;
            double productMagnitude = Math.abs(product);
            if (Math.abs(result) > Double.MIN_NORMAL
                    && productMagnitude >= NO_UNDERFLOW && productMagnitude <= NO_OVERFLOW
                    && Math.abs(z) <= NO_OVERFLOW) {
                inexactIf(!isZeroSum(product, Math.fma(x, y, -product), z, -result));
                return Double.doubleToRawLongBits(result);
            }
        }
        return SlowPath.fma(this, BINARY64, a, b, c, rm);
    }

    // minimumNumber / maximumNumber, comparisons, classification.

    public int min32(int a, int b) {
        return (int) minMax(BINARY32, unsigned(a), unsigned(b), false);
    }

    public int max32(int a, int b) {
        return (int) minMax(BINARY32, unsigned(a), unsigned(b), true);
    }

    public long min64(long a, long b) {
        return minMax(BINARY64, a, b, false);
    }

    public long max64(long a, long b) {
        return minMax(BINARY64, a, b, true);
    }

    /** A NaN operand is ignored unless both are; -0 orders below +0; a signaling NaN raises NV. */
    private long minMax(Format f, long a, long b, boolean max) {
        if (f.isSignalingNaN(a) || f.isSignalingNaN(b)) {
            flags |= NV;
        }
        if (f.isNaN(a) || f.isNaN(b)) {
            return f.isNaN(a) && f.isNaN(b) ? f.canonicalNaN : f.isNaN(a) ? b : a;
        }
        boolean aBelow = f.totalOrderKey(a) < f.totalOrderKey(b);
        return aBelow != max ? a : b;
    }

    public boolean eq32(int a, int b) {
        return !unordered(BINARY32, unsigned(a), unsigned(b), false)
                && Float.intBitsToFloat(a) == Float.intBitsToFloat(b);
    }

    public boolean lt32(int a, int b) {
        return !unordered(BINARY32, unsigned(a), unsigned(b), true)
                && Float.intBitsToFloat(a) < Float.intBitsToFloat(b);
    }

    public boolean le32(int a, int b) {
        return !unordered(BINARY32, unsigned(a), unsigned(b), true)
                && Float.intBitsToFloat(a) <= Float.intBitsToFloat(b);
    }

    public boolean eq64(long a, long b) {
        return !unordered(BINARY64, a, b, false) && Double.longBitsToDouble(a) == Double.longBitsToDouble(b);
    }

    public boolean lt64(long a, long b) {
        return !unordered(BINARY64, a, b, true) && Double.longBitsToDouble(a) < Double.longBitsToDouble(b);
    }

    public boolean le64(long a, long b) {
        return !unordered(BINARY64, a, b, true) && Double.longBitsToDouble(a) <= Double.longBitsToDouble(b);
    }

    /**
     * Whether either operand is a NaN, raising NV for a signaling one, or for any NaN in a
     * signaling comparison (flt, fle; feq is quiet).
     */
    private boolean unordered(Format f, long a, long b, boolean signaling) {
        if (!f.isNaN(a) && !f.isNaN(b)) {
            return false;
        }
        if (signaling || f.isSignalingNaN(a) || f.isSignalingNaN(b)) {
            flags |= NV;
        }
        return true;
    }

    /**
     * The fclass mask: bit 0 -∞, 1 -normal, 2 -subnormal, 3 -0, 4 +0, 5 +subnormal, 6 +normal,
     * 7 +∞, 8 signaling NaN, 9 quiet NaN.
     */
    public static int classify32(int a) {
        return BINARY32.classify(unsigned(a));
    }

    /** See {@link #classify32}. */
    public static int classify64(long a) {
        return BINARY64.classify(a);
    }

    // Conversions to integers: the 64-bit register value, 32-bit results sign-extended.

    public long cvtW32(int a, int rm) {
        return Conversions.toInteger(this, BINARY32, unsigned(a), rm, IntegerFormat.W);
    }

    public long cvtWU32(int a, int rm) {
        return Conversions.toInteger(this, BINARY32, unsigned(a), rm, IntegerFormat.WU);
    }

    public long cvtL32(int a, int rm) {
        return Conversions.toInteger(this, BINARY32, unsigned(a), rm, IntegerFormat.L);
    }

    public long cvtLU32(int a, int rm) {
        return Conversions.toInteger(this, BINARY32, unsigned(a), rm, IntegerFormat.LU);
    }

    public long cvtW64(long a, int rm) {
        return Conversions.toInteger(this, BINARY64, a, rm, IntegerFormat.W);
    }

    public long cvtWU64(long a, int rm) {
        return Conversions.toInteger(this, BINARY64, a, rm, IntegerFormat.WU);
    }

    public long cvtL64(long a, int rm) {
        return Conversions.toInteger(this, BINARY64, a, rm, IntegerFormat.L);
    }

    public long cvtLU64(long a, int rm) {
        return Conversions.toInteger(this, BINARY64, a, rm, IntegerFormat.LU);
    }

    // Conversions from integers: x is the 64-bit source register, W and WU use its low 32 bits.
    // Math.abs(Long.MIN_VALUE) stays 2^63, which is right read as unsigned.

    public int cvt32FromW(long x, int rm) {
        return (int) Conversions.fromInteger(this, BINARY32, (int) x < 0, Math.abs((long) (int) x), rm);
    }

    public int cvt32FromWU(long x, int rm) {
        return (int) Conversions.fromInteger(this, BINARY32, false, x & 0xFFFF_FFFFL, rm);
    }

    public int cvt32FromL(long x, int rm) {
        return (int) Conversions.fromInteger(this, BINARY32, x < 0, Math.abs(x), rm);
    }

    public int cvt32FromLU(long x, int rm) {
        return (int) Conversions.fromInteger(this, BINARY32, false, x, rm);
    }

    public long cvt64FromW(long x, int rm) {
        return Conversions.fromInteger(this, BINARY64, (int) x < 0, Math.abs((long) (int) x), rm);
    }

    public long cvt64FromWU(long x, int rm) {
        return Conversions.fromInteger(this, BINARY64, false, x & 0xFFFF_FFFFL, rm);
    }

    public long cvt64FromL(long x, int rm) {
        return Conversions.fromInteger(this, BINARY64, x < 0, Math.abs(x), rm);
    }

    public long cvt64FromLU(long x, int rm) {
        return Conversions.fromInteger(this, BINARY64, false, x, rm);
    }

    // Conversions between formats.

    /** fcvt.d.s: exact; a NaN becomes the canonical NaN, NV when it was signaling. */
    public long cvt64From32(int a) {
        return Conversions.convert(this, BINARY32, BINARY64, unsigned(a), RNE);
    }

    /** fcvt.s.d: rounded under rm. */
    public int cvt32From64(long a, int rm) {
        return (int) Conversions.convert(this, BINARY64, BINARY32, a, rm);
    }

    // Helpers.

    /** Branch-free: whether a result is exact is as unpredictable as the operands. */
    private void inexactIf(boolean inexact) {
        flags |= inexact ? NX : 0;
    }

    private static long unsigned(int bits) {
        return bits & 0xFFFF_FFFFL;
    }

    /** Finite and above the smallest normal, so that neither overflow nor tininess is in question. */
    private static boolean isNormalAboveMin(float result) {
        float magnitude = Math.abs(result);
        return magnitude > Float.MIN_NORMAL && magnitude <= Float.MAX_VALUE;
    }

    /** The rounding error of {@code sum = x + y}, exactly (Knuth's TwoSum: any order, underflow included). */
    private static double twoSumError(double x, double y, double sum) {
        double yPart = sum - x;
        double xPart = sum - yPart;
        return (x - xPart) + (y - yPart);
    }

    /** TwoSum in binary32. */
    private static float twoSumError(float x, float y, float sum) {
        float yPart = sum - x;
        float xPart = sum - yPart;
        return (x - xPart) + (y - yPart);
    }

    /**
     * Whether p + e + z + w is exactly zero, for terms far from overflow. Shewchuk's
     * Grow-Expansion sums them into a nonoverlapping expansion, whose largest nonzero component
     * outweighs all the others: it is zero only if every component is.
     */
    private static boolean isZeroSum(double p, double e, double z, double w) {
        double s1 = p + z;
        double s0 = twoSumError(p, z, s1);
        // Grow [s0, s1] by e into [t0, t1, t2].
        double u = e + s0;
        double t0 = twoSumError(e, s0, u);
        double t2 = u + s1;
        double t1 = twoSumError(u, s1, t2);
        // Grow by w into [v0, v1, v2, v3].
        double v = w + t0;
        double v0 = twoSumError(w, t0, v);
        double vv = v + t1;
        double v1 = twoSumError(v, t1, vv);
        double v3 = vv + t2;
        double v2 = twoSumError(vv, t2, v3);
        return v0 == 0 && v1 == 0 && v2 == 0 && v3 == 0;
    }
}
