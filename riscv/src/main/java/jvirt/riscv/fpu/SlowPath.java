package jvirt.riscv.fpu;

/**
 * The arithmetic operations for any format and rounding mode, computed exactly and rounded once:
 * what {@link Fpu} falls back to when its fast paths cannot vouch for the result or the flags.
 * NaN, infinity and zero operands follow IEEE 754 and the RISC-V rules (canonical NaN results).
 */
final class SlowPath {
    private SlowPath() {
    }

    static long add(Fpu fpu, Format f, long a, long b, int rm) {
        if (f.isNaN(a) || f.isNaN(b)) {
            return f.nan(fpu, f.isSignalingNaN(a) || f.isSignalingNaN(b));
        }
        if (f.isInfinite(a) || f.isInfinite(b)) {
            boolean infinityMinusInfinity = f.isInfinite(a) && f.isInfinite(b) && f.isNegative(a) != f.isNegative(b);
            return infinityMinusInfinity ? f.nan(fpu, true) : f.isInfinite(a) ? a : b;
        }
        return f.round(fpu, Exact.of(f, a).plus(Exact.of(f, b), rm), rm);
    }

    static long mul(Fpu fpu, Format f, long a, long b, int rm) {
        if (f.isNaN(a) || f.isNaN(b)) {
            return f.nan(fpu, f.isSignalingNaN(a) || f.isSignalingNaN(b));
        }
        if (f.isInfinite(a) || f.isInfinite(b)) {
            return f.isZero(a) || f.isZero(b) ? f.nan(fpu, true) : f.infinity(f.isNegative(a) != f.isNegative(b));
        }
        return f.round(fpu, Exact.of(f, a).times(Exact.of(f, b)), rm);
    }

    static long div(Fpu fpu, Format f, long a, long b, int rm) {
        if (f.isNaN(a) || f.isNaN(b)) {
            return f.nan(fpu, f.isSignalingNaN(a) || f.isSignalingNaN(b));
        }
        boolean negative = f.isNegative(a) != f.isNegative(b);
        if (f.isInfinite(a)) {
            return f.isInfinite(b) ? f.nan(fpu, true) : f.infinity(negative);
        }
        if (f.isInfinite(b)) {
            return f.zero(negative);
        }
        if (f.isZero(b)) {
            if (f.isZero(a)) {
                return f.nan(fpu, true);
            }
            fpu.flags |= Fpu.DZ;
            return f.infinity(negative);
        }
        if (f.isZero(a)) {
            return f.zero(negative);
        }
        return f.round(fpu, Exact.of(f, a).dividedBy(Exact.of(f, b), f.precision + 1), rm);
    }

    static long sqrt(Fpu fpu, Format f, long a, int rm) {
        if (f.isNaN(a)) {
            return f.nan(fpu, f.isSignalingNaN(a));
        }
        if (f.isZero(a)) {
            return a; // sqrt(-0) is -0
        }
        if (f.isNegative(a)) {
            return f.nan(fpu, true);
        }
        if (f.isInfinite(a)) {
            return a;
        }
        return f.round(fpu, Exact.of(f, a).sqrt(f.precision + 1), rm);
    }

    /** a × b + c with a single rounding. */
    static long fma(Fpu fpu, Format f, long a, long b, long c, int rm) {
        boolean infinityTimesZero = f.isInfinite(a) && f.isZero(b) || f.isZero(a) && f.isInfinite(b);
        if (f.isNaN(a) || f.isNaN(b) || f.isNaN(c)) {
            // RISC-V: ∞ × 0 is invalid even when c is a quiet NaN.
            boolean signaling = f.isSignalingNaN(a) || f.isSignalingNaN(b) || f.isSignalingNaN(c);
            return f.nan(fpu, signaling || infinityTimesZero);
        }
        if (infinityTimesZero) {
            return f.nan(fpu, true);
        }
        boolean productNegative = f.isNegative(a) != f.isNegative(b);
        if (f.isInfinite(a) || f.isInfinite(b)) {
            boolean infinityMinusInfinity = f.isInfinite(c) && f.isNegative(c) != productNegative;
            return infinityMinusInfinity ? f.nan(fpu, true) : f.infinity(productNegative);
        }
        if (f.isInfinite(c)) {
            return c;
        }
        Exact product = Exact.of(f, a).times(Exact.of(f, b));
        return f.round(fpu, product.plus(Exact.of(f, c), rm), rm);
    }
}
