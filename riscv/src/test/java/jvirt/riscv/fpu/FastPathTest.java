package jvirt.riscv.fpu;

import static jvirt.riscv.fpu.Format.BINARY32;
import static jvirt.riscv.fpu.Format.BINARY64;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fpu's round-to-nearest fast paths against the exact {@link SlowPath}, on operands aimed at the
 * edges of the fast paths' conditions: results near the smallest normal, the largest finite and
 * the magnitudes (2^-960, 2^1020) past which the error-free transformations are no longer
 * trusted; cancellation; and sums lying next to a binary32 midpoint for fma32's round to odd.
 * Properties fpu.fastpath.seed and fpu.fastpath.vectors (per operation) vary the run.
 */
class FastPathTest {
    private static final int VECTORS = Integer.getInteger("fpu.fastpath.vectors", 100_000);
    private static final double[] THRESHOLDS64 = {
        Double.MIN_NORMAL, 0x1p-960, 0x1p-969, 0x1p-970, 0x1p-1000, Double.MAX_VALUE, 0x1p1020, 0x1p1021, 1.0,
    };
    private static final double[] THRESHOLDS32 = {Float.MIN_NORMAL, Float.MAX_VALUE, 0x1p-140, 1.0};

    private final SplittableRandom random = new SplittableRandom(Long.getLong("fpu.fastpath.seed", 42));

    /** An operation on operand bit patterns under RNE. */
    private interface Operation {
        long apply(Fpu fpu, long a, long b, long c);
    }

    /** Draws an operand tuple. */
    private interface Operands {
        long[] next();
    }

    @Test
    void add() {
        agree("add64", () -> {
            double x = around(pick(THRESHOLDS64));
            return doubles(x, around(random.nextBoolean() ? -x : x * Math.scalb(1.0, -random.nextInt(60))), 0);
        }, (u, a, b, c) -> u.add64(a, b, Fpu.RNE), (u, a, b, c) -> SlowPath.add(u, BINARY64, a, b, Fpu.RNE));
        agree("add32", () -> {
            float x = around((float) pick(THRESHOLDS32));
            return floats(x, around(random.nextBoolean() ? -x : x * Math.scalb(1f, -random.nextInt(30))), 0);
        }, (u, a, b, c) -> u32(u.add32((int) a, (int) b, Fpu.RNE)),
                (u, a, b, c) -> SlowPath.add(u, BINARY32, a, b, Fpu.RNE));
    }

    @Test
    void mul() {
        agree("mul64", () -> {
            double x = randomDouble();
            return doubles(x, around(pick(THRESHOLDS64) / x), 0);
        }, (u, a, b, c) -> u.mul64(a, b, Fpu.RNE), (u, a, b, c) -> SlowPath.mul(u, BINARY64, a, b, Fpu.RNE));
        agree("mul32", () -> {
            float x = randomFloat();
            return floats(x, around((float) (pick(THRESHOLDS32) / x)), 0);
        }, (u, a, b, c) -> u32(u.mul32((int) a, (int) b, Fpu.RNE)),
                (u, a, b, c) -> SlowPath.mul(u, BINARY32, a, b, Fpu.RNE));
    }

    @Test
    void div() {
        agree("div64", () -> {
            double x = random.nextBoolean() ? around(pick(THRESHOLDS64)) : randomDouble();
            return doubles(x, around(x / pick(THRESHOLDS64)), 0);
        }, (u, a, b, c) -> u.div64(a, b, Fpu.RNE), (u, a, b, c) -> SlowPath.div(u, BINARY64, a, b, Fpu.RNE));
        agree("div32", () -> {
            float x = randomFloat();
            return floats(x, around((float) (x / pick(THRESHOLDS32))), 0);
        }, (u, a, b, c) -> u32(u.div32((int) a, (int) b, Fpu.RNE)),
                (u, a, b, c) -> SlowPath.div(u, BINARY32, a, b, Fpu.RNE));
    }

    @Test
    void sqrt() {
        agree("sqrt64", () -> {
            double r = randomDouble();
            return doubles(random.nextBoolean() ? around(pick(THRESHOLDS64)) : around(r * r), 0, 0);
        }, (u, a, b, c) -> u.sqrt64(a, Fpu.RNE), (u, a, b, c) -> SlowPath.sqrt(u, BINARY64, a, Fpu.RNE));
        agree("sqrt32", () -> {
            float r = randomFloat();
            return floats(random.nextBoolean() ? around((float) pick(THRESHOLDS32)) : around(r * r), 0, 0);
        }, (u, a, b, c) -> u32(u.sqrt32((int) a, Fpu.RNE)), (u, a, b, c) -> SlowPath.sqrt(u, BINARY32, a, Fpu.RNE));
    }

    @Test
    void fma() {
        agree("fma64", () -> {
            double x = randomDouble();
            double y = random.nextBoolean() ? randomDouble() : around(pick(THRESHOLDS64) / x);
            double z = switch (random.nextInt(3)) {
                case 0 -> around(-x * y);
                case 1 -> around(-x * y + Math.copySign(pick(THRESHOLDS64), random.nextBoolean() ? x : -x));
                default -> around(pick(THRESHOLDS64) * (random.nextBoolean() ? 1 : -1));
            };
            return doubles(x, y, z);
        }, (u, a, b, c) -> u.fma64(a, b, c, Fpu.RNE), (u, a, b, c) -> SlowPath.fma(u, BINARY64, a, b, c, Fpu.RNE));
        agree("fma32", () -> {
            float x = randomFloat();
            float y = random.nextBoolean() ? randomFloat() : around((float) (pick(THRESHOLDS32) / x));
            // c a power of two away from the product: the sum often lands next to a float midpoint.
            float z = around((float) Math.scalb((double) x * y, random.nextInt(-40, 40)));
            z = random.nextBoolean() ? z : -z;
            return floats(x, y, z);
        }, (u, a, b, c) -> u32(u.fma32((int) a, (int) b, (int) c, Fpu.RNE)),
                (u, a, b, c) -> SlowPath.fma(u, BINARY32, a, b, c, Fpu.RNE));
    }

    private void agree(String op, Operands operands, Operation fast, Operation slow) {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < VECTORS && failures.size() < 20; i++) {
            long[] v = operands.next();
            Fpu fastFpu = new Fpu();
            Fpu slowFpu = new Fpu();
            long fastResult = fast.apply(fastFpu, v[0], v[1], v[2]);
            long slowResult = slow.apply(slowFpu, v[0], v[1], v[2]);
            if (fastResult != slowResult || fastFpu.flags != slowFpu.flags) {
                failures.add("%s %x %x %x: fast %x %s, slow %x %s".formatted(op, v[0], v[1], v[2], fastResult,
                        FlagNames.of(fastFpu.flags), slowResult, FlagNames.of(slowFpu.flags)));
            }
        }
        assertThat(failures).as(op).isEmpty();
    }

    // ---- Operand generation.

    private double pick(double[] values) {
        return values[random.nextInt(values.length)];
    }

    private double randomDouble() {
        double x = Math.scalb(1 + random.nextDouble(), random.nextInt(-1074, 1024));
        return random.nextBoolean() ? x : -x;
    }

    private float randomFloat() {
        float x = Math.scalb(1 + random.nextFloat(), random.nextInt(-149, 128));
        return random.nextBoolean() ? x : -x;
    }

    /** x itself, a few units in the last place away, or scaled by a factor near 1. */
    private double around(double x) {
        return switch (random.nextInt(3)) {
            case 0 -> x;
            case 1 -> Double.longBitsToDouble(Double.doubleToRawLongBits(x) + random.nextInt(-3, 4));
            default -> x * (1 + random.nextDouble(-0x1p-20, 0x1p-20));
        };
    }

    private float around(float x) {
        return switch (random.nextInt(3)) {
            case 0 -> x;
            case 1 -> Float.intBitsToFloat(Float.floatToRawIntBits(x) + random.nextInt(-3, 4));
            default -> x * (1 + (float) random.nextDouble(-0x1p-10, 0x1p-10));
        };
    }

    private static long u32(int bits) {
        return bits & 0xFFFF_FFFFL;
    }

    private static long[] doubles(double a, double b, double c) {
        return new long[] {Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b), Double.doubleToRawLongBits(c)};
    }

    private static long[] floats(float a, float b, float c) {
        return new long[] {Float.floatToRawIntBits(a) & 0xFFFF_FFFFL, Float.floatToRawIntBits(b) & 0xFFFF_FFFFL,
            Float.floatToRawIntBits(c) & 0xFFFF_FFFFL};
    }
}
