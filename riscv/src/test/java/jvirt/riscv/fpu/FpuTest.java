package jvirt.riscv.fpu;

import static jvirt.riscv.fpu.Fpu.CANONICAL_NAN32;
import static jvirt.riscv.fpu.Fpu.CANONICAL_NAN64;
import static jvirt.riscv.fpu.Fpu.DZ;
import static jvirt.riscv.fpu.Fpu.NV;
import static jvirt.riscv.fpu.Fpu.NX;
import static jvirt.riscv.fpu.Fpu.OF;
import static jvirt.riscv.fpu.Fpu.RDN;
import static jvirt.riscv.fpu.Fpu.RMM;
import static jvirt.riscv.fpu.Fpu.RNE;
import static jvirt.riscv.fpu.Fpu.RTZ;
import static jvirt.riscv.fpu.Fpu.RUP;
import static jvirt.riscv.fpu.Fpu.UF;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Hand-picked cases: the special values and edge cases the RISC-V F and D extensions pin down. */
class FpuTest {
    private static final int SNAN32 = 0x7f80_0001;
    private static final int NEGATIVE_SNAN32 = 0xff81_2345;
    private static final int NEGATIVE_QNAN32 = 0xffc1_2345;
    private static final long SNAN64 = 0x7ff0_0000_0000_0001L;
    private static final long NEGATIVE_QNAN64 = 0xfff8_0000_0001_2345L;
    private static final float INF32 = Float.POSITIVE_INFINITY;
    private static final double INF = Double.POSITIVE_INFINITY;
    private static final double MAX = Double.MAX_VALUE;
    private static final int[] ALL_MODES = {RNE, RTZ, RDN, RUP, RMM};

    private final Fpu fpu = new Fpu();

    // ---- NaNs and invalid operations.

    @Test
    void nanResultsAreCanonicalAndOnlySignalingNaNsRaiseNv() {
        expect(fpu.add32(NEGATIVE_QNAN32, bits(1f), RNE), CANONICAL_NAN32, 0);
        expect(fpu.add32(bits(1f), SNAN32, RNE), CANONICAL_NAN32, NV);
        expect(fpu.sub32(bits(1f), NEGATIVE_SNAN32, RNE), CANONICAL_NAN32, NV);
        expect(fpu.mul64(NEGATIVE_QNAN64, bits(2.0), RTZ), CANONICAL_NAN64, 0);
        expect(fpu.div64(SNAN64, NEGATIVE_QNAN64, RNE), CANONICAL_NAN64, NV);
        expect(fpu.sqrt32(NEGATIVE_QNAN32, RNE), CANONICAL_NAN32, 0);
        expect(fpu.sqrt64(SNAN64, RUP), CANONICAL_NAN64, NV);
        expect(fpu.fma64(bits(1.0), bits(1.0), SNAN64, RNE), CANONICAL_NAN64, NV);
        expect(fpu.fma32(NEGATIVE_QNAN32, bits(0f), bits(INF32), RNE), CANONICAL_NAN32, 0);
    }

    @Test
    void invalidOperationsGiveTheCanonicalNaN() {
        expect(fpu.add64(bits(INF), bits(-INF), RNE), CANONICAL_NAN64, NV);
        expect(fpu.sub32(bits(INF32), bits(INF32), RNE), CANONICAL_NAN32, NV);
        expect(fpu.mul32(bits(0f), bits(-INF32), RNE), CANONICAL_NAN32, NV);
        expect(fpu.div64(bits(0.0), bits(-0.0), RNE), CANONICAL_NAN64, NV);
        expect(fpu.div64(bits(INF), bits(-INF), RNE), CANONICAL_NAN64, NV);
        expect(fpu.sqrt32(bits(-1f), RNE), CANONICAL_NAN32, NV);
        expect(fpu.sqrt64(bits(-INF), RNE), CANONICAL_NAN64, NV);
        expect(fpu.sqrt64(bits(-Double.MIN_VALUE), RNE), CANONICAL_NAN64, NV);
    }

    @Test
    void infinitiesThatAreNotInvalid() {
        expect(fpu.add32(bits(INF32), bits(INF32), RNE), bits(INF32), 0);
        expect(fpu.add64(bits(-INF), bits(MAX), RTZ), bits(-INF), 0);
        expect(fpu.mul64(bits(-INF), bits(Double.MIN_VALUE), RNE), bits(-INF), 0);
        expect(fpu.div32(bits(-INF32), bits(0f), RNE), bits(-INF32), 0); // no DZ: the dividend is not finite
        expect(fpu.sqrt64(bits(INF), RDN), bits(INF), 0);
        expect(fpu.fma64(bits(INF), bits(-2.0), bits(-INF), RNE), bits(-INF), 0);
        expect(fpu.fma64(bits(2.0), bits(3.0), bits(-INF), RNE), bits(-INF), 0);
    }

    @Test
    void divisionOfAFiniteNonzeroByZeroRaisesDz() {
        expect(fpu.div32(bits(1f), bits(0f), RNE), bits(INF32), DZ);
        expect(fpu.div32(bits(-1f), bits(0f), RTZ), bits(-INF32), DZ);
        expect(fpu.div64(bits(Double.MIN_VALUE), bits(-0.0), RNE), bits(-INF), DZ);
    }

    @Test
    void fmaOfInfinityTimesZeroIsInvalidEvenWithAQuietNaNAddend() {
        expect(fpu.fma32(bits(INF32), bits(0f), CANONICAL_NAN32, RNE), CANONICAL_NAN32, NV);
        expect(fpu.fma64(bits(-0.0), bits(INF), NEGATIVE_QNAN64, RNE), CANONICAL_NAN64, NV);
        expect(fpu.fma64(bits(INF), bits(0.0), bits(1.0), RNE), CANONICAL_NAN64, NV);
        expect(fpu.fma64(bits(INF), bits(2.0), bits(-INF), RNE), CANONICAL_NAN64, NV);
    }

    // ---- Signed zeros.

    @Test
    void exactZeroSumsArePositiveExceptWhenRoundingDown() {
        for (int rm : new int[] {RNE, RTZ, RUP, RMM}) {
            expect(fpu.add32(bits(0f), bits(-0f), rm), bits(0f), 0);
            expect(fpu.sub64(bits(1.5), bits(1.5), rm), bits(0.0), 0);
            expect(fpu.fma64(bits(2.0), bits(3.0), bits(-6.0), rm), bits(0.0), 0);
        }
        expect(fpu.add32(bits(0f), bits(-0f), RDN), bits(-0f), 0);
        expect(fpu.sub64(bits(1.5), bits(1.5), RDN), bits(-0.0), 0);
        expect(fpu.fma64(bits(2.0), bits(3.0), bits(-6.0), RDN), bits(-0.0), 0);
        expect(fpu.add64(bits(-0.0), bits(-0.0), RNE), bits(-0.0), 0);
        expect(fpu.sub32(bits(-0f), bits(0f), RUP), bits(-0f), 0);
    }

    @Test
    void zeroSignsOfProductsQuotientsRootsAndFusedSigns() {
        expect(fpu.mul32(bits(-0f), bits(5f), RNE), bits(-0f), 0);
        expect(fpu.div64(bits(-0.0), bits(-5.0), RNE), bits(0.0), 0);
        expect(fpu.div64(bits(5.0), bits(-INF), RNE), bits(-0.0), 0);
        expect(fpu.sqrt64(bits(-0.0), RNE), bits(-0.0), 0);
        expect(fpu.sqrt32(bits(-0f), RDN), bits(-0f), 0);
        // FNMADD 0, 5, 0 is fma(-0, 5, -0): both zeros negative.
        expect(fpu.fma32(bits(-0f), bits(5f), bits(-0f), RNE), bits(-0f), 0);
        // FMSUB 0, 5, 0 is fma(0, 5, -0): zeros of opposite signs.
        expect(fpu.fma64(bits(0.0), bits(5.0), bits(-0.0), RNE), bits(0.0), 0);
        expect(fpu.fma64(bits(0.0), bits(5.0), bits(-0.0), RDN), bits(-0.0), 0);
        // A nonzero product that underflows is not an exact zero: it keeps its own sign.
        expect(fpu.fma64(bits(Double.MIN_VALUE), bits(0.5), bits(-0.0), RNE), bits(0.0), UF | NX);
        expect(fpu.fma64(bits(-Double.MIN_VALUE), bits(0.25), bits(0.0), RDN), bits(-Double.MIN_VALUE), UF | NX);
    }

    // ---- Rounding.

    @Test
    void everyRoundingModeOnAnInexactQuotient() {
        int third = bits(1f / 3); // 0x3eaaaaab, rounded up to nearest
        int[] positive = {third, third - 1, third - 1, third, third};
        int[] negative = {third | 0x8000_0000, third - 1 | 0x8000_0000, third | 0x8000_0000, third - 1 | 0x8000_0000,
            third | 0x8000_0000};
        for (int rm : ALL_MODES) {
            expect(fpu.div32(bits(1f), bits(3f), rm), positive[rm], NX);
            expect(fpu.div32(bits(-1f), bits(3f), rm), negative[rm], NX);
        }
    }

    @Test
    void everyRoundingModeOnASquareRoot() {
        long nearest = bits(Math.sqrt(2.0)); // rounded up: sqrt(2) = 1.41421356237309504880...
        long[] expected = {nearest, nearest - 1, nearest - 1, nearest, nearest};
        for (int rm : ALL_MODES) {
            expect(fpu.sqrt64(bits(2.0), rm), expected[rm], NX);
        }
        expect(fpu.sqrt32(bits(6.25f), RTZ), bits(2.5f), 0);
    }

    @Test
    void tiesGoToEvenOrAwayFromZero() {
        expect(fpu.add64(bits(1.0), bits(0x1p-53), RNE), bits(1.0), NX);
        expect(fpu.add64(bits(1.0), bits(0x1p-53), RMM), bits(1 + 0x1p-52), NX);
        expect(fpu.add64(bits(-1.0), bits(-0x1p-53), RMM), bits(-1 - 0x1p-52), NX);
        expect(fpu.add64(bits(1 + 0x1p-52), bits(0x1p-53), RNE), bits(1 + 0x1p-51), NX);
        expect(fpu.add32(bits(1f), bits(0x1p-24f), RNE), bits(1f), NX);
        expect(fpu.add32(bits(1f), bits(0x1p-24f), RMM), bits(1 + 0x1p-23f), NX);
        expect(fpu.mul32(bits(-1.5f), bits(1 + 0x1p-23f), RMM), bits(-1.5f - 0x1p-22f), NX);
    }

    @Test
    void fmaRoundsOnce() {
        // (1 + 2^-30)(1 - 2^-30) - 1 is exactly -2^-60; rounding the product first would give 0.
        expect(fpu.fma64(bits(1 + 0x1p-30), bits(1 - 0x1p-30), bits(-1.0), RNE), bits(-0x1p-60), 0);
        expect(fpu.fma32(bits(1 + 0x1p-12f), bits(1 - 0x1p-12f), bits(-1f), RNE), bits(-0x1p-24f), 0);
        // (1 + 2^-52)^2 - (1 + 2^-51) is exactly 2^-104; (1 + 2^-52)^2 - 1 is not representable.
        expect(fpu.fma64(bits(1 + 0x1p-52), bits(1 + 0x1p-52), bits(-1 - 0x1p-51), RNE), bits(0x1p-104), 0);
        expect(fpu.fma64(bits(1 + 0x1p-52), bits(1 + 0x1p-52), bits(-1.0), RNE), bits(0x1p-51), NX);
    }

    @Test
    void fma32IsNotFooledByDoubleRounding() {
        // 658529 × 104353 = 2^36 + 1, so the product is 2^-24 + 2^-60 and the sum lies just above
        // the midpoint 1 + 2^-24: correctly 1 + 2^-23, but 1 if rounded to double and then to float.
        int a = bits(658529 * 0x1p-30f);
        int b = bits(104353 * 0x1p-30f);
        expect(fpu.fma32(a, b, bits(1f), RNE), bits(1 + 0x1p-23f), NX);
        expect(fpu.fma32(a ^ 0x8000_0000, b, bits(-1f), RNE), bits(-1 - 0x1p-23f), NX);
        expect(fpu.fma32(a, b, bits(1f), RTZ), bits(1f), NX);
    }

    // ---- Underflow: tininess is detected after rounding.

    @Test
    void exactSubnormalResultsRaiseNothing() {
        expect(fpu.mul64(bits(Double.MIN_NORMAL), bits(0.5), RNE), bits(0x1p-1023), 0);
        expect(fpu.mul32(bits(3 * 0x1p-140f), bits(0x1p-5f), RUP), bits(3 * 0x1p-145f), 0);
        expect(fpu.div64(bits(3 * Double.MIN_VALUE), bits(3.0), RNE), bits(Double.MIN_VALUE), 0);
        long largestSubnormal = bits(Double.MIN_NORMAL) - 1;
        expect(fpu.sub64(bits(Double.MIN_NORMAL), bits(Double.MIN_VALUE), RNE), largestSubnormal, 0);
        expect(fpu.fma32(bits(0x1p-70f), bits(0x1p-70f), bits(0f), RNE), bits(0x1p-140f), 0);
    }

    @Test
    void tinyAfterRoundingBelowTheSmallestNormal() {
        // 441650591 × 20394401 = 2^53 - 1: the product (2^53 - 1) × 2^-1075 fits 53 bits with an
        // unbounded exponent, so it is tiny, though its subnormal rounding reaches 2^-1022.
        long a = bits(441650591 * 0x1p-500);
        long b = bits(20394401 * 0x1p-575);
        long largestSubnormal = bits(Double.MIN_NORMAL) - 1;
        expect(fpu.mul64(a, b, RNE), bits(Double.MIN_NORMAL), UF | NX);
        expect(fpu.mul64(a, b, RMM), bits(Double.MIN_NORMAL), UF | NX);
        expect(fpu.mul64(a, b, RUP), bits(Double.MIN_NORMAL), UF | NX);
        expect(fpu.mul64(a, b, RTZ), largestSubnormal, UF | NX);
        expect(fpu.mul64(a, b, RDN), largestSubnormal, UF | NX);
        // 4095 × 4097 = 2^24 - 1: the same for binary32, (2^24 - 1) × 2^-150.
        expect(fpu.mul32(bits(4095 * 0x1p-75f), bits(4097 * 0x1p-75f), RNE), bits(Float.MIN_NORMAL), UF | NX);
        expect(fpu.cvt32From64(bits(0x1p-126 * (1 - 0x1p-24)), RNE), bits(Float.MIN_NORMAL), UF | NX);
    }

    @Test
    void notTinyWhenRoundingWithAnUnboundedExponentReachesTheSmallestNormal() {
        // (2^27 - 1)(2^27 + 1) = 2^54 - 1: the product (2^54 - 1) × 2^-1076 is below 2^-1022, but
        // rounds to it even at full precision: inexact, not tiny, no underflow.
        long a = bits(((1 << 27) - 1) * 0x1p-600);
        long b = bits(((1 << 27) + 1) * 0x1p-476);
        expect(fpu.mul64(a, b, RNE), bits(Double.MIN_NORMAL), NX);
        expect(fpu.mul64(a, b, RUP), bits(Double.MIN_NORMAL), NX);
        expect(fpu.mul64(a, b, RTZ), bits(Double.MIN_NORMAL) - 1, UF | NX);
        // 18631 × 1801 = 2^25 - 1: the same for binary32, (2^25 - 1) × 2^-151.
        expect(fpu.mul32(bits(18631 * 0x1p-75f), bits(1801 * 0x1p-76f), RNE), bits(Float.MIN_NORMAL), NX);
        expect(fpu.cvt32From64(bits(0x1p-126 * (1 - 0x1p-25)), RNE), bits(Float.MIN_NORMAL), NX);
        expect(fpu.cvt32From64(bits(0x1p-126 * (1 - 0x1p-25)), RTZ), bits(Float.MIN_NORMAL) - 1, UF | NX);
    }

    @Test
    void underflowToZeroAndToTheSmallestSubnormal() {
        expect(fpu.mul64(bits(Double.MIN_VALUE), bits(0.5), RNE), bits(0.0), UF | NX);
        expect(fpu.mul64(bits(Double.MIN_VALUE), bits(0.5), RMM), bits(Double.MIN_VALUE), UF | NX);
        expect(fpu.mul64(bits(Double.MIN_VALUE), bits(0.25), RUP), bits(Double.MIN_VALUE), UF | NX);
        expect(fpu.mul64(bits(-Double.MIN_VALUE), bits(0.25), RDN), bits(-Double.MIN_VALUE), UF | NX);
        expect(fpu.mul64(bits(-Double.MIN_VALUE), bits(0.25), RUP), bits(-0.0), UF | NX);
        expect(fpu.mul32(bits(Float.MIN_VALUE), bits(0.75f), RNE), bits(Float.MIN_VALUE), UF | NX);
        expect(fpu.div32(bits(Float.MIN_VALUE), bits(3f), RNE), bits(0f), UF | NX);
        expect(fpu.cvt32From64(bits(1e-300), RNE), bits(0f), UF | NX);
        expect(fpu.cvt32From64(bits(1e-300), RUP), bits(Float.MIN_VALUE), UF | NX);
    }

    // ---- Overflow.

    @Test
    void overflowGoesToInfinityOrTheLargestFiniteByRoundingDirection() {
        long inf = bits(INF);
        long max = bits(MAX);
        long[] positive = {inf, max, max, inf, inf};
        long[] negative = {inf | Long.MIN_VALUE, max | Long.MIN_VALUE, inf | Long.MIN_VALUE, max | Long.MIN_VALUE,
            inf | Long.MIN_VALUE};
        for (int rm : ALL_MODES) {
            expect(fpu.mul64(bits(MAX), bits(2.0), rm), positive[rm], OF | NX);
            expect(fpu.mul64(bits(MAX), bits(-2.0), rm), negative[rm], OF | NX);
            expect(fpu.add64(bits(-MAX), bits(-MAX), rm), negative[rm], OF | NX);
        }
        expect(fpu.mul32(bits(Float.MAX_VALUE), bits(Float.MAX_VALUE), RTZ), bits(Float.MAX_VALUE), OF | NX);
        expect(fpu.cvt32From64(bits(1e300), RNE), bits(INF32), OF | NX);
        expect(fpu.cvt32From64(bits(-1e300), RUP), bits(-Float.MAX_VALUE), OF | NX);
    }

    @Test
    void overflowIsDecidedAfterRounding() {
        double halfUlp = 0x1p970; // half the spacing of binary64 numbers at the largest finite
        expect(fpu.add64(bits(MAX), bits(halfUlp), RNE), bits(INF), OF | NX); // a tie, and MAX is odd
        expect(fpu.add64(bits(MAX), bits(halfUlp), RMM), bits(INF), OF | NX);
        expect(fpu.add64(bits(MAX), bits(halfUlp), RTZ), bits(MAX), NX);
        expect(fpu.add64(bits(MAX), bits(Math.nextDown(halfUlp)), RNE), bits(MAX), NX);
        expect(fpu.fma64(bits(MAX), bits(1.0), bits(Math.nextDown(halfUlp)), RNE), bits(MAX), NX);
    }

    // ---- minimumNumber, maximumNumber, comparisons, fclass.

    @Test
    void minAndMaxOrderSignedZerosAndIgnoreASingleNaN() {
        expect(fpu.min32(bits(-0f), bits(0f)), bits(-0f), 0);
        expect(fpu.min32(bits(0f), bits(-0f)), bits(-0f), 0);
        expect(fpu.max64(bits(-0.0), bits(0.0)), bits(0.0), 0);
        expect(fpu.max64(bits(0.0), bits(-0.0)), bits(0.0), 0);
        expect(fpu.min64(NEGATIVE_QNAN64, bits(-3.0)), bits(-3.0), 0);
        expect(fpu.max32(bits(2f), NEGATIVE_QNAN32), bits(2f), 0);
        expect(fpu.min32(SNAN32, bits(1f)), bits(1f), NV);
        expect(fpu.max64(bits(1.0), SNAN64), bits(1.0), NV);
        expect(fpu.min64(NEGATIVE_QNAN64, NEGATIVE_QNAN64), CANONICAL_NAN64, 0);
        expect(fpu.max32(SNAN32, NEGATIVE_QNAN32), CANONICAL_NAN32, NV);
        expect(fpu.min64(bits(-INF), bits(-MAX)), bits(-INF), 0);
        expect(fpu.max32(bits(-1f), bits(-2f)), bits(-1f), 0);
        expect(fpu.min64(bits(Double.MIN_VALUE), bits(-Double.MIN_VALUE)), bits(-Double.MIN_VALUE), 0);
    }

    @Test
    void minAndMaxAgreeWithJavaOnRandomNumbers() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            double x = Double.longBitsToDouble(random.nextLong());
            double y = random.nextInt(4) == 0 ? -x : Double.longBitsToDouble(random.nextLong());
            if (Double.isNaN(x) || Double.isNaN(y)) {
                continue;
            }
            expect(fpu.min64(bits(x), bits(y)), bits(Math.min(x, y)), 0);
            expect(fpu.max64(bits(x), bits(y)), bits(Math.max(x, y)), 0);
            expect(fpu.min32(bits((float) x), bits((float) y)), bits(Math.min((float) x, (float) y)), 0);
            expect(fpu.max32(bits((float) x), bits((float) y)), bits(Math.max((float) x, (float) y)), 0);
        }
    }

    @Test
    void comparisons() {
        expect(fpu.eq32(bits(-0f), bits(0f)), true, 0);
        expect(fpu.lt64(bits(-0.0), bits(0.0)), false, 0);
        expect(fpu.le64(bits(-0.0), bits(0.0)), true, 0);
        expect(fpu.lt64(bits(-INF), bits(-MAX)), true, 0);
        expect(fpu.le32(bits(INF32), bits(INF32)), true, 0);
        // feq is quiet: NV only for signaling NaNs. flt and fle signal on any NaN.
        expect(fpu.eq64(NEGATIVE_QNAN64, NEGATIVE_QNAN64), false, 0);
        expect(fpu.eq32(SNAN32, bits(1f)), false, NV);
        expect(fpu.lt32(CANONICAL_NAN32, bits(1f)), false, NV);
        expect(fpu.le64(bits(1.0), NEGATIVE_QNAN64), false, NV);
        expect(fpu.lt64(SNAN64, bits(1.0)), false, NV);
    }

    @Test
    void classifyEveryClass() {
        int[] singles = {bits(-INF32), bits(-1.5f), bits(-Float.MIN_VALUE), bits(-0f), bits(0f),
            bits(Float.MIN_NORMAL) - 1, bits(Float.MIN_NORMAL), bits(INF32), SNAN32, CANONICAL_NAN32};
        long[] doubles = {bits(-INF), bits(-MAX), bits(-Double.MIN_VALUE), bits(-0.0), bits(0.0),
            bits(Double.MIN_VALUE), bits(1.0), bits(INF), SNAN64, NEGATIVE_QNAN64};
        for (int i = 0; i < 10; i++) {
            assertThat(Fpu.classify32(singles[i])).as("fclass.s %x", singles[i]).isEqualTo(1 << i);
            assertThat(Fpu.classify64(doubles[i])).as("fclass.d %x", doubles[i]).isEqualTo(1 << i);
        }
        assertThat(Fpu.classify32(NEGATIVE_SNAN32)).isEqualTo(1 << 8);
        assertThat(Fpu.classify32(NEGATIVE_QNAN32)).isEqualTo(1 << 9);
        assertThat(Fpu.classify64(bits(Double.MIN_NORMAL) - 1)).isEqualTo(1 << 5);
    }

    // ---- Conversions.

    @Test
    void floatToIntegerSaturatesNaNAndInfinities() {
        int[] nanAndInfinities32 = {CANONICAL_NAN32, SNAN32, bits(INF32), bits(-INF32)};
        long[] nanAndInfinities64 = {NEGATIVE_QNAN64, SNAN64, bits(INF), bits(-INF)};
        long[][] expected = {
            {Integer.MAX_VALUE, -1L, Long.MAX_VALUE, -1L}, // NaN: the maximum (WU 2^32 - 1 sign-extended)
            {Integer.MAX_VALUE, -1L, Long.MAX_VALUE, -1L},
            {Integer.MAX_VALUE, -1L, Long.MAX_VALUE, -1L}, // +∞
            {Integer.MIN_VALUE, 0, Long.MIN_VALUE, 0}, // -∞: the minimum
        };
        for (int i = 0; i < 4; i++) {
            for (int rm : ALL_MODES) {
                expect(fpu.cvtW32(nanAndInfinities32[i], rm), expected[i][0], NV);
                expect(fpu.cvtWU32(nanAndInfinities32[i], rm), expected[i][1], NV);
                expect(fpu.cvtL32(nanAndInfinities32[i], rm), expected[i][2], NV);
                expect(fpu.cvtLU32(nanAndInfinities32[i], rm), expected[i][3], NV);
                expect(fpu.cvtW64(nanAndInfinities64[i], rm), expected[i][0], NV);
                expect(fpu.cvtWU64(nanAndInfinities64[i], rm), expected[i][1], NV);
                expect(fpu.cvtL64(nanAndInfinities64[i], rm), expected[i][2], NV);
                expect(fpu.cvtLU64(nanAndInfinities64[i], rm), expected[i][3], NV);
            }
        }
    }

    @Test
    void floatToIntegerRangeIsCheckedAfterRoundingAndOutOfRangeRaisesNvAlone() {
        expect(fpu.cvtW64(bits(2147483647.5), RTZ), Integer.MAX_VALUE, NX);
        expect(fpu.cvtW64(bits(2147483647.5), RNE), Integer.MAX_VALUE, NV); // rounds to 2^31
        expect(fpu.cvtW64(bits(-2147483648.5), RNE), Integer.MIN_VALUE, NX); // ties to even: -2^31
        expect(fpu.cvtW64(bits(-2147483648.5), RMM), Integer.MIN_VALUE, NV); // away: -2^31 - 1
        expect(fpu.cvtW32(bits(0x1p31f), RNE), Integer.MAX_VALUE, NV);
        expect(fpu.cvtW32(bits(-0x1p31f), RNE), Integer.MIN_VALUE, 0);
        expect(fpu.cvtL64(bits(0x1p63), RNE), Long.MAX_VALUE, NV);
        expect(fpu.cvtL64(bits(-0x1p63), RNE), Long.MIN_VALUE, 0);
        expect(fpu.cvtL32(bits(-0x1p63f), RDN), Long.MIN_VALUE, 0);
        expect(fpu.cvtL64(bits(-1e19), RNE), Long.MIN_VALUE, NV);
        expect(fpu.cvtLU64(bits(0x1p64), RNE), -1L, NV);
        expect(fpu.cvtLU64(bits(Math.nextDown(0x1p64)), RNE), 0xFFFF_FFFF_FFFF_F800L, 0);
        expect(fpu.cvtLU32(bits(1e19f), RTZ), 0x8AC7_2300_0000_0000L, 0); // 1e19f, above 2^63
    }

    @Test
    void unsignedConversionsSignExtendAndAcceptNegativesThatRoundToZero() {
        expect(fpu.cvtWU32(bits(3e9f), RNE), 0xFFFF_FFFF_B2D0_5E00L, 0);
        expect(fpu.cvtWU64(bits(4294967295.0), RNE), -1L, 0);
        expect(fpu.cvtWU64(bits(4294967296.0), RNE), -1L, NV);
        expect(fpu.cvtWU64(bits(2147483648.0), RNE), 0xFFFF_FFFF_8000_0000L, 0);
        expect(fpu.cvtWU32(bits(-0.3f), RTZ), 0, NX);
        expect(fpu.cvtWU64(bits(-0.5), RNE), 0, NX);
        expect(fpu.cvtLU64(bits(-0.3), RUP), 0, NX);
        expect(fpu.cvtLU64(bits(-0.0), RNE), 0, 0);
        expect(fpu.cvtWU64(bits(-0.5), RMM), 0, NV);
        expect(fpu.cvtWU64(bits(-0.3), RDN), 0, NV);
        expect(fpu.cvtWU32(bits(-1f), RTZ), 0, NV);
        expect(fpu.cvtLU64(bits(-1.0), RNE), 0, NV);
    }

    @Test
    void floatToIntegerInEveryRoundingMode() {
        long[] plus = {2, 2, 2, 3, 3};
        long[] minus = {-2, -2, -3, -2, -3};
        for (int rm : ALL_MODES) {
            expect(fpu.cvtW32(bits(2.5f), rm), plus[rm], NX);
            expect(fpu.cvtL64(bits(-2.5), rm), minus[rm], NX);
        }
        expect(fpu.cvtW32(bits(Float.MIN_VALUE), RUP), 1, NX);
        expect(fpu.cvtW32(bits(Float.MIN_VALUE), RNE), 0, NX);
        expect(fpu.cvtL64(bits(-Double.MIN_VALUE), RDN), -1, NX);
        expect(fpu.cvtL64(bits(0.5), RMM), 1, NX);
        expect(fpu.cvtL64(bits(1.5), RNE), 2, NX);
        expect(fpu.cvtW64(bits(-7.0), RUP), -7, 0);
    }

    @Test
    void integerToFloat() {
        expect(fpu.cvt32FromW(16_777_217, RNE), bits(16777216f), NX);
        expect(fpu.cvt32FromW(16_777_217, RUP), bits(16777218f), NX);
        expect(fpu.cvt32FromW(16_777_219, RNE), bits(16777220f), NX);
        expect(fpu.cvt32FromW(-16_777_217, RDN), bits(-16777218f), NX);
        expect(fpu.cvt32FromW(-16_777_217, RMM), bits(-16777218f), NX);
        expect(fpu.cvt32FromW(0x1234_5678_FFFF_FFFFL, RNE), bits(-1f), 0); // the low 32 bits
        expect(fpu.cvt32FromWU(0xFFFF_FFFF_FFFF_FFFFL, RNE), bits(4294967296f), NX);
        expect(fpu.cvt32FromWU(0xFFFF_FFFF_FFFF_FFFFL, RTZ), bits(4294967040f), NX);
        expect(fpu.cvt32FromLU(-1L, RTZ), bits(Math.nextDown(0x1p64f)), NX);
        expect(fpu.cvt64FromL(Long.MIN_VALUE, RNE), bits(-0x1p63), 0);
        expect(fpu.cvt64FromL(Long.MAX_VALUE, RTZ), bits(Math.nextDown(0x1p63)), NX);
        expect(fpu.cvt64FromL(Long.MAX_VALUE, RNE), bits(0x1p63), NX);
        expect(fpu.cvt64FromLU(-1L, RNE), bits(0x1p64), NX);
        expect(fpu.cvt64FromLU(-1L, RTZ), bits(Math.nextDown(0x1p64)), NX);
        expect(fpu.cvt64FromW(0xFFFF_FFFF_8000_0000L, RNE), bits(-0x1p31), 0);
        expect(fpu.cvt64FromWU(0xFFFF_FFFF_8000_0000L, RNE), bits(0x1p31), 0);
        expect(fpu.cvt32FromL(0, RDN), bits(0f), 0); // +0, even when rounding down
        expect(fpu.cvt64FromLU(0, RDN), bits(0.0), 0);
    }

    @Test
    void conversionsBetweenFormats() {
        expect(fpu.cvt64From32(SNAN32), CANONICAL_NAN64, NV);
        expect(fpu.cvt64From32(NEGATIVE_QNAN32), CANONICAL_NAN64, 0);
        expect(fpu.cvt64From32(bits(Float.MIN_VALUE)), bits(0x1p-149), 0);
        expect(fpu.cvt64From32(bits(-0f)), bits(-0.0), 0);
        expect(fpu.cvt64From32(bits(-INF32)), bits(-INF), 0);
        expect(fpu.cvt32From64(SNAN64, RNE), CANONICAL_NAN32, NV);
        expect(fpu.cvt32From64(NEGATIVE_QNAN64, RNE), CANONICAL_NAN32, 0);
        expect(fpu.cvt32From64(bits(1 + 0x1p-24), RNE), bits(1f), NX);
        expect(fpu.cvt32From64(bits(1 + 0x1p-24), RMM), bits(1 + 0x1p-23f), NX);
        expect(fpu.cvt32From64(bits(-0.0), RUP), bits(-0f), 0);
        expect(fpu.cvt32From64(bits(1e300), RTZ), bits(Float.MAX_VALUE), OF | NX);
    }

    // ---- Helpers.

    private static int bits(float x) {
        return Float.floatToRawIntBits(x);
    }

    private static long bits(double x) {
        return Double.doubleToRawLongBits(x);
    }

    /** Checks a result, and that exactly {@code flags} were raised since the previous check. */
    private void expect(int actual, int expected, int flags) {
        assertThat(Integer.toHexString(actual)).as("result").isEqualTo(Integer.toHexString(expected));
        expectFlags(flags);
    }

    private void expect(long actual, long expected, int flags) {
        assertThat(Long.toHexString(actual)).as("result").isEqualTo(Long.toHexString(expected));
        expectFlags(flags);
    }

    private void expect(boolean actual, boolean expected, int flags) {
        assertThat(actual).as("result").isEqualTo(expected);
        expectFlags(flags);
    }

    private void expectFlags(int flags) {
        assertThat(FlagNames.of(fpu.flags)).as("flags").isEqualTo(FlagNames.of(flags));
        fpu.flags = 0;
    }
}
