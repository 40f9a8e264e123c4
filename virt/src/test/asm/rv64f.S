# RV64F: single-precision arithmetic in every rounding mode, static (rm field) and dynamic
# (frm), with the exact accrued flags in fflags; overflow, underflow (tininess detected after
# rounding), infinities, signed zeros and NaNs (results are the canonical NaN 0x7fc00000);
# fmin/fmax, comparisons, fclass, sign injection; conversions to and from integers with
# saturation; fmv; flw/fsw; NaN-boxing of single values in the 64-bit f registers; reserved
# rounding modes and FS = Off as illegal instructions.
#
# The expected encodings were computed exactly (rational arithmetic) from IEEE 754-2008 and the
# RISC-V F chapter; each group's comment says why. "ulp" is 2^-23, the spacing just above 1.
    .include "test.inc"
    .include "fp.inc"

    .data
    .balign 8
fmem:
    .dword 0, 0

    .text
main:

    # ---- exact results: no flags ----
    FOP2 1, fadd.s, s, rne, 0x3f800000, 0x40000000, 0x40400000, 0, "1 + 2 = 3"
    FOP2 2, fsub.s, s, rne, 0x3f800000, 0x40400000, 0xc0000000, 0, "1 - 3 = -2"
    FOP2 3, fmul.s, s, rne, 0x3fc00000, 0xc0000000, 0xc0400000, 0, "1.5 * -2 = -3"
    FOP2 4, fdiv.s, s, rne, 0x3f800000, 0x40800000, 0x3e800000, 0, "1 / 4 = 0.25"
    FOP1 5, fsqrt.s, s, rne, 0x40800000, 0x40000000, 0, "sqrt 4 = 2"
    FOP1 6, fsqrt.s, s, rne, 0x3e800000, 0x3f000000, 0, "sqrt 0.25 = 0.5"
    FOP3 7, fmadd.s, s, rne, 0x40000000, 0x40400000, 0x3f800000, 0x40e00000, 0, "fmadd 2 * 3 + 1 = 7"
    FOP3 8, fmsub.s, s, rne, 0x40000000, 0x40400000, 0x3f800000, 0x40a00000, 0, "fmsub 2 * 3 - 1 = 5"
    FOP3 9, fnmsub.s, s, rne, 0x40000000, 0x40400000, 0x3f800000, 0xc0a00000, 0, "fnmsub -(2 * 3) + 1 = -5"
    FOP3 10, fnmadd.s, s, rne, 0x40000000, 0x40400000, 0x3f800000, 0xc0e00000, 0, "fnmadd -(2 * 3) - 1 = -7"
    FOP2 11, fadd.s, s, rne, 0x7f7fffff, 0x80000000, 0x7f7fffff, 0, "largest finite + -0"

    # ---- the five rounding modes, static (rm field) ----
    # ulp is the distance from 1 to the next larger number. 1 + 0.75 ulp lies nearer 1 + ulp:
    # RNE, RUP and RMM give 1 + ulp, RTZ and RDN give 1. Every inexact result raises NX.
    FOP2 20, fadd.s, s, rne, 0x3f800000, 0x33c00000, 0x3f800001, NX, "1 + 0.75 ulp, rne"
    FOP2 21, fadd.s, s, rtz, 0x3f800000, 0x33c00000, 0x3f800000, NX, "1 + 0.75 ulp, rtz"
    FOP2 22, fadd.s, s, rdn, 0x3f800000, 0x33c00000, 0x3f800000, NX, "1 + 0.75 ulp, rdn"
    FOP2 23, fadd.s, s, rup, 0x3f800000, 0x33c00000, 0x3f800001, NX, "1 + 0.75 ulp, rup"
    FOP2 24, fadd.s, s, rmm, 0x3f800000, 0x33c00000, 0x3f800001, NX, "1 + 0.75 ulp, rmm"

    # 1 + 0.5 ulp is a tie between 1 (even) and 1 + ulp (odd): RNE picks 1, RMM goes away from 0.
    FOP2 25, fadd.s, s, rne, 0x3f800000, 0x33800000, 0x3f800000, NX, "1 + 0.5 ulp tie, rne"
    FOP2 26, fadd.s, s, rtz, 0x3f800000, 0x33800000, 0x3f800000, NX, "1 + 0.5 ulp tie, rtz"
    FOP2 27, fadd.s, s, rdn, 0x3f800000, 0x33800000, 0x3f800000, NX, "1 + 0.5 ulp tie, rdn"
    FOP2 28, fadd.s, s, rup, 0x3f800000, 0x33800000, 0x3f800001, NX, "1 + 0.5 ulp tie, rup"
    FOP2 29, fadd.s, s, rmm, 0x3f800000, 0x33800000, 0x3f800001, NX, "1 + 0.5 ulp tie, rmm"

    # (1 + ulp) + 0.5 ulp is a tie between 1 + ulp (odd) and 1 + 2 ulp (even): RNE picks 1 + 2 ulp.
    FOP2 30, fadd.s, s, rne, 0x3f800001, 0x33800000, 0x3f800002, NX, "(1 + ulp) + 0.5 ulp tie, rne"
    FOP2 31, fadd.s, s, rtz, 0x3f800001, 0x33800000, 0x3f800001, NX, "(1 + ulp) + 0.5 ulp tie, rtz"
    FOP2 32, fadd.s, s, rdn, 0x3f800001, 0x33800000, 0x3f800001, NX, "(1 + ulp) + 0.5 ulp tie, rdn"
    FOP2 33, fadd.s, s, rup, 0x3f800001, 0x33800000, 0x3f800002, NX, "(1 + ulp) + 0.5 ulp tie, rup"
    FOP2 34, fadd.s, s, rmm, 0x3f800001, 0x33800000, 0x3f800002, NX, "(1 + ulp) + 0.5 ulp tie, rmm"

    # Negative ties: -1 - 0.5 ulp. RDN goes towards -infinity (-1 - ulp), RUP towards +infinity (-1).
    FOP2 35, fadd.s, s, rne, 0xbf800000, 0xb3800000, 0xbf800000, NX, "-1 - 0.5 ulp tie, rne"
    FOP2 36, fadd.s, s, rtz, 0xbf800000, 0xb3800000, 0xbf800000, NX, "-1 - 0.5 ulp tie, rtz"
    FOP2 37, fadd.s, s, rdn, 0xbf800000, 0xb3800000, 0xbf800001, NX, "-1 - 0.5 ulp tie, rdn"
    FOP2 38, fadd.s, s, rup, 0xbf800000, 0xb3800000, 0xbf800000, NX, "-1 - 0.5 ulp tie, rup"
    FOP2 39, fadd.s, s, rmm, 0xbf800000, 0xb3800000, 0xbf800001, NX, "-1 - 0.5 ulp tie, rmm"

    # Below 1 the spacing is ulp/2, so 1 - 0.25 ulp is a tie between 1 - ulp/2 (odd) and 1 (even):
    # RNE, RUP and RMM give 1, RTZ and RDN 1 - ulp/2.
    FOP2 40, fsub.s, s, rne, 0x3f800000, 0x33000000, 0x3f800000, NX, "1 - 0.25 ulp, rne"
    FOP2 41, fsub.s, s, rtz, 0x3f800000, 0x33000000, 0x3f7fffff, NX, "1 - 0.25 ulp, rtz"
    FOP2 42, fsub.s, s, rdn, 0x3f800000, 0x33000000, 0x3f7fffff, NX, "1 - 0.25 ulp, rdn"
    FOP2 43, fsub.s, s, rup, 0x3f800000, 0x33000000, 0x3f800000, NX, "1 - 0.25 ulp, rup"
    FOP2 44, fsub.s, s, rmm, 0x3f800000, 0x33000000, 0x3f800000, NX, "1 - 0.25 ulp, rmm"

    # (1 + ulp)^2 = 1 + 2 ulp + ulp^2: just above 1 + 2 ulp.
    FOP2 45, fmul.s, s, rne, 0x3f800001, 0x3f800001, 0x3f800002, NX, "(1 + ulp) squared, rne"
    FOP2 46, fmul.s, s, rtz, 0x3f800001, 0x3f800001, 0x3f800002, NX, "(1 + ulp) squared, rtz"
    FOP2 47, fmul.s, s, rdn, 0x3f800001, 0x3f800001, 0x3f800002, NX, "(1 + ulp) squared, rdn"
    FOP2 48, fmul.s, s, rup, 0x3f800001, 0x3f800001, 0x3f800003, NX, "(1 + ulp) squared, rup"
    FOP2 49, fmul.s, s, rmm, 0x3f800001, 0x3f800001, 0x3f800002, NX, "(1 + ulp) squared, rmm"
    FOP2 50, fmul.s, s, rne, 0xbf800001, 0x3f800001, 0xbf800002, NX, "-(1 + ulp) * (1 + ulp), rne"
    FOP2 51, fmul.s, s, rtz, 0xbf800001, 0x3f800001, 0xbf800002, NX, "-(1 + ulp) * (1 + ulp), rtz"
    FOP2 52, fmul.s, s, rdn, 0xbf800001, 0x3f800001, 0xbf800003, NX, "-(1 + ulp) * (1 + ulp), rdn"
    FOP2 53, fmul.s, s, rup, 0xbf800001, 0x3f800001, 0xbf800002, NX, "-(1 + ulp) * (1 + ulp), rup"
    FOP2 54, fmul.s, s, rmm, 0xbf800001, 0x3f800001, 0xbf800002, NX, "-(1 + ulp) * (1 + ulp), rmm"

    # 1/3 and -1/3: binary 0.010101..., never exact.
    FOP2 55, fdiv.s, s, rne, 0x3f800000, 0x40400000, 0x3eaaaaab, NX, "1 / 3, rne"
    FOP2 56, fdiv.s, s, rtz, 0x3f800000, 0x40400000, 0x3eaaaaaa, NX, "1 / 3, rtz"
    FOP2 57, fdiv.s, s, rdn, 0x3f800000, 0x40400000, 0x3eaaaaaa, NX, "1 / 3, rdn"
    FOP2 58, fdiv.s, s, rup, 0x3f800000, 0x40400000, 0x3eaaaaab, NX, "1 / 3, rup"
    FOP2 59, fdiv.s, s, rmm, 0x3f800000, 0x40400000, 0x3eaaaaab, NX, "1 / 3, rmm"
    FOP2 60, fdiv.s, s, rne, 0xbf800000, 0x40400000, 0xbeaaaaab, NX, "-1 / 3, rne"
    FOP2 61, fdiv.s, s, rtz, 0xbf800000, 0x40400000, 0xbeaaaaaa, NX, "-1 / 3, rtz"
    FOP2 62, fdiv.s, s, rdn, 0xbf800000, 0x40400000, 0xbeaaaaab, NX, "-1 / 3, rdn"
    FOP2 63, fdiv.s, s, rup, 0xbf800000, 0x40400000, 0xbeaaaaaa, NX, "-1 / 3, rup"
    FOP2 64, fdiv.s, s, rmm, 0xbf800000, 0x40400000, 0xbeaaaaab, NX, "-1 / 3, rmm"

    # sqrt(2) = 1.0110101000001001111001100110011111110011101111001100...
    FOP1 65, fsqrt.s, s, rne, 0x40000000, 0x3fb504f3, NX, "sqrt 2, rne"
    FOP1 66, fsqrt.s, s, rtz, 0x40000000, 0x3fb504f3, NX, "sqrt 2, rtz"
    FOP1 67, fsqrt.s, s, rdn, 0x40000000, 0x3fb504f3, NX, "sqrt 2, rdn"
    FOP1 68, fsqrt.s, s, rup, 0x40000000, 0x3fb504f4, NX, "sqrt 2, rup"
    FOP1 69, fsqrt.s, s, rmm, 0x40000000, 0x3fb504f3, NX, "sqrt 2, rmm"

    # The fused multiply-add rounds once: (1 + ulp)^2 - 1 = 2 ulp + ulp^2, which has one bit too
    # many; a separate multiply would round the product first (RUP: 1 + 3 ulp, then 3 ulp).
    FOP3 70, fmadd.s, s, rne, 0x3f800001, 0x3f800001, 0xbf800000, 0x34800000, NX, "fmadd (1 + ulp)^2 - 1, rne"
    FOP3 71, fmadd.s, s, rtz, 0x3f800001, 0x3f800001, 0xbf800000, 0x34800000, NX, "fmadd (1 + ulp)^2 - 1, rtz"
    FOP3 72, fmadd.s, s, rdn, 0x3f800001, 0x3f800001, 0xbf800000, 0x34800000, NX, "fmadd (1 + ulp)^2 - 1, rdn"
    FOP3 73, fmadd.s, s, rup, 0x3f800001, 0x3f800001, 0xbf800000, 0x34800001, NX, "fmadd (1 + ulp)^2 - 1, rup"
    FOP3 74, fmadd.s, s, rmm, 0x3f800001, 0x3f800001, 0xbf800000, 0x34800001, NX, "fmadd (1 + ulp)^2 - 1, rmm"
    FOP3 75, fnmsub.s, s, rne, 0x3f800001, 0x3f800001, 0x3f800000, 0xb4800000, NX, "fnmsub 1 - (1 + ulp)^2, rne"
    FOP3 76, fnmsub.s, s, rup, 0x3f800001, 0x3f800001, 0x3f800000, 0xb4800000, NX, "fnmsub 1 - (1 + ulp)^2, rup"
    FOP3 77, fnmadd.s, s, rne, 0x3f800001, 0x3f800001, 0xbf800000, 0xb4800000, NX, "fnmadd -((1 + ulp)^2) + 1, rne"
    FOP3 78, fnmadd.s, s, rdn, 0x3f800001, 0x3f800001, 0xbf800000, 0xb4800001, NX, "fnmadd -((1 + ulp)^2) + 1, rdn"
    FOP3 79, fmsub.s, s, rtz, 0x3f800001, 0x3f800001, 0x3f800000, 0x34800000, NX, "fmsub (1 + ulp)^2 - 1, rtz"

    # ---- the dynamic rounding mode: rm = dyn takes frm ----
    FDYN2 80, fadd.s, s, 0, 0xbf800000, 0xb3c00000, 0xbf800001, NX, "dyn with frm = rne: -1 - 0.75 ulp"
    FDYN2 81, fadd.s, s, 1, 0xbf800000, 0xb3c00000, 0xbf800000, NX, "dyn with frm = rtz: -1 - 0.75 ulp"
    FDYN2 82, fadd.s, s, 2, 0xbf800000, 0xb3c00000, 0xbf800001, NX, "dyn with frm = rdn: -1 - 0.75 ulp"
    FDYN2 83, fadd.s, s, 3, 0xbf800000, 0xb3c00000, 0xbf800000, NX, "dyn with frm = rup: -1 - 0.75 ulp"
    FDYN2 84, fadd.s, s, 4, 0xbf800000, 0xb3c00000, 0xbf800001, NX, "dyn with frm = rmm: -1 - 0.75 ulp"
    FDYN2 85, fdiv.s, s, 3, 0x3f800000, 0x40400000, 0x3eaaaaab, NX, "dyn with frm = rup: 1 / 3"

    # ---- overflow: the largest finite number times 2 ----
    # RNE and RMM give infinity; the directed modes give infinity only in their direction, the
    # largest finite number otherwise. OF and NX are raised either way.
    FOP2 90, fmul.s, s, rne, 0x7f7fffff, 0x40000000, 0x7f800000, OF|NX, "largest * 2, rne"
    FOP2 91, fmul.s, s, rtz, 0x7f7fffff, 0x40000000, 0x7f7fffff, OF|NX, "largest * 2, rtz"
    FOP2 92, fmul.s, s, rdn, 0x7f7fffff, 0x40000000, 0x7f7fffff, OF|NX, "largest * 2, rdn"
    FOP2 93, fmul.s, s, rup, 0x7f7fffff, 0x40000000, 0x7f800000, OF|NX, "largest * 2, rup"
    FOP2 94, fmul.s, s, rmm, 0x7f7fffff, 0x40000000, 0x7f800000, OF|NX, "largest * 2, rmm"
    FOP2 95, fmul.s, s, rne, 0xff7fffff, 0x40000000, 0xff800000, OF|NX, "-largest * 2, rne"
    FOP2 96, fmul.s, s, rtz, 0xff7fffff, 0x40000000, 0xff7fffff, OF|NX, "-largest * 2, rtz"
    FOP2 97, fmul.s, s, rdn, 0xff7fffff, 0x40000000, 0xff800000, OF|NX, "-largest * 2, rdn"
    FOP2 98, fmul.s, s, rup, 0xff7fffff, 0x40000000, 0xff7fffff, OF|NX, "-largest * 2, rup"
    FOP2 99, fmul.s, s, rmm, 0xff7fffff, 0x40000000, 0xff800000, OF|NX, "-largest * 2, rmm"
    FOP2 100, fadd.s, s, rne, 0x7f7fffff, 0x7f7fffff, 0x7f800000, OF|NX, "largest + largest"

    # ---- underflow: tiny results ----
    # The smallest normal halved is an exact subnormal: no flags (UF needs tiny and inexact).
    FOP2 105, fmul.s, s, rne, 0x00800000, 0x3f000000, 0x00400000, 0, "smallest normal / 2: exact subnormal"

    # The smallest subnormal halved is a tie between 0 and the smallest subnormal: UF and NX.
    FOP2 106, fmul.s, s, rne, 0x00000001, 0x3f000000, 0x00000000, UF|NX, "smallest subnormal / 2, rne"
    FOP2 107, fmul.s, s, rtz, 0x00000001, 0x3f000000, 0x00000000, UF|NX, "smallest subnormal / 2, rtz"
    FOP2 108, fmul.s, s, rdn, 0x00000001, 0x3f000000, 0x00000000, UF|NX, "smallest subnormal / 2, rdn"
    FOP2 109, fmul.s, s, rup, 0x00000001, 0x3f000000, 0x00000001, UF|NX, "smallest subnormal / 2, rup"
    FOP2 110, fmul.s, s, rmm, 0x00000001, 0x3f000000, 0x00000001, UF|NX, "smallest subnormal / 2, rmm"
    FOP2 111, fmul.s, s, rne, 0x80000001, 0x3f000000, 0x80000000, UF|NX, "-smallest subnormal / 2 gives -0"

    # Tininess is detected after rounding (RISC-V): 2^emin (1 - 2^-(p+1)) rounds to 2^emin under
    # RNE, which is not tiny, so only NX; under RTZ it becomes the largest subnormal, tiny: UF and NX.
    FOP3 112, fmadd.s, s, rne, 0x19800000, 0x9a000000, 0x00800000, 0x00800000, NX, "2^emin - 2^(emin-p-1), rne"
    FOP3 113, fmadd.s, s, rtz, 0x19800000, 0x9a000000, 0x00800000, 0x007fffff, UF|NX, "2^emin - 2^(emin-p-1), rtz"
    FOP3 114, fmadd.s, s, rup, 0x19800000, 0x9a000000, 0x00800000, 0x00800000, NX, "2^emin - 2^(emin-p-1), rup"
    FOP2 115, fsub.s, s, rne, 0x01400000, 0x01200000, 0x00400000, 0, "difference of normals is an exact subnormal: no UF"

    # ---- infinities, zeros and NaNs ----
    # A NaN result is always the canonical NaN (positive, quiet, zero payload). NV is raised for a
    # signaling NaN operand and for invalid operations; a quiet NaN operand raises nothing.
    FOP2 120, fdiv.s, s, rne, 0x3f800000, 0x00000000, 0x7f800000, DZ, "1 / +0 = +inf, DZ"
    FOP2 121, fdiv.s, s, rne, 0xbf800000, 0x00000000, 0xff800000, DZ, "-1 / +0 = -inf, DZ"
    FOP2 122, fdiv.s, s, rne, 0x3f800000, 0x80000000, 0xff800000, DZ, "1 / -0 = -inf, DZ"
    FOP2 123, fdiv.s, s, rne, 0x00000000, 0x00000000, 0x7fc00000, NV, "0 / 0 is invalid"
    FOP2 124, fdiv.s, s, rne, 0x7f800000, 0x7f800000, 0x7fc00000, NV, "inf / inf is invalid"
    FOP2 125, fdiv.s, s, rne, 0x3f800000, 0xff800000, 0x80000000, 0, "1 / -inf = -0"
    FOP2 126, fadd.s, s, rne, 0x7f800000, 0xff800000, 0x7fc00000, NV, "inf + -inf is invalid"
    FOP2 127, fsub.s, s, rne, 0x7f800000, 0x7f800000, 0x7fc00000, NV, "inf - inf is invalid"
    FOP2 128, fmul.s, s, rne, 0x7f800000, 0x00000000, 0x7fc00000, NV, "inf * 0 is invalid"
    FOP2 129, fadd.s, s, rne, 0x7f800000, 0x7f7fffff, 0x7f800000, 0, "inf + largest = inf, exact"
    FOP2 130, fadd.s, s, rne, 0x7fc00000, 0x3f800000, 0x7fc00000, 0, "qNaN + 1: canonical NaN, no flag"
    FOP2 131, fadd.s, s, rne, 0x7f800001, 0x3f800000, 0x7fc00000, NV, "sNaN + 1: canonical NaN, NV"
    FOP2 132, fmul.s, s, rne, 0x3f800000, 0xffc12345, 0x7fc00000, 0, "a NaN payload and sign are not propagated"
    FOP2 133, fsub.s, s, rne, 0x7f800001, 0x7fc00000, 0x7fc00000, NV, "sNaN - qNaN: NV"
    FOP2 134, fadd.s, s, rne, 0x00000000, 0x80000000, 0x00000000, 0, "+0 + -0 = +0 under rne"
    FOP2 135, fadd.s, s, rdn, 0x00000000, 0x80000000, 0x80000000, 0, "+0 + -0 = -0 under rdn"
    FOP2 136, fadd.s, s, rne, 0x80000000, 0x80000000, 0x80000000, 0, "-0 + -0 = -0"
    FOP2 137, fsub.s, s, rne, 0x3fa00000, 0x3fa00000, 0x00000000, 0, "x - x = +0 under rne"
    FOP2 138, fsub.s, s, rdn, 0x3fa00000, 0x3fa00000, 0x80000000, 0, "x - x = -0 under rdn"
    FOP2 139, fmul.s, s, rne, 0x80000000, 0x40400000, 0x80000000, 0, "-0 * 3 = -0"
    FOP1 140, fsqrt.s, s, rne, 0xbf800000, 0x7fc00000, NV, "sqrt -1 is invalid"
    FOP1 141, fsqrt.s, s, rne, 0x80000000, 0x80000000, 0, "sqrt -0 = -0"
    FOP1 142, fsqrt.s, s, rne, 0x7f800000, 0x7f800000, 0, "sqrt inf = inf"
    FOP1 143, fsqrt.s, s, rne, 0xff800000, 0x7fc00000, NV, "sqrt -inf is invalid"
    FOP1 144, fsqrt.s, s, rne, 0x7f800001, 0x7fc00000, NV, "sqrt sNaN: NV"
    FOP1 145, fsqrt.s, s, rne, 0x00000001, 0x1a3504f3, NX, "sqrt of the smallest subnormal"

    # RISC-V: inf * 0 + qNaN is invalid even though the addend is a quiet NaN.
    FOP3 150, fmadd.s, s, rne, 0x7f800000, 0x00000000, 0x7fc00000, 0x7fc00000, NV, "fmadd inf * 0 + qNaN: NV"
    FOP3 151, fmadd.s, s, rne, 0x3f800000, 0x3f800000, 0x7fc00000, 0x7fc00000, 0, "fmadd 1 * 1 + qNaN: no flag"
    FOP3 152, fmadd.s, s, rne, 0x3f800000, 0x3f800000, 0x7f800001, 0x7fc00000, NV, "fmadd 1 * 1 + sNaN: NV"
    FOP3 153, fmadd.s, s, rne, 0x7f800000, 0x3f800000, 0xff800000, 0x7fc00000, NV, "fmadd inf * 1 - inf is invalid"
    FOP3 154, fmadd.s, s, rne, 0x3f800000, 0xbf800000, 0x3f800000, 0x00000000, 0, "fmadd 1 * -1 + 1 = +0 under rne"
    FOP3 155, fmadd.s, s, rdn, 0x3f800000, 0xbf800000, 0x3f800000, 0x80000000, 0, "fmadd 1 * -1 + 1 = -0 under rdn"
    FOP3 156, fmadd.s, s, rne, 0x7f7fffff, 0x40000000, 0xbf800000, 0x7f800000, OF|NX, "fmadd overflow"
    FOP3 157, fnmadd.s, s, rne, 0x80000000, 0x3f800000, 0x00000000, 0x00000000, 0, "fnmadd -(-0 * 1) - 0 = +0 - 0 = +0"

    # ---- fmin, fmax: -0 < +0; a single NaN operand is ignored; two NaNs give the canonical NaN;
    # a signaling NaN raises NV. Results are not rounded and never inexact. ----
    FOP2 160, fmin.s, s, , 0x3f800000, 0x40000000, 0x3f800000, 0, "fmin 1, 2"
    FOP2 161, fmax.s, s, , 0x3f800000, 0x40000000, 0x40000000, 0, "fmax 1, 2"
    FOP2 162, fmin.s, s, , 0xc0400000, 0x40000000, 0xc0400000, 0, "fmin -3, 2"
    FOP2 163, fmin.s, s, , 0x00000000, 0x80000000, 0x80000000, 0, "fmin +0, -0 = -0"
    FOP2 164, fmin.s, s, , 0x80000000, 0x00000000, 0x80000000, 0, "fmin -0, +0 = -0"
    FOP2 165, fmax.s, s, , 0x80000000, 0x00000000, 0x00000000, 0, "fmax -0, +0 = +0"
    FOP2 166, fmax.s, s, , 0x00000000, 0x80000000, 0x00000000, 0, "fmax +0, -0 = +0"
    FOP2 167, fmin.s, s, , 0x7fc00000, 0x3f800000, 0x3f800000, 0, "fmin qNaN, 1 = 1"
    FOP2 168, fmax.s, s, , 0x3f800000, 0x7fc00000, 0x3f800000, 0, "fmax 1, qNaN = 1"
    FOP2 169, fmin.s, s, , 0x7f800001, 0x3f800000, 0x3f800000, NV, "fmin sNaN, 1 = 1 with NV"
    FOP2 170, fmax.s, s, , 0x7fc00000, 0x7fc00000, 0x7fc00000, 0, "fmax qNaN, qNaN = canonical NaN"
    FOP2 171, fmin.s, s, , 0x7f800001, 0xffc12345, 0x7fc00000, NV, "fmin sNaN, qNaN = canonical NaN with NV"
    FOP2 172, fmax.s, s, , 0xff800000, 0xff7fffff, 0xff7fffff, 0, "fmax -inf, -largest"
    FOP2 173, fmin.s, s, , 0x7f800000, 0x7f7fffff, 0x7f7fffff, 0, "fmin inf, largest"

    # ---- comparisons: feq is quiet (NV only for sNaN), flt and fle signal on any NaN ----
    FCMP 180, feq.s, s, 0x3f800000, 0x3f800000, 1, 0, "feq 1, 1"
    FCMP 181, feq.s, s, 0x3f800000, 0x40000000, 0, 0, "feq 1, 2"
    FCMP 182, feq.s, s, 0x00000000, 0x80000000, 1, 0, "feq +0, -0 is true"
    FCMP 183, feq.s, s, 0x7fc00000, 0x7fc00000, 0, 0, "feq qNaN, qNaN is false, no flag"
    FCMP 184, feq.s, s, 0x7f800001, 0x3f800000, 0, NV, "feq sNaN, 1: NV"
    FCMP 185, flt.s, s, 0x3f800000, 0x40000000, 1, 0, "flt 1, 2"
    FCMP 186, flt.s, s, 0x40000000, 0x3f800000, 0, 0, "flt 2, 1"
    FCMP 187, flt.s, s, 0x80000000, 0x00000000, 0, 0, "flt -0, +0 is false"
    FCMP 188, flt.s, s, 0xff800000, 0xff7fffff, 1, 0, "flt -inf, -largest"
    FCMP 189, flt.s, s, 0x7fc00000, 0x3f800000, 0, NV, "flt qNaN, 1: NV"
    FCMP 190, fle.s, s, 0x3f800000, 0x3f800000, 1, 0, "fle 1, 1"
    FCMP 191, fle.s, s, 0x40000000, 0x3f800000, 0, 0, "fle 2, 1"
    FCMP 192, fle.s, s, 0x80000000, 0x00000000, 1, 0, "fle -0, +0"
    FCMP 193, fle.s, s, 0x3f800000, 0x7fc00000, 0, NV, "fle 1, qNaN: NV"
    FCMP 194, flt.s, s, 0x80000001, 0x00000000, 1, 0, "flt -smallest subnormal, +0"

    # ---- fclass: one bit per class ----
    FCLASS 200, s, 0xff800000, 0x1, "-inf"
    FCLASS 201, s, 0xbf800000, 0x2, "-normal"
    FCLASS 202, s, 0x80000001, 0x4, "-subnormal"
    FCLASS 203, s, 0x80000000, 0x8, "-0"
    FCLASS 204, s, 0x00000000, 0x10, "+0"
    FCLASS 205, s, 0x007fffff, 0x20, "+subnormal"
    FCLASS 206, s, 0x7f7fffff, 0x40, "+normal"
    FCLASS 207, s, 0x7f800000, 0x80, "+inf"
    FCLASS 208, s, 0x7f800001, 0x100, "signaling NaN"
    FCLASS 209, s, 0x7fc00000, 0x200, "quiet NaN"
    FCLASS 210, s, 0xffc12345, 0x200, "negative quiet NaN with payload"
    FCLASS 211, s, 0xff800101, 0x100, "negative signaling NaN"

    # ---- sign injection: copies bits, NaNs included, and never raises flags ----
    FOP2 220, fsgnj.s, s, , 0x3f800000, 0xc0000000, 0xbf800000, 0, "fsgnj 1, -2 = -1"
    FOP2 221, fsgnj.s, s, , 0xbf800000, 0x40000000, 0x3f800000, 0, "fsgnj -1, 2 = 1"
    FOP2 222, fsgnjn.s, s, , 0x3f800000, 0xc0000000, 0x3f800000, 0, "fsgnjn 1, -2 = 1"
    FOP2 223, fsgnjn.s, s, , 0x3f800000, 0x40000000, 0xbf800000, 0, "fsgnjn 1, 2 = -1"
    FOP2 224, fsgnjx.s, s, , 0xbf800000, 0xc0000000, 0x3f800000, 0, "fsgnjx -1, -2 = 1"
    FOP2 225, fsgnjx.s, s, , 0xbf800000, 0x40000000, 0xbf800000, 0, "fsgnjx -1, 2 = -1"
    FOP2 226, fsgnj.s, s, , 0x7f800001, 0x80000000, 0xff800001, 0, "fsgnj keeps a signaling NaN payload, no NV"
    FOP2 227, fsgnjx.s, s, , 0xffc12345, 0x80000000, 0x7fc12345, 0, "fsgnjx of a negative NaN with -0 clears its sign"

    # ---- conversions to integers: rounded by rm; NaN and out-of-range values raise NV (and not NX)
    # and saturate (NaN and too large to the largest value, too small to the smallest). The 32-bit
    # results, unsigned ones included, are sign-extended to 64 bits. ----
    FTOI 300, fcvt.w.s, s, rne, 0x40200000, 0x2, NX, "fcvt.w 2.5, rne"
    FTOI 301, fcvt.w.s, s, rtz, 0x40200000, 0x2, NX, "fcvt.w 2.5, rtz"
    FTOI 302, fcvt.w.s, s, rdn, 0x40200000, 0x2, NX, "fcvt.w 2.5, rdn"
    FTOI 303, fcvt.w.s, s, rup, 0x40200000, 0x3, NX, "fcvt.w 2.5, rup"
    FTOI 304, fcvt.w.s, s, rmm, 0x40200000, 0x3, NX, "fcvt.w 2.5, rmm"
    FTOI 305, fcvt.w.s, s, rne, 0xc0200000, 0xfffffffffffffffe, NX, "fcvt.w -2.5, rne"
    FTOI 306, fcvt.w.s, s, rtz, 0xc0200000, 0xfffffffffffffffe, NX, "fcvt.w -2.5, rtz"
    FTOI 307, fcvt.w.s, s, rdn, 0xc0200000, 0xfffffffffffffffd, NX, "fcvt.w -2.5, rdn"
    FTOI 308, fcvt.w.s, s, rup, 0xc0200000, 0xfffffffffffffffe, NX, "fcvt.w -2.5, rup"
    FTOI 309, fcvt.w.s, s, rmm, 0xc0200000, 0xfffffffffffffffd, NX, "fcvt.w -2.5, rmm"
    FTOI 310, fcvt.l.s, s, rne, 0xbfe00000, 0xfffffffffffffffe, NX, "fcvt.l -1.75, rne"
    FTOI 311, fcvt.l.s, s, rtz, 0xbfe00000, 0xffffffffffffffff, NX, "fcvt.l -1.75, rtz"
    FTOI 312, fcvt.l.s, s, rdn, 0xbfe00000, 0xfffffffffffffffe, NX, "fcvt.l -1.75, rdn"
    FTOI 313, fcvt.l.s, s, rup, 0xbfe00000, 0xffffffffffffffff, NX, "fcvt.l -1.75, rup"
    FTOI 314, fcvt.l.s, s, rmm, 0xbfe00000, 0xfffffffffffffffe, NX, "fcvt.l -1.75, rmm"
    FTOI 315, fcvt.w.s, s, rne, 0x3f800000, 0x1, 0, "fcvt.w 1.0 exact"
    FTOI 316, fcvt.w.s, s, rtz, 0x80000000, 0x0, 0, "fcvt.w -0 = 0"
    FTOI 317, fcvt.w.s, s, rtz, 0x7fc00000, 0x7fffffff, NV, "fcvt.w NaN = INT32_MAX, NV"
    FTOI 318, fcvt.w.s, s, rtz, 0xffc12345, 0x7fffffff, NV, "fcvt.w negative NaN = INT32_MAX, NV"
    FTOI 319, fcvt.w.s, s, rtz, 0x7f800000, 0x7fffffff, NV, "fcvt.w +inf = INT32_MAX"
    FTOI 320, fcvt.w.s, s, rtz, 0xff800000, 0xffffffff80000000, NV, "fcvt.w -inf = INT32_MIN, sign-extended"
    FTOI 321, fcvt.w.s, s, rtz, 0x4f32d05e, 0x7fffffff, NV, "fcvt.w 3e9 saturates"
    FTOI 322, fcvt.w.s, s, rtz, 0xcf32d05e, 0xffffffff80000000, NV, "fcvt.w -3e9 saturates"
    FTOI 323, fcvt.w.s, s, rtz, 0xcf000000, 0xffffffff80000000, 0, "fcvt.w -2^31 is in range"
    FTOI 324, fcvt.w.s, s, rne, 0xbf000000, 0x0, NX, "fcvt.w -0.5 rounds to -0 = 0"
    FTOI 330, fcvt.wu.s, s, rtz, 0x4f32d05e, 0xffffffffb2d05e00, 0, "fcvt.wu 3e9: bit 31 set, sign-extended"
    FTOI 331, fcvt.wu.s, s, rtz, 0xbf800000, 0x0, NV, "fcvt.wu -1 saturates to 0, NV"
    FTOI 332, fcvt.wu.s, s, rtz, 0xbf600000, 0x0, NX, "fcvt.wu -0.875 truncates to 0: NX only"
    FTOI 333, fcvt.wu.s, s, rne, 0xbf600000, 0x0, NV, "fcvt.wu -0.875 rounds to -1: NV"
    FTOI 334, fcvt.wu.s, s, rtz, 0x7fc00000, 0xffffffffffffffff, NV, "fcvt.wu NaN = 2^32-1, sign-extended"
    FTOI 335, fcvt.wu.s, s, rtz, 0xff800000, 0x0, NV, "fcvt.wu -inf = 0"
    FTOI 336, fcvt.wu.s, s, rtz, 0x4f800000, 0xffffffffffffffff, NV, "fcvt.wu 2^32 saturates"
    FTOI 337, fcvt.wu.s, s, rup, 0x3e800000, 0x1, NX, "fcvt.wu 0.25 rup = 1"
    FTOI 340, fcvt.l.s, s, rtz, 0x7fc00000, 0x7fffffffffffffff, NV, "fcvt.l NaN = INT64_MAX"
    FTOI 341, fcvt.l.s, s, rtz, 0xff800000, 0x8000000000000000, NV, "fcvt.l -inf = INT64_MIN"
    FTOI 342, fcvt.l.s, s, rtz, 0x5f000000, 0x7fffffffffffffff, NV, "fcvt.l 2^63 saturates"
    FTOI 343, fcvt.l.s, s, rtz, 0xdf000000, 0x8000000000000000, 0, "fcvt.l -2^63 is in range"
    FTOI 344, fcvt.l.s, s, rtz, 0x53800000, 0x10000000000, 0, "fcvt.l 2^40 exact"
    FTOI 345, fcvt.lu.s, s, rtz, 0x5f000000, 0x8000000000000000, 0, "fcvt.lu 2^63"
    FTOI 346, fcvt.lu.s, s, rtz, 0x5f800000, 0xffffffffffffffff, NV, "fcvt.lu 2^64 saturates"
    FTOI 347, fcvt.lu.s, s, rtz, 0xbf800000, 0x0, NV, "fcvt.lu -1 saturates to 0"
    FTOI 348, fcvt.lu.s, s, rtz, 0x7fc00000, 0xffffffffffffffff, NV, "fcvt.lu NaN = 2^64-1"
    FTOI 349, fcvt.lu.s, s, rdn, 0xbe800000, 0x0, NV, "fcvt.lu -0.25 rdn = -1: NV"
    FTOI 350, fcvt.lu.s, s, rup, 0xbe800000, 0x0, NX, "fcvt.lu -0.25 rup = -0: NX only"
    FTOI 351, fcvt.l.s, s, rtz, 0x00000001, 0x0, NX, "fcvt.l of the smallest subnormal: 0, NX"

    # ---- conversions from integers: exact when the integer fits the significand, rounded by rm
    # otherwise. fcvt.*.w and .wu read only the low 32 bits of the register. ----
    FFROMI 360, fcvt.s.l, s, rne, 0x1000001, 0x4b800000, NX, "fcvt from 2^p + 1 (a tie), rne"
    FFROMI 361, fcvt.s.l, s, rtz, 0x1000001, 0x4b800000, NX, "fcvt from 2^p + 1 (a tie), rtz"
    FFROMI 362, fcvt.s.l, s, rdn, 0x1000001, 0x4b800000, NX, "fcvt from 2^p + 1 (a tie), rdn"
    FFROMI 363, fcvt.s.l, s, rup, 0x1000001, 0x4b800001, NX, "fcvt from 2^p + 1 (a tie), rup"
    FFROMI 364, fcvt.s.l, s, rmm, 0x1000001, 0x4b800001, NX, "fcvt from 2^p + 1 (a tie), rmm"
    FFROMI 365, fcvt.s.l, s, rne, 0xfffffffffefffffd, 0xcb800002, NX, "fcvt from -(2^p + 3) (a tie), rne"
    FFROMI 366, fcvt.s.l, s, rtz, 0xfffffffffefffffd, 0xcb800001, NX, "fcvt from -(2^p + 3) (a tie), rtz"
    FFROMI 367, fcvt.s.l, s, rdn, 0xfffffffffefffffd, 0xcb800002, NX, "fcvt from -(2^p + 3) (a tie), rdn"
    FFROMI 368, fcvt.s.l, s, rup, 0xfffffffffefffffd, 0xcb800001, NX, "fcvt from -(2^p + 3) (a tie), rup"
    FFROMI 369, fcvt.s.l, s, rmm, 0xfffffffffefffffd, 0xcb800002, NX, "fcvt from -(2^p + 3) (a tie), rmm"
    FFROMI 370, fcvt.s.w, s, rne, 0x0, 0x00000000, 0, "fcvt from 0 = +0"
    FFROMI 371, fcvt.s.w, s, rne, 0xffffffff, 0xbf800000, 0, "fcvt.w: 0xffffffff is -1"
    FFROMI 372, fcvt.s.wu, s, rne, 0xffffffff, 0x4f800000, NX, "fcvt.wu: 0xffffffff is 2^32-1"
    FFROMI 373, fcvt.s.w, s, rne, 0x1234567880000000, 0xcf000000, 0, "fcvt.w uses the low word only: INT32_MIN"
    FFROMI 374, fcvt.s.wu, s, rne, 0xffffffff00000007, 0x40e00000, 0, "fcvt.wu uses the low word only: 7"
    FFROMI 375, fcvt.s.l, s, rne, 0x8000000000000000, 0xdf000000, 0, "fcvt.l INT64_MIN = -2^63 exact"
    FFROMI 376, fcvt.s.lu, s, rne, 0xffffffffffffffff, 0x5f800000, NX, "fcvt.lu 2^64-1 rounds to 2^64"
    FFROMI 377, fcvt.s.lu, s, rtz, 0xffffffffffffffff, 0x5f7fffff, NX, "fcvt.lu 2^64-1 rtz"
    FFROMI 378, fcvt.s.l, s, rne, 0xffffffffffffffff, 0xbf800000, 0, "fcvt.l -1"
    FFROMI 379, fcvt.s.w, s, rup, 0x7fffffff, 0x4f000000, NX, "fcvt.w INT32_MAX rup"

    # ---- fmv: raw bits, no canonicalization ----
    # fmv.x.w sign-extends bit 31 of the low word; fmv.w.x boxes the low word of the integer.
    CASE 400, "fmv.x.w sign-extends"
    FLOAD fa1, s, 0x80000001
    fmv.x.w a0, fa1
    CHECK a0, 0xffffffff80000001
    FLOAD fa1, s, 0x7fffffff
    fmv.x.w a0, fa1
    CHECK a0, 0x7fffffff

    CASE 401, "fmv.w.x boxes the low word and ignores the upper one"
    li a1, 0x1234567840490fdb
    fmv.w.x fa0, a1
    FCHECK fa0, s, 0x40490fdb

    CASE 402, "fmv keeps a signaling NaN's bits and raises nothing"
    csrw fflags, zero
    li a1, 0x7f800001
    fmv.w.x fa0, a1
    fmv.x.w a0, fa0
    CHECK a0, 0x7f800001
    CHECK_FLAGS 0

    # ---- NaN boxing: a single operand whose upper 32 bits are not all ones is the canonical NaN ----
    CASE 410, "fadd.s with an unboxed operand gives the canonical NaN, no flag"
    csrw fflags, zero
    li a1, 0x000000003f800000
    fmv.d.x fa1, a1
    FLOAD fa2, s, 0x3f800000
    fadd.s fa0, fa1, fa2
    FCHECK fa0, s, 0x7fc00000
    CHECK_FLAGS 0

    CASE 411, "an almost boxed operand (one upper bit clear) is not boxed"
    li a1, 0xfffffffe3f800000
    fmv.d.x fa1, a1
    FLOAD fa2, s, 0x3f800000
    fmul.s fa0, fa2, fa1
    FCHECK fa0, s, 0x7fc00000

    # Sign injection on an unboxed operand works on the canonical NaN: its sign comes from rs2.
    CASE 412, "fsgnj.s with an unboxed rs1 gives a signed canonical NaN"
    li a1, 0x000000003f800000
    fmv.d.x fa1, a1
    FLOAD fa2, s, 0xc0000000
    fsgnj.s fa0, fa1, fa2
    FCHECK fa0, s, 0xffc00000

    CASE 413, "fclass.s of an unboxed value is quiet NaN"
    li a1, 0x00000000ff800000
    fmv.d.x fa1, a1
    fclass.s a0, fa1
    CHECK a0, 0x200

    CASE 414, "feq.s of unboxed values: false, no flag; flt.s: NV"
    csrw fflags, zero
    li a1, 0x000000003f800000
    fmv.d.x fa1, a1
    feq.s a0, fa1, fa1
    CHECK a0, 0
    CHECK_FLAGS 0
    flt.s a0, fa1, fa1
    CHECK a0, 0
    CHECK_FLAGS NV

    CASE 415, "fmin.s ignores an unboxed (NaN) operand"
    li a1, 0x000000003f800000
    fmv.d.x fa1, a1
    FLOAD fa2, s, 0x40000000
    fmin.s fa0, fa1, fa2
    FCHECK fa0, s, 0x40000000

    CASE 416, "fcvt.w.s of an unboxed value: NaN, INT32_MAX, NV"
    csrw fflags, zero
    li a1, 0x0000000040000000
    fmv.d.x fa1, a1
    fcvt.w.s a0, fa1, rtz
    CHECK a0, 0x7fffffff
    CHECK_FLAGS NV

    CASE 417, "fmadd.s with an unboxed addend"
    li a1, 0x0000000040000000
    fmv.d.x fa3, a1
    FLOAD fa1, s, 0x3f800000
    fmadd.s fa0, fa1, fa1, fa3
    FCHECK fa0, s, 0x7fc00000

    # fmv.x.w and fsw move bits: they do not look at the box.
    CASE 418, "fmv.x.w of an unboxed value returns its low word"
    li a1, 0x123456789abcdef0
    fmv.d.x fa1, a1
    fmv.x.w a0, fa1
    CHECK a0, 0xffffffff9abcdef0

    CASE 419, "fsw of an unboxed value stores its low word"
    la a2, fmem
    li a3, -1
    sd a3, 0(a2)
    li a1, 0x123456789abcdef0
    fmv.d.x fa1, a1
    fsw fa1, 0(a2)
    ld a0, 0(a2)
    CHECK a0, 0xffffffff9abcdef0

    # ---- flw and fsw ----
    CASE 420, "flw boxes the loaded word"
    la a2, fmem
    li a3, 0x5555555540490fdb
    sd a3, 0(a2)
    flw fa0, 0(a2)
    FCHECK fa0, s, 0x40490fdb
    flw fa0, 4(a2)
    FCHECK fa0, s, 0x55555555

    CASE 421, "flw and fsw keep a signaling NaN's bits"
    la a2, fmem
    li a3, 0x7f800123
    sw a3, 8(a2)
    flw fa0, 8(a2)
    FCHECK fa0, s, 0x7f800123
    fsw fa0, 12(a2)
    lwu a0, 12(a2)
    CHECK a0, 0x7f800123

    CASE 422, "fsw stores 4 bytes, with a negative offset"
    la a2, fmem
    li a3, -1
    sd a3, 0(a2)
    FLOAD fa1, s, 0x3f800000
    addi a4, a2, 8
    fsw fa1, -4(a4)
    ld a0, 0(a2)
    CHECK a0, 0x3f800000ffffffff

    # Integer results written to x0 are discarded (but the operation still raises its flags).
    CASE 423, "F instructions with rd = x0"
    csrw fflags, zero
    FLOAD fa1, s, 0x7fc00000
    FLOAD fa2, s, 0x3f800000
    fmv.x.w zero, fa2
    fclass.s zero, fa2
    feq.s zero, fa2, fa2
    flt.s zero, fa1, fa2
    CHECK zero, 0
    CHECK_FLAGS NV
    fcvt.w.s zero, fa1, rtz
    fcvt.lu.s zero, fa2, rtz
    CHECK zero, 0
    CHECK_FLAGS NV

    # ---- fflags accumulate ----
    CASE 430, "fflags accumulate until cleared"
    csrw fflags, zero
    FLOAD fa1, s, 0x3f800000
    fmv.w.x fa2, zero
    fdiv.s fa0, fa1, fa2
    FLOAD fa2, s, 0x40400000
    fdiv.s fa0, fa1, fa2
    csrr a0, fflags
    CHECK a0, DZ | NX
    csrr a0, fcsr
    CHECK a0, DZ | NX
    CHECK_FLAGS DZ | NX
    csrr a0, fflags
    CHECK a0, 0

    # ---- reserved rounding modes are illegal ----
    # frm = 5, 6 and 7 are invalid: an instruction that rounds with rm = dyn traps.
    CASE 440, "frm = 5: fadd.s with rm = dyn is illegal"
    csrwi frm, 5
    EXPECT_TRAP 1f
2:  fadd.s fa0, fa1, fa2, dyn
1:  csrwi frm, 0
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL_INSN 2b
    CHECK_EPC 2b

    CASE 441, "frm = 6: fsqrt.s with rm = dyn is illegal"
    csrwi frm, 6
    EXPECT_TRAP 1f
    fsqrt.s fa0, fa1, dyn
1:  csrwi frm, 0
    CHECK_CAUSE CAUSE_ILLEGAL

    CASE 442, "frm = 7: fcvt.s.w with rm = dyn is illegal"
    csrwi frm, 7
    EXPECT_TRAP 1f
    fcvt.s.w fa0, a1, dyn
1:  csrwi frm, 0
    CHECK_CAUSE CAUSE_ILLEGAL

    CASE 443, "frm = 5: fmadd.s with rm = dyn is illegal"
    csrwi frm, 5
    EXPECT_TRAP 1f
    fmadd.s fa0, fa1, fa2, fa3, dyn
1:  csrwi frm, 0
    CHECK_CAUSE CAUSE_ILLEGAL

    CASE 444, "frm = 7: fcvt.w.s with rm = dyn is illegal"
    csrwi frm, 7
    EXPECT_TRAP 1f
    fcvt.w.s a0, fa1, dyn
1:  csrwi frm, 0
    CHECK_CAUSE CAUSE_ILLEGAL

    # Instructions without a rounding mode do not care about frm.
    CASE 445, "frm = 5: sign injection, fmin, compare, class, fmv still work"
    csrwi frm, 5
    EXPECT_TRAP 1f
    FLOAD fa1, s, 0x3f800000
    fsgnjn.s fa0, fa1, fa1
    fmin.s fa0, fa0, fa1
    feq.s a0, fa0, fa1
    fclass.s a0, fa1
    fmv.x.w a0, fa1
1:  csrwi frm, 0
    CHECK_NO_TRAP
    CHECK a0, 0x3f800000

    # rm = 5 and 6 in the instruction itself are reserved whatever frm holds.
    CASE 446, "static rm = 5 is illegal"
    EXPECT_TRAP 1f
2:  .insn r 0x53, 5, 0x00, fa0, fa1, fa2
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL_INSN 2b

    CASE 447, "static rm = 6 is illegal (fmul.s)"
    EXPECT_TRAP 1f
2:  .insn r 0x53, 6, 0x08, fa0, fa1, fa2
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL_INSN 2b

    # ---- mstatus.FS ----
    # FS = Off: every F instruction and every access to fflags, frm, fcsr is illegal.
    CASE 450, "FS = Off: fadd.s is illegal"
    li t0, MSTATUS_FS
    csrc mstatus, t0
    EXPECT_TRAP 1f
2:  fadd.s fa0, fa1, fa2
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL_INSN 2b

    CASE 451, "FS = Off: flw, fsw, fmv.x.w, fmv.w.x are illegal"
    la a2, fmem
    EXPECT_TRAP 1f
    flw fa0, 0(a2)
1:  CHECK_CAUSE CAUSE_ILLEGAL
    EXPECT_TRAP 1f
    fsw fa0, 0(a2)
1:  CHECK_CAUSE CAUSE_ILLEGAL
    EXPECT_TRAP 1f
    fmv.x.w a0, fa0
1:  CHECK_CAUSE CAUSE_ILLEGAL
    EXPECT_TRAP 1f
    fmv.w.x fa0, a0
1:  CHECK_CAUSE CAUSE_ILLEGAL

    CASE 452, "FS = Off: fflags, frm and fcsr are inaccessible"
    EXPECT_TRAP 1f
    csrr a0, fflags
1:  CHECK_CAUSE CAUSE_ILLEGAL
    EXPECT_TRAP 1f
    csrwi frm, 1
1:  CHECK_CAUSE CAUSE_ILLEGAL
    EXPECT_TRAP 1f
    csrr a0, fcsr
1:  CHECK_CAUSE CAUSE_ILLEGAL

    # FS = Initial (1) becomes Dirty (3) when an instruction writes the F state.
    CASE 453, "FS = Initial becomes Dirty after fadd.s"
    li t0, MSTATUS_FS_INITIAL
    csrs mstatus, t0
    fadd.s fa0, fa1, fa2
    csrr a0, mstatus
    li t0, MSTATUS_FS
    and a0, a0, t0
    CHECK a0, MSTATUS_FS

    CASE 454, "FS = Initial becomes Dirty after flw"
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, MSTATUS_FS_INITIAL
    csrs mstatus, t0
    la a2, fmem
    flw fa0, 0(a2)
    csrr a0, mstatus
    li t0, MSTATUS_FS
    and a0, a0, t0
    CHECK a0, MSTATUS_FS

    CASE 455, "FS = Initial becomes Dirty after a write to fflags"
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, MSTATUS_FS_INITIAL
    csrs mstatus, t0
    csrwi fflags, 0
    csrr a0, mstatus
    li t0, MSTATUS_FS
    and a0, a0, t0
    CHECK a0, MSTATUS_FS

    PASS
