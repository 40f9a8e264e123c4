package jvirt.riscv.fpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import jvirt.riscv.fpu.Reference.Binary;
import jvirt.riscv.fpu.Reference.Rounded;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks {@link Fpu} against the host's IEEE 754 hardware: src/test/c/fpu_oracle.c, compiled with
 * gcc at test time, generates operands biased toward special and boundary values and records the
 * result and flags of each operation under RNE, RTZ, RDN and RUP. For each of those vectors:
 * <ul>
 * <li>the result and flags of Fpu must match, except where x86 is not RISC-V: a NaN result must
 * be the canonical NaN (x86 propagates payloads), ∞ × 0 + qNaN in fma raises NV (x86 raises
 * nothing), and float-to-integer results follow RISC-V's range rules, applied to the host's rint
 * (x86 saturates differently);</li>
 * <li>under RNE, the exact {@link SlowPath} must match too, so the fast paths and the slow path
 * agree;</li>
 * <li>the same operands under RMM, which the hardware lacks, must match {@link Reference}
 * (BigDecimal); a square root is never a tie, so its RMM result must equal its RNE one; and one
 * tuple in eight checks Reference itself against the hardware in the four other modes.</li>
 * </ul>
 * Properties fpu.oracle.seed and fpu.oracle.tuples (operand tuples per operation) vary the run.
 */
class OracleTest {
    private static final long SEED = Long.getLong("fpu.oracle.seed", 20250601L);
    private static final int TUPLES = Integer.getInteger("fpu.oracle.tuples", 60_000);
    private static final int RECORD_BYTES = 40;
    private static final int MAX_REPORTED = 20;

    private static final Binary B32 = Binary.BINARY32;
    private static final Binary B64 = Binary.BINARY64;

    private static Path oracle;

    @BeforeAll
    static void buildOracle() throws IOException, InterruptedException {
        String arch = System.getProperty("os.arch");
        assumeTrue(arch.equals("amd64") || arch.equals("x86_64"),
                "the oracle's expectations are x86-64 SSE's; this host is " + arch);
        Path source = Path.of("src/test/c/fpu_oracle.c");
        Path directory = Files.createDirectories(Path.of("target", "fpu-oracle"));
        oracle = directory.resolve("fpu_oracle");
        List<String> command = List.of("gcc", "-std=c11", "-O0", "-ffloat-store", "-frounding-math", "-fno-builtin",
                "-mfma", "-o", oracle.toString(), source.toString(), "-lm");
        Process gcc;
        try {
            gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("gcc is required to build the floating-point oracle " + source
                    + " (the project's set-up installs it): " + e.getMessage(), e);
        }
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor()).as("gcc failed:%n%s", output).isZero();
    }

    /** One record of the oracle. */
    record Vector(long a, long b, long c, long result, int rm, int flags) {
        @Override
        public String toString() {
            return "rm=%d a=%x b=%x c=%x: hardware %x flags %s".formatted(rm, a, b, c, result, flagNames(flags));
        }
    }

    /** An Fpu (or SlowPath) computation on operand bit patterns, its result as unsigned bits. */
    interface Computation {
        long apply(Fpu fpu, long a, long b, long c, int rm);
    }

    /** The exact result num / den of an operation on finite operands, or null where an operand is not finite. */
    interface ExactValue {
        Quotient of(long a, long b, long c);
    }

    record Quotient(BigDecimal num, BigDecimal den) {
    }

    /** How an operation is checked; each kind checks one vector and reports mismatches. */
    private interface Check {
        void verify(Vector v, Queue<String> failures);
    }

    @TestFactory
    Stream<DynamicTest> hardwareAgrees() {
        return Stream.of(
                rounding("add32", B32, (u, a, b, c, rm) -> u32(u.add32((int) a, (int) b, rm)),
                        (u, a, b, c, rm) -> SlowPath.add(u, Format.BINARY32, a, b, rm),
                        (a, b, c) -> exact(B32, x -> x[0].add(x[1]), a, b)),
                rounding("sub32", B32, (u, a, b, c, rm) -> u32(u.sub32((int) a, (int) b, rm)),
                        (u, a, b, c, rm) -> SlowPath.add(u, Format.BINARY32, a, b ^ 0x8000_0000L, rm),
                        (a, b, c) -> exact(B32, x -> x[0].subtract(x[1]), a, b)),
                rounding("mul32", B32, (u, a, b, c, rm) -> u32(u.mul32((int) a, (int) b, rm)),
                        (u, a, b, c, rm) -> SlowPath.mul(u, Format.BINARY32, a, b, rm),
                        (a, b, c) -> exact(B32, x -> x[0].multiply(x[1]), a, b)),
                rounding("div32", B32, (u, a, b, c, rm) -> u32(u.div32((int) a, (int) b, rm)),
                        (u, a, b, c, rm) -> SlowPath.div(u, Format.BINARY32, a, b, rm),
                        (a, b, c) -> quotient(B32, a, b)),
                rounding("sqrt32", B32, (u, a, b, c, rm) -> u32(u.sqrt32((int) a, rm)),
                        (u, a, b, c, rm) -> SlowPath.sqrt(u, Format.BINARY32, a, rm), null),
                fused("fma32", B32, (u, a, b, c, rm) -> u32(u.fma32((int) a, (int) b, (int) c, rm)),
                        (u, a, b, c, rm) -> SlowPath.fma(u, Format.BINARY32, a, b, c, rm),
                        (a, b, c) -> exact(B32, x -> x[0].multiply(x[1]).add(x[2]), a, b, c)),
                rounding("add64", B64, (u, a, b, c, rm) -> u.add64(a, b, rm),
                        (u, a, b, c, rm) -> SlowPath.add(u, Format.BINARY64, a, b, rm),
                        (a, b, c) -> exact(B64, x -> x[0].add(x[1]), a, b)),
                rounding("sub64", B64, (u, a, b, c, rm) -> u.sub64(a, b, rm),
                        (u, a, b, c, rm) -> SlowPath.add(u, Format.BINARY64, a, b ^ Long.MIN_VALUE, rm),
                        (a, b, c) -> exact(B64, x -> x[0].subtract(x[1]), a, b)),
                rounding("mul64", B64, (u, a, b, c, rm) -> u.mul64(a, b, rm),
                        (u, a, b, c, rm) -> SlowPath.mul(u, Format.BINARY64, a, b, rm),
                        (a, b, c) -> exact(B64, x -> x[0].multiply(x[1]), a, b)),
                rounding("div64", B64, (u, a, b, c, rm) -> u.div64(a, b, rm),
                        (u, a, b, c, rm) -> SlowPath.div(u, Format.BINARY64, a, b, rm),
                        (a, b, c) -> quotient(B64, a, b)),
                rounding("sqrt64", B64, (u, a, b, c, rm) -> u.sqrt64(a, rm),
                        (u, a, b, c, rm) -> SlowPath.sqrt(u, Format.BINARY64, a, rm), null),
                fused("fma64", B64, (u, a, b, c, rm) -> u.fma64(a, b, c, rm),
                        (u, a, b, c, rm) -> SlowPath.fma(u, Format.BINARY64, a, b, c, rm),
                        (a, b, c) -> exact(B64, x -> x[0].multiply(x[1]).add(x[2]), a, b, c)),
                comparison("eq32", (u, a, b) -> u.eq32((int) a, (int) b)),
                comparison("lt32", (u, a, b) -> u.lt32((int) a, (int) b)),
                comparison("le32", (u, a, b) -> u.le32((int) a, (int) b)),
                comparison("eq64", (u, a, b) -> u.eq64(a, b)),
                comparison("lt64", (u, a, b) -> u.lt64(a, b)),
                comparison("le64", (u, a, b) -> u.le64(a, b)),
                toInteger("rint32", B32),
                toInteger("rint64", B64),
                rounding("cvt32FromW", B32, (u, a, b, c, rm) -> u32(u.cvt32FromW(a, rm)), null,
                        (a, b, c) -> integer(BigInteger.valueOf((int) a))),
                rounding("cvt32FromWU", B32, (u, a, b, c, rm) -> u32(u.cvt32FromWU(a, rm)), null,
                        (a, b, c) -> integer(BigInteger.valueOf(a & 0xFFFF_FFFFL))),
                rounding("cvt32FromL", B32, (u, a, b, c, rm) -> u32(u.cvt32FromL(a, rm)), null,
                        (a, b, c) -> integer(BigInteger.valueOf(a))),
                rounding("cvt32FromLU", B32, (u, a, b, c, rm) -> u32(u.cvt32FromLU(a, rm)), null,
                        (a, b, c) -> integer(unsigned(a))),
                rounding("cvt64FromW", B64, (u, a, b, c, rm) -> u.cvt64FromW(a, rm), null,
                        (a, b, c) -> integer(BigInteger.valueOf((int) a))),
                rounding("cvt64FromWU", B64, (u, a, b, c, rm) -> u.cvt64FromWU(a, rm), null,
                        (a, b, c) -> integer(BigInteger.valueOf(a & 0xFFFF_FFFFL))),
                rounding("cvt64FromL", B64, (u, a, b, c, rm) -> u.cvt64FromL(a, rm), null,
                        (a, b, c) -> integer(BigInteger.valueOf(a))),
                rounding("cvt64FromLU", B64, (u, a, b, c, rm) -> u.cvt64FromLU(a, rm), null,
                        (a, b, c) -> integer(unsigned(a))),
                rounding("cvt64From32", B64, (u, a, b, c, rm) -> u.cvt64From32((int) a), null,
                        (a, b, c) -> exact(B32, x -> x[0], a)),
                rounding("cvt32From64", B32, (u, a, b, c, rm) -> u32(u.cvt32From64(a, rm)), null,
                        (a, b, c) -> exact(B64, x -> x[0], a)));
    }

    // ---- Operations that round to a floating-point format.

    /**
     * {@code slow} (may be null) is the SlowPath that must agree under RNE; {@code exact} (null
     * for square roots) gives Reference the exact value for RMM.
     */
    private static DynamicTest rounding(String op, Binary result, Computation fpu, Computation slow, ExactValue exact) {
        return rounding(op, result, UnaryOperator.identity(), fpu, slow, exact);
    }

    /** x86 raises no NV for ∞ × 0 + qNaN, which RISC-V requires. */
    private static DynamicTest fused(String op, Binary f, Computation fpu, Computation slow, ExactValue exact) {
        UnaryOperator<Vector> toRiscV = v -> isInfinityTimesZero(f, v.a, v.b) && isNaN(f, v.c)
                ? new Vector(v.a, v.b, v.c, v.result, v.rm, v.flags | Fpu.NV) : v;
        return rounding(op, f, toRiscV, fpu, slow, exact);
    }

    private static DynamicTest rounding(String op, Binary result, UnaryOperator<Vector> toRiscV, Computation fpu,
            Computation slow, ExactValue exact) {
        return check(op, (hardware, failures) -> {
            Vector v = toRiscV.apply(hardware);
            expectSame(op, v, result, v.result, v.flags, fpu, failures);
            if (v.rm == Fpu.RNE && slow != null) {
                expectSame(op + " (slow path)", v, result, v.result, v.flags, slow, failures);
            }
            if (v.rm == Fpu.RNE) {
                Rounded rmm = reference(result, exact, v, Fpu.RMM, fpu);
                expectSame(op + " (RMM)", withRm(v, Fpu.RMM), result, rmm.bits(), rmm.flags(), fpu, failures);
            }
            Quotient q = exact == null || Long.remainderUnsigned(v.a * 0x9e3779b97f4a7c15L, 8) != 0 ? null
                    : exact.of(v.a, v.b, v.c);
            if (q != null && q.num().signum() != 0) {
                Rounded model = Reference.round(result, q.num(), q.den(), v.rm);
                if (model.bits() != v.result || model.flags() != v.flags) {
                    failures.add("%s: Reference disagrees with the hardware on %s: %x flags %s".formatted(
                            op, v, model.bits(), flagNames(model.flags())));
                }
            }
        });
    }

    /**
     * What Reference says for the vector's operands under rm. Where it has no exact value (an
     * operand that is not finite, an exactly zero result, a square root), the result does not
     * depend on the rounding mode between RNE and RMM: it is Fpu's own RNE result.
     */
    private static Rounded reference(Binary f, ExactValue exact, Vector v, int rm, Computation fpu) {
        Quotient q = exact == null ? null : exact.of(v.a, v.b, v.c);
        if (q == null || q.num().signum() == 0) {
            Fpu unit = new Fpu();
            long bits = fpu.apply(unit, v.a, v.b, v.c, Fpu.RNE);
            return new Rounded(bits, unit.flags);
        }
        return Reference.round(f, q.num(), q.den(), rm);
    }

    private static void expectSame(String op, Vector v, Binary f, long expected, int expectedFlags,
            Computation computation, Queue<String> failures) {
        Fpu fpu = new Fpu();
        long actual = computation.apply(fpu, v.a, v.b, v.c, v.rm);
        long wanted = isNaN(f, expected) ? canonicalNaN(f) : expected;
        if (actual != wanted || fpu.flags != expectedFlags) {
            failures.add("%s %s: expected %x flags %s, got %x flags %s".formatted(op, v, wanted,
                    flagNames(expectedFlags), actual, flagNames(fpu.flags)));
        }
    }

    // ---- Comparisons.

    interface Comparison {
        boolean apply(Fpu fpu, long a, long b);
    }

    private static DynamicTest comparison(String op, Comparison comparison) {
        return check(op, (v, failures) -> {
            Fpu fpu = new Fpu();
            long actual = comparison.apply(fpu, v.a, v.b) ? 1 : 0;
            if (actual != v.result || fpu.flags != v.flags) {
                failures.add("%s %s: got %d flags %s".formatted(op, v, actual, flagNames(fpu.flags)));
            }
        });
    }

    // ---- Conversions to integers.

    /** RISC-V's integer destinations: the range, and whether the result is sign-extended from 32 bits. */
    enum IntegerType {
        W(BigInteger.ONE.shiftLeft(31).negate(), BigInteger.ONE.shiftLeft(31).subtract(BigInteger.ONE), true),
        WU(BigInteger.ZERO, BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE), true),
        L(BigInteger.ONE.shiftLeft(63).negate(), BigInteger.ONE.shiftLeft(63).subtract(BigInteger.ONE), false),
        LU(BigInteger.ZERO, BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE), false);

        final BigInteger min;
        final BigInteger max;
        final boolean narrow;

        IntegerType(BigInteger min, BigInteger max, boolean narrow) {
            this.min = min;
            this.max = max;
            this.narrow = narrow;
        }

        long register(BigInteger value) {
            return narrow ? (int) value.longValue() : value.longValue();
        }

        /** The register value and flags for a source rounded to an integral value (null for NaN). */
        Rounded expected(BigDecimal rounded, boolean negative, boolean inexact) {
            if (rounded == null) {
                return new Rounded(register(max), Fpu.NV);
            }
            BigInteger value = rounded.toBigIntegerExact();
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                return new Rounded(register(negative ? min : max), Fpu.NV);
            }
            return new Rounded(register(value), inexact ? Fpu.NX : 0);
        }

        long convert(Fpu fpu, Binary f, long a, int rm) {
            boolean single = f == B32;
            return switch (this) {
                case W -> single ? fpu.cvtW32((int) a, rm) : fpu.cvtW64(a, rm);
                case WU -> single ? fpu.cvtWU32((int) a, rm) : fpu.cvtWU64(a, rm);
                case L -> single ? fpu.cvtL32((int) a, rm) : fpu.cvtL64(a, rm);
                case LU -> single ? fpu.cvtLU32((int) a, rm) : fpu.cvtLU64(a, rm);
            };
        }
    }

    /**
     * The oracle reports the operand rounded to an integral value (rint); each RISC-V
     * destination then follows from its range. RMM rounds with BigDecimal's HALF_UP instead.
     */
    private static DynamicTest toInteger(String op, Binary f) {
        return check(op, (v, failures) -> {
            boolean negative = isNegative(f, v.a);
            BigDecimal rounded = null;
            BigDecimal rmmRounded = null;
            if (!isNaN(f, v.a)) {
                // An infinite operand rounds to itself: beyond every range, in the operand's direction.
                BigDecimal beyondEveryRange = negative ? BigDecimal.TEN.pow(30).negate() : BigDecimal.TEN.pow(30);
                rounded = f.isFinite(v.result) ? f.value(v.result) : beyondEveryRange;
                rmmRounded = f.isFinite(v.a) ? f.value(v.a).setScale(0, RoundingMode.HALF_UP) : rounded;
            }
            boolean rmmInexact = rmmRounded != null && f.isFinite(v.a) && rmmRounded.compareTo(f.value(v.a)) != 0;
            for (IntegerType type : IntegerType.values()) {
                boolean inexact = (v.flags & Fpu.NX) != 0;
                expectConversion(op, type, f, v, v.rm, type.expected(rounded, negative, inexact), failures);
                if (v.rm == Fpu.RNE) {
                    Rounded rmm = type.expected(rmmRounded, negative, rmmInexact);
                    expectConversion(op, type, f, v, Fpu.RMM, rmm, failures);
                }
            }
        });
    }

    private static void expectConversion(String op, IntegerType type, Binary f, Vector v, int rm, Rounded expected,
            Queue<String> failures) {
        Fpu fpu = new Fpu();
        long actual = type.convert(fpu, f, v.a, rm);
        if (actual != expected.bits() || fpu.flags != expected.flags()) {
            failures.add("%s to %s under rm=%d, %s: expected %x flags %s, got %x flags %s".formatted(op, type, rm, v,
                    expected.bits(), flagNames(expected.flags()), actual, flagNames(fpu.flags)));
        }
    }

    // ---- Running the oracle.

    private static DynamicTest check(String op, Check check) {
        return DynamicTest.dynamicTest(op, () -> {
            List<Vector> vectors = run(op);
            assertThat(vectors).hasSize(TUPLES * 4);
            Queue<String> failures = new ConcurrentLinkedQueue<>();
            IntStream.range(0, vectors.size()).parallel().forEach(i -> check.verify(vectors.get(i), failures));
            if (!failures.isEmpty()) {
                fail("%d mismatches in %s, first ones:%n%s", failures.size(), op,
                        String.join("\n", failures.stream().limit(MAX_REPORTED).toList()));
            }
        });
    }

    private static List<Vector> run(String op) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(oracle.toString(), op, Long.toString(SEED), Integer.toString(TUPLES))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] bytes;
        try (InputStream in = process.getInputStream()) {
            bytes = in.readAllBytes();
        }
        assertThat(process.waitFor()).as("oracle exit status").isZero();
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Vector> vectors = new ArrayList<>(bytes.length / RECORD_BYTES);
        for (int at = 0; at + RECORD_BYTES <= bytes.length; at += RECORD_BYTES) {
            vectors.add(new Vector(buffer.getLong(at), buffer.getLong(at + 8), buffer.getLong(at + 16),
                    buffer.getLong(at + 24), buffer.getInt(at + 32), buffer.getInt(at + 36)));
        }
        return vectors;
    }

    // ---- Exact values.

    /** The exact value of an operation on finite operands, or null if one is not finite. */
    private static Quotient exact(Binary f, Function<BigDecimal[], BigDecimal> operation, long... operands) {
        BigDecimal[] values = new BigDecimal[operands.length];
        for (int i = 0; i < operands.length; i++) {
            if (!f.isFinite(operands[i])) {
                return null;
            }
            values[i] = f.value(operands[i]);
        }
        return new Quotient(operation.apply(values), BigDecimal.ONE);
    }

    private static Quotient quotient(Binary f, long a, long b) {
        if (!f.isFinite(a) || !f.isFinite(b) || f.value(b).signum() == 0) {
            return null;
        }
        BigDecimal den = f.value(b);
        return den.signum() > 0 ? new Quotient(f.value(a), den) : new Quotient(f.value(a).negate(), den.negate());
    }

    private static Quotient integer(BigInteger value) {
        return new Quotient(new BigDecimal(value), BigDecimal.ONE);
    }

    private static BigInteger unsigned(long x) {
        return new BigInteger(Long.toUnsignedString(x));
    }

    // ---- Bits.

    private static Vector withRm(Vector v, int rm) {
        return new Vector(v.a, v.b, v.c, v.result, rm, v.flags);
    }

    private static long u32(int bits) {
        return bits & 0xFFFF_FFFFL;
    }

    private static boolean isNaN(Binary f, long bits) {
        return f == B32 ? Float.isNaN(Float.intBitsToFloat((int) bits)) : Double.isNaN(Double.longBitsToDouble(bits));
    }

    private static boolean isInfinityTimesZero(Binary f, long a, long b) {
        double x = f == B32 ? Float.intBitsToFloat((int) a) : Double.longBitsToDouble(a);
        double y = f == B32 ? Float.intBitsToFloat((int) b) : Double.longBitsToDouble(b);
        return Double.isInfinite(x) && y == 0 || x == 0 && Double.isInfinite(y);
    }

    private static boolean isNegative(Binary f, long bits) {
        return f == B32 ? (int) bits < 0 : bits < 0;
    }

    private static long canonicalNaN(Binary f) {
        return f == B32 ? u32(Fpu.CANONICAL_NAN32) : Fpu.CANONICAL_NAN64;
    }

    private static String flagNames(int flags) {
        return FlagNames.of(flags);
    }
}
