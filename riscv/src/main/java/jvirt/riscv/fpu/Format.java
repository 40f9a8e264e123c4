package jvirt.riscv.fpu;

/**
 * An IEEE 754 binary interchange format, binary32 or binary64, seen through its encoding held in
 * the low bits of a {@code long}: the field layout, the predicates on encodings, and the one
 * routine that rounds an exact result to the format and encodes it.
 */
final class Format {
    static final Format BINARY32 = new Format(8, 24);
    static final Format BINARY64 = new Format(11, 53);

    /** p: significand bits, the hidden one included. */
    final int precision;
    final int emin;
    final int emax;
    final long signBit;
    /** The encoding of +infinity; magnitudes above it are NaNs. */
    final long infinity;
    final long largestFinite;
    /** RISC-V's canonical NaN: positive, quiet, zero payload. */
    final long canonicalNaN;

    private final int fractionBits;
    private final long fractionMask;
    private final long quietBit;
    private final long minNormal;
    /** Shifts an encoding so that its sign bit becomes bit 63. */
    private final int toTop;

    private Format(int exponentBits, int precision) {
        this.precision = precision;
        fractionBits = precision - 1;
        int bias = (1 << (exponentBits - 1)) - 1;
        emax = bias;
        emin = 1 - bias;
        signBit = 1L << (exponentBits + fractionBits);
        infinity = ((1L << exponentBits) - 1) << fractionBits;
        largestFinite = infinity - 1;
        fractionMask = (1L << fractionBits) - 1;
        quietBit = 1L << (fractionBits - 1);
        canonicalNaN = infinity | quietBit;
        minNormal = 1L << fractionBits;
        toTop = 63 - (exponentBits + fractionBits);
    }

    boolean isNegative(long bits) {
        return (bits & signBit) != 0;
    }

    private long magnitude(long bits) {
        return bits & (signBit - 1);
    }

    boolean isNaN(long bits) {
        return magnitude(bits) > infinity;
    }

    boolean isSignalingNaN(long bits) {
        return isNaN(bits) && (bits & quietBit) == 0;
    }

    boolean isInfinite(long bits) {
        return magnitude(bits) == infinity;
    }

    boolean isZero(long bits) {
        return magnitude(bits) == 0;
    }

    long zero(boolean negative) {
        return negative ? signBit : 0;
    }

    long infinity(boolean negative) {
        return zero(negative) | infinity;
    }

    /**
     * The integer significand of a finite encoding, hidden bit included: the value is
     * ±significand × 2^{@link #exponent}. Infinity decodes as 2^(emax + 1).
     */
    long significand(long bits) {
        long fraction = bits & fractionMask;
        return (bits & infinity) == 0 ? fraction : fraction | minNormal;
    }

    /** The weight of the significand's least significant bit, see {@link #significand}. */
    int exponent(long bits) {
        int field = (int) ((bits & infinity) >>> fractionBits);
        return Math.max(field, 1) + emin - 1 - fractionBits;
    }

    /**
     * The result of an operation that yields a NaN. RISC-V never propagates payloads: it is
     * always the canonical NaN, and NV is raised when the operation is invalid.
     */
    long nan(Fpu fpu, boolean invalid) {
        if (invalid) {
            fpu.flags |= Fpu.NV;
        }
        return canonicalNaN;
    }

    /**
     * A key whose signed order is IEEE 754 totalOrder on non-NaN encodings: the magnitude bits of
     * negative numbers are flipped, which also puts -0 below +0.
     */
    long totalOrderKey(long bits) {
        long top = bits << toTop;
        return top ^ ((top >> 63) >>> 1);
    }

    /**
     * The RISC-V fclass mask: bit 0 -inf, 1 -normal, 2 -subnormal, 3 -0, the same classes of
     * positive numbers mirrored in bits 7 to 4, 8 signaling NaN, 9 quiet NaN.
     */
    int classify(long bits) {
        long magnitude = magnitude(bits);
        if (magnitude > infinity) {
            return (bits & quietBit) != 0 ? 1 << 9 : 1 << 8;
        }
        int negativeClass = magnitude == infinity ? 0 : magnitude >= minNormal ? 1 : magnitude != 0 ? 2 : 3;
        return 1 << (isNegative(bits) ? negativeClass : 7 - negativeClass);
    }

    /** Rounds an exact (or sticky, see {@link Exact}) value to this format and encodes it, raising NX, UF and OF. */
    long round(Fpu fpu, Exact x, int rm) {
        if (x.magnitude().signum() == 0) {
            return zero(x.negative());
        }
        int excess = x.magnitude().bitLength() - 63;
        if (excess <= 0) {
            return round(fpu, x.negative(), x.magnitude().longValue(), x.exponent(), rm);
        }
        // Keep 63 bits, the last one sticky: plenty for 53-bit precision.
        long sticky = x.magnitude().getLowestSetBit() < excess ? 1 : 0;
        long significand = x.magnitude().shiftRight(excess).longValue() | sticky;
        return round(fpu, x.negative(), significand, x.exponent() + excess, rm);
    }

    /**
     * Rounds (-1)^negative × significand × 2^exponent to this format under {@code rm} and encodes
     * it, raising NX, UF and OF. The significand is a nonzero unsigned 64-bit integer; its least
     * significant bit may be a sticky bit (the value lies strictly between significand - 1 and
     * significand + 1 units) as long as at least precision + 1 bits lie above it.
     */
    long round(Fpu fpu, boolean negative, long significand, int exponent, int rm) {
        // Normalize the leading one to bit 62 (folding bit 0 into a sticky bit if it was bit 63).
        int leadingZeros = Long.numberOfLeadingZeros(significand);
        long sig = leadingZeros == 0 ? (significand >>> 1) | (significand & 1) : significand << (leadingZeros - 1);
        int exp = exponent - leadingZeros + 1;
        int e = exp + 62; // with an unbounded exponent range, 2^e <= |value| < 2^(e+1)
        if (e > emax) {
            return overflow(fpu, negative, rm);
        }
        // Below emin the last place stays where it is at emin: fewer significant bits (subnormal).
        int top = Math.max(e, emin);
        int shift = top - fractionBits - exp;
        // A carry out of the significand ripples into the exponent field, subnormal to normal included.
        long bits = ((long) (top - emin) << fractionBits) + roundShifted(sig, shift, negative, rm);
        if (bits >= infinity) {
            return overflow(fpu, negative, rm);
        }
        if (discardsBits(sig, shift)) {
            fpu.flags |= isTinyAfterRounding(sig, e, negative, rm) ? Fpu.NX | Fpu.UF : Fpu.NX;
        }
        return zero(negative) | bits;
    }

    /**
     * RISC-V detects tininess after rounding: the value rounded to precision p with an unbounded
     * exponent range is below 2^emin. Just below 2^emin it may round up to 2^emin and not be tiny.
     */
    private boolean isTinyAfterRounding(long sig, int e, boolean negative, int rm) {
        return e < emin - 1 || (e == emin - 1 && roundShifted(sig, 62 - fractionBits, negative, rm) < 1L << precision);
    }

    /** Overflow gives infinity or the largest finite number, whichever the rounding direction points to. */
    private long overflow(Fpu fpu, boolean negative, int rm) {
        fpu.flags |= Fpu.OF | Fpu.NX;
        // An overflowing value lies beyond every midpoint: it rounds like one whose round and sticky bits are set.
        return zero(negative) | (roundsAway(rm, negative, true, true, true) ? infinity : largestFinite);
    }

    /**
     * {@code sig / 2^shift} rounded to an integer under {@code rm}; {@code sig} is non-negative
     * and {@code shift} at least 1.
     */
    static long roundShifted(long sig, int shift, boolean negative, int rm) {
        if (shift >= 64) {
            return roundsAway(rm, negative, false, false, sig != 0) ? 1 : 0;
        }
        long kept = sig >>> shift;
        boolean roundBit = ((sig >>> (shift - 1)) & 1) != 0;
        boolean stickyBit = (sig & ((1L << (shift - 1)) - 1)) != 0;
        return roundsAway(rm, negative, (kept & 1) != 0, roundBit, stickyBit) ? kept + 1 : kept;
    }

    /** Whether any of the low {@code shift} bits of {@code sig} is set ({@code shift} at least 1). */
    static boolean discardsBits(long sig, int shift) {
        return shift >= 64 ? sig != 0 : (sig << (64 - shift)) != 0;
    }

    /**
     * Whether rounding adds one unit in the last place to the truncated magnitude, given the
     * parity of that magnitude, the first discarded bit (worth half a unit) and whether any
     * discarded bit below it is set.
     */
    static boolean roundsAway(int rm, boolean negative, boolean odd, boolean roundBit, boolean stickyBit) {
        return switch (rm) {
            case Fpu.RNE -> roundBit && (stickyBit || odd);
            case Fpu.RTZ -> false;
            case Fpu.RDN -> negative && (roundBit || stickyBit);
            case Fpu.RUP -> !negative && (roundBit || stickyBit);
            case Fpu.RMM -> roundBit;
            default -> throw new IllegalArgumentException("rounding mode " + rm);
        };
    }
}
