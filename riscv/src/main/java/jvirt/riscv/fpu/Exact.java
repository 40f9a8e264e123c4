package jvirt.riscv.fpu;

import java.math.BigInteger;

/**
 * A finite real number (-1)^negative × magnitude × 2^exponent, for the slow paths: sums and
 * products are exact. Quotients and square roots are not binary fractions in general; they
 * carry enough bits for rounding and fold the rest into a sticky least significant bit (set when
 * the true value lies strictly between two consecutive magnitudes).
 */
record Exact(boolean negative, BigInteger magnitude, int exponent) {

    /** The value of a finite encoding. */
    static Exact of(Format f, long bits) {
        return new Exact(f.isNegative(bits), BigInteger.valueOf(f.significand(bits)), f.exponent(bits));
    }

    Exact times(Exact y) {
        return new Exact(negative != y.negative, magnitude.multiply(y.magnitude), exponent + y.exponent);
    }

    /**
     * The sum, exact. An exactly zero sum of operands of opposite signs is +0, or -0 when
     * rounding down (IEEE 754 6.3); zeros of the same sign keep it.
     */
    Exact plus(Exact y, int rm) {
        int e = Math.min(exponent, y.exponent);
        BigInteger a = magnitude.shiftLeft(exponent - e);
        BigInteger b = y.magnitude.shiftLeft(y.exponent - e);
        if (negative == y.negative) {
            return new Exact(negative, a.add(b), e);
        }
        int order = a.compareTo(b);
        if (order == 0) {
            return new Exact(rm == Fpu.RDN, BigInteger.ZERO, e);
        }
        return order > 0 ? new Exact(negative, a.subtract(b), e) : new Exact(y.negative, b.subtract(a), e);
    }

    /** The quotient (y nonzero) to at least {@code bits} significant bits, plus a sticky bit. */
    Exact dividedBy(Exact y, int bits) {
        // Scale the dividend so that the integer quotient keeps at least `bits` bits.
        int scale = Math.max(0, bits + y.magnitude.bitLength() - magnitude.bitLength());
        BigInteger[] quotientAndRemainder = magnitude.shiftLeft(scale).divideAndRemainder(y.magnitude);
        return new Exact(negative != y.negative,
                withSticky(quotientAndRemainder[0], quotientAndRemainder[1].signum() != 0),
                exponent - y.exponent - scale - 1);
    }

    /** The square root (this positive) to at least {@code bits} significant bits, plus a sticky bit. */
    Exact sqrt(int bits) {
        // Scale the radicand to 2 × bits bits or more, with an even exponent so that it halves.
        int scale = Math.max(0, 2 * bits - magnitude.bitLength());
        scale += (exponent - scale) & 1;
        BigInteger radicand = magnitude.shiftLeft(scale);
        BigInteger root = radicand.sqrt();
        return new Exact(false, withSticky(root, !root.multiply(root).equals(radicand)), (exponent - scale) / 2 - 1);
    }

    /** Appends a sticky bit below {@code truncated}: one exactly when the value was not exact. */
    private static BigInteger withSticky(BigInteger truncated, boolean inexact) {
        BigInteger shifted = truncated.shiftLeft(1);
        return inexact ? shifted.setBit(0) : shifted;
    }
}
