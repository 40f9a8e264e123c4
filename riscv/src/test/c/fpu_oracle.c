/*
 * Test-vector oracle for jvirt.riscv.fpu.Fpu: the host's IEEE 754 hardware (x86-64 SSE)
 * computes each operation under the four rounding modes that have a hardware equivalent, and
 * reports the exception flags it raised. Fused multiply-adds go through glibc's fma and fmaf,
 * which run the FMA3 instructions on CPUs that have them; OracleTest double-checks them (and
 * everything else with an exact value) against its BigDecimal reference in every mode.
 *
 * Usage: fpu_oracle OP SEED COUNT
 * For COUNT operand tuples, generated from SEED and biased toward special and boundary values,
 * writes four records (rm = RNE, RTZ, RDN, RUP) to stdout, each 40 bytes, little-endian:
 *   u64 a, u64 b, u64 c, u64 result, u32 rm, u32 flags (RISC-V fflags bits)
 * Operands and results are bit patterns (binary32 in the low 32 bits) or integers.
 *
 * What x86 does differently from RISC-V, left for the Java side to account for: NaN results
 * carry payloads instead of being canonical; fma of infinity times zero plus a quiet NaN raises
 * no invalid flag; float-to-integer conversions saturate differently (so the "rint" ops report
 * the operand rounded to an integral value, and the checker applies RISC-V's range rules);
 * fmin/fmax are not IEEE 754-2019 minimumNumber (so they are absent).
 * SSE detects tininess after rounding, like RISC-V.
 *
 * Build with: gcc -O0 -ffloat-store -frounding-math -fno-builtin -mfma fpu_oracle.c -lm
 * so that every operation happens at run time, under the rounding mode set just before it
 * (-frounding-math stands for #pragma STDC FENV_ACCESS ON, which GCC ignores).
 */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Random numbers: splitmix64. */

static uint64_t state;

static uint64_t rnd(void) {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int below(int n) {
    return (int) (rnd() % (uint64_t) n);
}

/* ---- Formats and bit patterns. */

typedef struct {
    int width;
    int fraction_bits;
} format;

static const format F32 = {32, 23};
static const format F64 = {64, 52};

static int exponent_bits(const format *f) {
    return f->width - 1 - f->fraction_bits;
}

static uint64_t exponent_all_ones(const format *f) {
    return (1ull << exponent_bits(f)) - 1;
}

static uint64_t fraction_mask(const format *f) {
    return (1ull << f->fraction_bits) - 1;
}

static uint64_t encode(const format *f, int negative, uint64_t exponent_field, uint64_t fraction) {
    return (uint64_t) negative << (f->width - 1) | exponent_field << f->fraction_bits | (fraction & fraction_mask(f));
}

static uint64_t width_mask(const format *f) {
    return f->width == 64 ? ~0ull : (1ull << f->width) - 1;
}

static float as_float(uint64_t bits) {
    uint32_t u = (uint32_t) bits;
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static double as_double(uint64_t bits) {
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static uint64_t float_bits(float x) {
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static uint64_t double_bits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* A value of format f as a double (exact), and a double rounded to format f (to nearest). */
static double value(const format *f, uint64_t bits) {
    return f->width == 32 ? (double) as_float(bits) : as_double(bits);
}

static uint64_t to_format(const format *f, double x) {
    return f->width == 32 ? float_bits((float) x) : double_bits(x);
}

/* ---- Operand generation, biased toward what breaks floating-point implementations. */

/* A fraction field: random, or with few significant bits (exact results, ties), or ones-heavy. */
static uint64_t random_fraction(const format *f) {
    uint64_t r = rnd() & fraction_mask(f);
    switch (below(4)) {
    case 0:
        return r & ~((1ull << below(f->fraction_bits + 1)) - 1);
    case 1:
        return r | ((1ull << below(f->fraction_bits + 1)) - 1);
    default:
        return r;
    }
}

/* Moves a bit pattern by a few units in the last place (may cross into subnormal, infinity...). */
static uint64_t nudge(const format *f, uint64_t bits) {
    return (bits + (uint64_t) (below(9) - 4)) & width_mask(f);
}

static uint64_t random_value(const format *f) {
    int negative = below(2);
    uint64_t ones = exponent_all_ones(f);
    switch (below(20)) {
    case 0:
        return encode(f, negative, 0, 0);
    case 1:
        return encode(f, negative, ones, 0);
    case 2: /* quiet NaN, random payload */
        return encode(f, negative, ones, 1ull << (f->fraction_bits - 1) | rnd());
    case 3: /* signaling NaN, nonzero payload */
        return encode(f, negative, ones, (rnd() & (fraction_mask(f) >> 1)) | 1ull << below(f->fraction_bits - 1));
    case 4:
    case 5:
        return encode(f, negative, 0, random_fraction(f));
    case 6: /* around the smallest normal */
        return nudge(f, encode(f, negative, 1, 0));
    case 7: /* around the largest finite */
        return encode(f, negative, ones - 1, fraction_mask(f) - (uint64_t) below(5));
    case 8: /* a power of two */
        return encode(f, negative, 1 + rnd() % (ones - 1), 0);
    case 9:
    case 10: /* around 1 */
        return encode(f, negative, (ones >> 1) + (uint64_t) below(5) - 2, random_fraction(f));
    default:
        return encode(f, negative, 1 + rnd() % (ones - 1), random_fraction(f));
    }
}

/* A value whose magnitude is near an interesting boundary of the result. */
static double random_target(const format *f) {
    double min_normal = f->width == 32 ? 0x1p-126 : 0x1p-1022;
    double largest = f->width == 32 ? 0x1.fffffep127 : 0x1.fffffffffffffp1023;
    double targets[] = {min_normal, min_normal * 0x1p-10, largest, 1.0, 0x1p-30, value(f, random_value(f))};
    double t = targets[below(6)];
    return below(2) ? -t : t;
}

static uint64_t random_integer(void) {
    int bits;
    switch (below(8)) {
    case 0:
        return (uint64_t) (below(2001) - 1000);
    case 1: /* around a power of two, positive or negative */
        return (below(2) ? 1ull : -1ull) * ((1ull << below(64)) + (uint64_t) (below(9) - 4));
    case 2:
    case 3: /* a few significant bits anywhere: exact or tie cases */
        bits = 1 + below(64);
        return (rnd() >> (64 - bits) | 1ull << (bits - 1)) << below(65 - bits);
    case 4: { /* near the limits of the integer types */
        static const uint64_t limits[] = {0x7fffffffull,         0x80000000ull,         0xffffffffull,
                                          0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull};
        return limits[below(6)] + (uint64_t) (below(9) - 4);
    }
    case 5:
        return (uint64_t) (int64_t) (int32_t) rnd();
    default:
        return rnd();
    }
}

/* Operands for float-to-integer conversion: near integer-type limits and halfway points. */
static uint64_t random_conversion_operand(const format *f) {
    if (below(2)) {
        return random_value(f);
    }
    static const double anchors[] = {0.0, 0.5, 1.0, 1.5, 2.5, 0x1p31, 0x1p32, 0x1p63, 0x1p64, 0x1p24, 0x1p53};
    double x = anchors[below(11)] + (below(3) ? 0 : (double) below(200) - 100 + 0.5 * below(2));
    if (below(5) == 0) {
        x = (double) (int64_t) rnd() / (double) (1ull << below(40));
    }
    return nudge(f, to_format(f, below(2) ? -x : x));
}

/* ---- The operations, each under the current rounding mode. */

typedef uint64_t (*operation)(uint64_t, uint64_t, uint64_t);

/*
 * Each operation reads its operands (x, y, z) into volatile variables and stores its result into
 * one, so that the compiler can neither fold it nor move it away from fesetround.
 */
#define FLOAT_OP(name, result_type, to_bits, expression)                      \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t c) {                \
        volatile float x = as_float(a), y = as_float(b), z = as_float(c);     \
        (void) y;                                                             \
        (void) z;                                                             \
        volatile result_type r = (expression);                                \
        return to_bits(r);                                                    \
    }
#define DOUBLE_OP(name, result_type, to_bits, expression)                     \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t c) {                \
        volatile double x = as_double(a), y = as_double(b), z = as_double(c); \
        (void) y;                                                             \
        (void) z;                                                             \
        volatile result_type r = (expression);                                \
        return to_bits(r);                                                    \
    }
#define INTEGER_OP(name, source_type, result_type, to_bits)                   \
    static uint64_t name(uint64_t a, uint64_t b, uint64_t c) {                \
        (void) b;                                                             \
        (void) c;                                                             \
        volatile source_type x = (source_type) a;                             \
        volatile result_type r = (result_type) x;                             \
        return to_bits(r);                                                    \
    }
#define SAME(r) (r)

FLOAT_OP(add32, float, float_bits, x + y)
FLOAT_OP(sub32, float, float_bits, x - y)
FLOAT_OP(mul32, float, float_bits, x * y)
FLOAT_OP(div32, float, float_bits, x / y)
FLOAT_OP(sqrt32, float, float_bits, sqrtf(x))
FLOAT_OP(fma32, float, float_bits, fmaf(x, y, z))
DOUBLE_OP(add64, double, double_bits, x + y)
DOUBLE_OP(sub64, double, double_bits, x - y)
DOUBLE_OP(mul64, double, double_bits, x * y)
DOUBLE_OP(div64, double, double_bits, x / y)
DOUBLE_OP(sqrt64, double, double_bits, sqrt(x))
DOUBLE_OP(fma64, double, double_bits, fma(x, y, z))

/* == is a quiet comparison (ucomis*), < and <= are signaling ones (comis*), as in RISC-V. */
FLOAT_OP(eq32, uint64_t, SAME, x == y)
FLOAT_OP(lt32, uint64_t, SAME, x < y)
FLOAT_OP(le32, uint64_t, SAME, x <= y)
DOUBLE_OP(eq64, uint64_t, SAME, x == y)
DOUBLE_OP(lt64, uint64_t, SAME, x < y)
DOUBLE_OP(le64, uint64_t, SAME, x <= y)

/* The operand rounded to an integral value in the current mode, NX when it was not one. */
FLOAT_OP(rint32, float, float_bits, rintf(x))
DOUBLE_OP(rint64, double, double_bits, rint(x))

INTEGER_OP(cvt32FromW, int32_t, float, float_bits)
INTEGER_OP(cvt32FromWU, uint32_t, float, float_bits)
INTEGER_OP(cvt32FromL, int64_t, float, float_bits)
INTEGER_OP(cvt32FromLU, uint64_t, float, float_bits)
INTEGER_OP(cvt64FromW, int32_t, double, double_bits)
INTEGER_OP(cvt64FromWU, uint32_t, double, double_bits)
INTEGER_OP(cvt64FromL, int64_t, double, double_bits)
INTEGER_OP(cvt64FromLU, uint64_t, double, double_bits)
FLOAT_OP(cvt64From32, double, double_bits, x)
DOUBLE_OP(cvt32From64, float, float_bits, (float) x)

/* ---- Operand tuples per kind of operation (generated under round to nearest). */

typedef enum { UNARY, SQRT, ADD, MUL, DIV, FMA, COMPARE, TO_INTEGER, FROM_INTEGER, NARROW } shape;

typedef struct {
    const char *name;
    operation run;
    const format *format;
    shape shape;
} op;

static const op ops[] = {
    {"add32", add32, &F32, ADD}, {"sub32", sub32, &F32, ADD}, {"mul32", mul32, &F32, MUL},
    {"div32", div32, &F32, DIV}, {"sqrt32", sqrt32, &F32, SQRT}, {"fma32", fma32, &F32, FMA},
    {"add64", add64, &F64, ADD}, {"sub64", sub64, &F64, ADD}, {"mul64", mul64, &F64, MUL},
    {"div64", div64, &F64, DIV}, {"sqrt64", sqrt64, &F64, SQRT}, {"fma64", fma64, &F64, FMA},
    {"eq32", eq32, &F32, COMPARE}, {"lt32", lt32, &F32, COMPARE}, {"le32", le32, &F32, COMPARE},
    {"eq64", eq64, &F64, COMPARE}, {"lt64", lt64, &F64, COMPARE}, {"le64", le64, &F64, COMPARE},
    {"rint32", rint32, &F32, TO_INTEGER}, {"rint64", rint64, &F64, TO_INTEGER},
    {"cvt32FromW", cvt32FromW, &F32, FROM_INTEGER}, {"cvt32FromWU", cvt32FromWU, &F32, FROM_INTEGER},
    {"cvt32FromL", cvt32FromL, &F32, FROM_INTEGER}, {"cvt32FromLU", cvt32FromLU, &F32, FROM_INTEGER},
    {"cvt64FromW", cvt64FromW, &F64, FROM_INTEGER}, {"cvt64FromWU", cvt64FromWU, &F64, FROM_INTEGER},
    {"cvt64FromL", cvt64FromL, &F64, FROM_INTEGER}, {"cvt64FromLU", cvt64FromLU, &F64, FROM_INTEGER},
    {"cvt64From32", cvt64From32, &F32, UNARY}, {"cvt32From64", cvt32From64, &F64, NARROW},
};

static void generate(const op *o, uint64_t operands[3]) {
    const format *f = o->format;
    uint64_t a = random_value(f), b = random_value(f), c = random_value(f);
    double x = value(f, a), t = random_target(f);
    switch (o->shape) {
    case UNARY:
        break;
    case SQRT: /* near squares: exact roots and roots next to them */
        if (below(2)) {
            a = nudge(f, to_format(f, x * x));
        }
        break;
    case ADD: /* cancellation, and addends overlapping the sum's last place */
        switch (below(4)) {
        case 0:
            b = nudge(f, to_format(f, -x));
            break;
        case 1:
            b = to_format(f, ldexp(below(2) ? x : -x, below(2 * f->fraction_bits + 8) - f->fraction_bits - 4));
            b = nudge(f, b);
            break;
        }
        break;
    case MUL: /* products near the underflow and overflow thresholds, or near 1 */
        if (below(2)) {
            b = nudge(f, to_format(f, t / x));
        }
        break;
    case DIV:
        if (below(2)) {
            b = nudge(f, to_format(f, x / t));
        }
        break;
    case FMA: /* c cancelling the product, or products near thresholds */
        switch (below(4)) {
        case 0:
            c = nudge(f, to_format(f, -x * value(f, b)));
            break;
        case 1:
            b = nudge(f, to_format(f, t / x));
            break;
        case 2:
            b = nudge(f, to_format(f, t / x));
            c = nudge(f, to_format(f, ldexp(-t, -below(f->fraction_bits + 3))));
            break;
        }
        break;
    case COMPARE:
        switch (below(3)) {
        case 0:
            b = nudge(f, a);
            break;
        case 1:
            b = a ^ 1ull << (f->width - 1);
            break;
        }
        break;
    case TO_INTEGER:
        a = random_conversion_operand(f);
        break;
    case FROM_INTEGER:
        a = random_integer();
        break;
    case NARROW: /* doubles near binary32's boundaries and halfway points */
        if (below(2)) {
            uint64_t single = random_value(&F32);
            double d = value(&F32, single);
            double next = value(&F32, single + 1);
            a = nudge(f, to_format(f, below(2) ? d : d + (next - d) / 2));
        }
        break;
    }
    operands[0] = a;
    operands[1] = b;
    operands[2] = c;
}

/* ---- Running under each rounding mode. */

typedef struct {
    uint64_t a, b, c, result;
    uint32_t rm, flags;
} record;

static uint32_t fflags(int raised) {
    return (raised & FE_INEXACT ? 1 : 0) | (raised & FE_UNDERFLOW ? 2 : 0) | (raised & FE_OVERFLOW ? 4 : 0)
         | (raised & FE_DIVBYZERO ? 8 : 0) | (raised & FE_INVALID ? 16 : 0);
}

int main(int argc, char **argv) {
    static const int modes[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD}; /* RISC-V rm 0..3 */
    if (argc != 4) {
        fprintf(stderr, "usage: %s OP SEED COUNT\n", argv[0]);
        return 2;
    }
    const op *o = NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strcmp(ops[i].name, argv[1]) == 0) {
            o = &ops[i];
        }
    }
    if (o == NULL) {
        fprintf(stderr, "unknown operation %s\n", argv[1]);
        return 2;
    }
    state = strtoull(argv[2], NULL, 0);
    long count = strtol(argv[3], NULL, 0);
    for (long n = 0; n < count; n++) {
        uint64_t operands[3];
        fesetround(FE_TONEAREST);
        generate(o, operands);
        for (uint32_t rm = 0; rm < 4; rm++) {
            record r = {operands[0], operands[1], operands[2], 0, rm, 0};
            fesetround(modes[rm]);
            feclearexcept(FE_ALL_EXCEPT);
            r.result = o->run(r.a, r.b, r.c);
            r.flags = fflags(fetestexcept(FE_ALL_EXCEPT));
            if (fwrite(&r, sizeof r, 1, stdout) != 1) {
                return 1;
            }
        }
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
