package jvirt.riscv.fpu;

/**
 * The fcvt family, for any format and rounding mode, in 64-bit integer arithmetic: between
 * floating-point formats, from integers, and to integers with RISC-V's saturation rules.
 */
final class Conversions {
    private Conversions() {
    }

    /**
     * An integer destination of fcvt.{w,wu,l,lu}: the largest representable value and the
     * magnitude of the smallest, both unsigned, and whether the 32-bit result is sign-extended
     * into the 64-bit register (it is for WU too).
     */
    enum IntegerFormat {
        W(Integer.MAX_VALUE, 1L << 31, true),
        WU(0xFFFF_FFFFL, 0, true),
        L(Long.MAX_VALUE, 1L << 63, false),
        LU(-1L, 0, false);

        final long max;
        final long minMagnitude;
        final boolean signExtended32;

        IntegerFormat(long max, long minMagnitude, boolean signExtended32) {
            this.max = max;
            this.minMagnitude = minMagnitude;
            this.signExtended32 = signExtended32;
        }

        long register(long value) {
            return signExtended32 ? (int) value : value;
        }
    }

    /**
     * Rounds {@code a} to an integer under {@code rm}. A NaN or a result out of the destination's
     * range raises NV alone (not NX) and saturates: NaN and positive values to the maximum,
     * negative values to the minimum. A negative value that rounds to 0 is in range even for an
     * unsigned destination.
     */
    static long toInteger(Fpu fpu, Format f, long a, int rm, IntegerFormat to) {
        if (f.isNaN(a)) {
            fpu.flags |= Fpu.NV;
            return to.register(to.max);
        }
        boolean negative = f.isNegative(a);
        long significand = f.significand(a);
        int exponent = f.exponent(a);
        // Magnitudes of 2^64 or more (infinity among them) fit no destination.
        boolean fits64 = exponent <= Long.numberOfLeadingZeros(significand);
        long magnitude = !fits64 ? 0
                : exponent >= 0 ? significand << exponent
                : Format.roundShifted(significand, -exponent, negative, rm);
        boolean inRange = fits64 && Long.compareUnsigned(magnitude, negative ? to.minMagnitude : to.max) <= 0;
        if (!inRange) {
            fpu.flags |= Fpu.NV;
            return to.register(negative ? -to.minMagnitude : to.max);
        }
        if (exponent < 0 && Format.discardsBits(significand, -exponent)) {
            fpu.flags |= Fpu.NX;
        }
        return to.register(negative ? -magnitude : magnitude);
    }

    /** Rounds the integer (-1)^negative × magnitude ({@code magnitude} unsigned) to {@code f}; zero is +0. */
    static long fromInteger(Fpu fpu, Format f, boolean negative, long magnitude, int rm) {
        return magnitude == 0 ? f.zero(false) : f.round(fpu, negative, magnitude, 0, rm);
    }

    /** fcvt.s.d and fcvt.d.s: NaNs become the canonical NaN (NV for a signaling one). */
    static long convert(Fpu fpu, Format from, Format to, long a, int rm) {
        if (from.isNaN(a)) {
            return to.nan(fpu, from.isSignalingNaN(a));
        }
        boolean negative = from.isNegative(a);
        if (from.isInfinite(a)) {
            return to.infinity(negative);
        }
        if (from.isZero(a)) {
            return to.zero(negative);
        }
        return to.round(fpu, negative, from.significand(a), from.exponent(a), rm);
    }
}
