package jvirt.riscv.fpu;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * A model of IEEE 754 rounding written independently of {@link Fpu}: exact values are
 * {@link BigDecimal}s, and BigDecimal's own rounding modes make the rounding decisions (RMM is
 * HALF_UP, which rounds ties away from zero). Slow and simple: it is the oracle for the rounding
 * mode the host hardware lacks (RMM), and a second opinion on the others.
 */
final class Reference {
    private Reference() {
    }

    /** A binary interchange format: precision p and the normal exponent range. */
    enum Binary {
        BINARY32(24, -126, 127),
        BINARY64(53, -1022, 1023);

        final int precision;
        final int emin;
        final int emax;

        Binary(int precision, int emin, int emax) {
            this.precision = precision;
            this.emin = emin;
            this.emax = emax;
        }

        boolean isFinite(long bits) {
            return this == BINARY32 ? Float.isFinite(Float.intBitsToFloat((int) bits))
                    : Double.isFinite(Double.longBitsToDouble(bits));
        }

        /** The exact value of a finite encoding (the sign of zero is lost). */
        BigDecimal value(long bits) {
            double x = this == BINARY32 ? Float.intBitsToFloat((int) bits) : Double.longBitsToDouble(bits);
            return new BigDecimal(x);
        }

        /** The encoding of ±m × 2^k, which must be representable; as an unsigned long for binary32. */
        long encode(boolean negative, BigInteger m, int k) {
            if (this == BINARY32) {
                float x = Math.scalb((float) m.longValueExact(), k);
                return Float.floatToRawIntBits(negative ? -x : x) & 0xFFFF_FFFFL;
            }
            double x = Math.scalb((double) m.longValueExact(), k);
            return Double.doubleToRawLongBits(negative ? -x : x);
        }

        long largestFinite(boolean negative) {
            return encode(negative, BigInteger.ONE.shiftLeft(precision).subtract(BigInteger.ONE), emax - precision + 1);
        }

        long infinity(boolean negative) {
            double infinity = negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            return this == BINARY32 ? Float.floatToRawIntBits((float) infinity) & 0xFFFF_FFFFL
                    : Double.doubleToRawLongBits(infinity);
        }
    }

    /** An encoding (binary32 as an unsigned long) and the fflags raised. */
    record Rounded(long bits, int flags) {
    }

    /** The BigDecimal rounding mode of a RISC-V rm encoding. */
    static RoundingMode mode(int rm) {
        return switch (rm) {
            case Fpu.RNE -> RoundingMode.HALF_EVEN;
            case Fpu.RTZ -> RoundingMode.DOWN;
            case Fpu.RDN -> RoundingMode.FLOOR;
            case Fpu.RUP -> RoundingMode.CEILING;
            case Fpu.RMM -> RoundingMode.HALF_UP;
            default -> throw new IllegalArgumentException("rm " + rm);
        };
    }

    /** 2^e, exactly. */
    static BigDecimal pow2(int e) {
        return e >= 0 ? new BigDecimal(BigInteger.ONE.shiftLeft(e)) : new BigDecimal(BigInteger.valueOf(5).pow(-e), -e);
    }

    /** Rounds the nonzero quotient num / den (den positive) to format f under rm, with IEEE 754 flags. */
    static Rounded round(Binary f, BigDecimal num, BigDecimal den, int rm) {
        boolean negative = num.signum() < 0;
        BigDecimal magnitude = num.abs();
        int e = binaryExponent(magnitude, den);
        int k = Math.max(e, f.emin) - (f.precision - 1);
        BigInteger m = roundedMultiple(num, den, k, rm);
        boolean inexact = new BigDecimal(m).multiply(pow2(k)).multiply(den).compareTo(num) != 0;
        if (m.abs().bitLength() - 1 + k > f.emax) {
            boolean toInfinity = switch (rm) {
                case Fpu.RNE, Fpu.RMM -> true;
                case Fpu.RTZ -> false;
                case Fpu.RDN -> negative;
                default -> !negative;
            };
            return new Rounded(toInfinity ? f.infinity(negative) : f.largestFinite(negative), Fpu.OF | Fpu.NX);
        }
        // Tiny: the value rounded to p bits with an unbounded exponent range is below 2^emin.
        int unboundedK = e - (f.precision - 1);
        boolean tiny = e < f.emin
                && roundedMultiple(num, den, unboundedK, rm).abs().bitLength() - 1 + unboundedK < f.emin;
        int flags = (inexact ? Fpu.NX : 0) | (inexact && tiny ? Fpu.UF : 0);
        return new Rounded(f.encode(negative, m.abs(), k), flags);
    }

    /** Rounds a nonzero exact value to f. */
    static Rounded round(Binary f, BigDecimal exact, int rm) {
        return round(f, exact, BigDecimal.ONE, rm);
    }

    /** num / (den × 2^k) rounded to an integer. */
    private static BigInteger roundedMultiple(BigDecimal num, BigDecimal den, int k, int rm) {
        return num.divide(den.multiply(pow2(k)), 0, mode(rm)).toBigIntegerExact();
    }

    /** e with 2^e <= magnitude / den < 2^(e+1). */
    private static int binaryExponent(BigDecimal magnitude, BigDecimal den) {
        int e = (int) Math.floor(log2(magnitude) - log2(den));
        while (magnitude.compareTo(den.multiply(pow2(e))) < 0) {
            e--;
        }
        while (magnitude.compareTo(den.multiply(pow2(e + 1))) >= 0) {
            e++;
        }
        return e;
    }

    private static double log2(BigDecimal x) {
        BigInteger unscaled = x.unscaledValue();
        int drop = Math.max(0, unscaled.bitLength() - 60);
        double log2Of10 = Math.log(10) / Math.log(2);
        return Math.log(unscaled.shiftRight(drop).doubleValue()) / Math.log(2) + drop - x.scale() * log2Of10;
    }
}
