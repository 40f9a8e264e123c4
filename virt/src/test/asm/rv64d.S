# RV64D: double-precision arithmetic in every rounding mode, static and dynamic, with the exact
# accrued flags; overflow, underflow (tininess after rounding), infinities, signed zeros and
# NaNs (results are the canonical NaN 0x7ff8000000000000); fmin/fmax, comparisons, fclass, sign
# injection; conversions to and from integers with saturation; fcvt.s.d (rounded, NaN-boxed
# result) and fcvt.d.s (exact); fmv.x.d/fmv.d.x; fld/fsd; reserved rounding modes.
#
# The expected encodings were computed exactly (rational arithmetic) from IEEE 754-2008 and the
# RISC-V D chapter; each group's comment says why. "ulp" is 2^-52, the spacing just above 1.
    .include "test.inc"
    .include "fp.inc"

    .data
    .balign 8
dmem:
    .dword 0, 0, 0

    .text
main:

    # ---- exact results: no flags ----
    FOP2 1, fadd.d, d, rne, 0x3ff0000000000000, 0x4000000000000000, 0x4008000000000000, 0, "1 + 2 = 3"
    FOP2 2, fsub.d, d, rne, 0x3ff0000000000000, 0x4008000000000000, 0xc000000000000000, 0, "1 - 3 = -2"
    FOP2 3, fmul.d, d, rne, 0x3ff8000000000000, 0xc000000000000000, 0xc008000000000000, 0, "1.5 * -2 = -3"
    FOP2 4, fdiv.d, d, rne, 0x3ff0000000000000, 0x4010000000000000, 0x3fd0000000000000, 0, "1 / 4 = 0.25"
    FOP1 5, fsqrt.d, d, rne, 0x4010000000000000, 0x4000000000000000, 0, "sqrt 4 = 2"
    FOP1 6, fsqrt.d, d, rne, 0x3fd0000000000000, 0x3fe0000000000000, 0, "sqrt 0.25 = 0.5"
    FOP3 7, fmadd.d, d, rne, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0x401c000000000000, 0, "fmadd 2 * 3 + 1 = 7"
    FOP3 8, fmsub.d, d, rne, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0x4014000000000000, 0, "fmsub 2 * 3 - 1 = 5"
    FOP3 9, fnmsub.d, d, rne, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0xc014000000000000, 0, "fnmsub -(2 * 3) + 1 = -5"
    FOP3 10, fnmadd.d, d, rne, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0xc01c000000000000, 0, "fnmadd -(2 * 3) - 1 = -7"
    FOP2 11, fadd.d, d, rne, 0x7fefffffffffffff, 0x8000000000000000, 0x7fefffffffffffff, 0, "largest finite + -0"

    # ---- the five rounding modes, static (rm field) ----
    # ulp is the distance from 1 to the next larger number. 1 + 0.75 ulp lies nearer 1 + ulp:
    # RNE, RUP and RMM give 1 + ulp, RTZ and RDN give 1. Every inexact result raises NX.
    FOP2 20, fadd.d, d, rne, 0x3ff0000000000000, 0x3ca8000000000000, 0x3ff0000000000001, NX, "1 + 0.75 ulp, rne"
    FOP2 21, fadd.d, d, rtz, 0x3ff0000000000000, 0x3ca8000000000000, 0x3ff0000000000000, NX, "1 + 0.75 ulp, rtz"
    FOP2 22, fadd.d, d, rdn, 0x3ff0000000000000, 0x3ca8000000000000, 0x3ff0000000000000, NX, "1 + 0.75 ulp, rdn"
    FOP2 23, fadd.d, d, rup, 0x3ff0000000000000, 0x3ca8000000000000, 0x3ff0000000000001, NX, "1 + 0.75 ulp, rup"
    FOP2 24, fadd.d, d, rmm, 0x3ff0000000000000, 0x3ca8000000000000, 0x3ff0000000000001, NX, "1 + 0.75 ulp, rmm"

    # 1 + 0.5 ulp is a tie between 1 (even) and 1 + ulp (odd): RNE picks 1, RMM goes away from 0.
    FOP2 25, fadd.d, d, rne, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, NX, "1 + 0.5 ulp tie, rne"
    FOP2 26, fadd.d, d, rtz, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, NX, "1 + 0.5 ulp tie, rtz"
    FOP2 27, fadd.d, d, rdn, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, NX, "1 + 0.5 ulp tie, rdn"
    FOP2 28, fadd.d, d, rup, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000001, NX, "1 + 0.5 ulp tie, rup"
    FOP2 29, fadd.d, d, rmm, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000001, NX, "1 + 0.5 ulp tie, rmm"

    # (1 + ulp) + 0.5 ulp is a tie between 1 + ulp (odd) and 1 + 2 ulp (even): RNE picks 1 + 2 ulp.
    FOP2 30, fadd.d, d, rne, 0x3ff0000000000001, 0x3ca0000000000000, 0x3ff0000000000002, NX, "(1 + ulp) + 0.5 ulp tie, rne"
    FOP2 31, fadd.d, d, rtz, 0x3ff0000000000001, 0x3ca0000000000000, 0x3ff0000000000001, NX, "(1 + ulp) + 0.5 ulp tie, rtz"
    FOP2 32, fadd.d, d, rdn, 0x3ff0000000000001, 0x3ca0000000000000, 0x3ff0000000000001, NX, "(1 + ulp) + 0.5 ulp tie, rdn"
    FOP2 33, fadd.d, d, rup, 0x3ff0000000000001, 0x3ca0000000000000, 0x3ff0000000000002, NX, "(1 + ulp) + 0.5 ulp tie, rup"
    FOP2 34, fadd.d, d, rmm, 0x3ff0000000000001, 0x3ca0000000000000, 0x3ff0000000000002, NX, "(1 + ulp) + 0.5 ulp tie, rmm"

    # Negative ties: -1 - 0.5 ulp. RDN goes towards -infinity (-1 - ulp), RUP towards +infinity (-1).
    FOP2 35, fadd.d, d, rne, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000000, NX, "-1 - 0.5 ulp tie, rne"
    FOP2 36, fadd.d, d, rtz, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000000, NX, "-1 - 0.5 ulp tie, rtz"
    FOP2 37, fadd.d, d, rdn, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000001, NX, "-1 - 0.5 ulp tie, rdn"
    FOP2 38, fadd.d, d, rup, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000000, NX, "-1 - 0.5 ulp tie, rup"
    FOP2 39, fadd.d, d, rmm, 0xbff0000000000000, 0xbca0000000000000, 0xbff0000000000001, NX, "-1 - 0.5 ulp tie, rmm"

    # Below 1 the spacing is ulp/2, so 1 - 0.25 ulp is a tie between 1 - ulp/2 (odd) and 1 (even):
    # RNE, RUP and RMM give 1, RTZ and RDN 1 - ulp/2.
    FOP2 40, fsub.d, d, rne, 0x3ff0000000000000, 0x3c90000000000000, 0x3ff0000000000000, NX, "1 - 0.25 ulp, rne"
    FOP2 41, fsub.d, d, rtz, 0x3ff0000000000000, 0x3c90000000000000, 0x3fefffffffffffff, NX, "1 - 0.25 ulp, rtz"
    FOP2 42, fsub.d, d, rdn, 0x3ff0000000000000, 0x3c90000000000000, 0x3fefffffffffffff, NX, "1 - 0.25 ulp, rdn"
    FOP2 43, fsub.d, d, rup, 0x3ff0000000000000, 0x3c90000000000000, 0x3ff0000000000000, NX, "1 - 0.25 ulp, rup"
    FOP2 44, fsub.d, d, rmm, 0x3ff0000000000000, 0x3c90000000000000, 0x3ff0000000000000, NX, "1 - 0.25 ulp, rmm"

    # (1 + ulp)^2 = 1 + 2 ulp + ulp^2: just above 1 + 2 ulp.
    FOP2 45, fmul.d, d, rne, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000002, NX, "(1 + ulp) squared, rne"
    FOP2 46, fmul.d, d, rtz, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000002, NX, "(1 + ulp) squared, rtz"
    FOP2 47, fmul.d, d, rdn, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000002, NX, "(1 + ulp) squared, rdn"
    FOP2 48, fmul.d, d, rup, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000003, NX, "(1 + ulp) squared, rup"
    FOP2 49, fmul.d, d, rmm, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000002, NX, "(1 + ulp) squared, rmm"
    FOP2 50, fmul.d, d, rne, 0xbff0000000000001, 0x3ff0000000000001, 0xbff0000000000002, NX, "-(1 + ulp) * (1 + ulp), rne"
    FOP2 51, fmul.d, d, rtz, 0xbff0000000000001, 0x3ff0000000000001, 0xbff0000000000002, NX, "-(1 + ulp) * (1 + ulp), rtz"
    FOP2 52, fmul.d, d, rdn, 0xbff0000000000001, 0x3ff0000000000001, 0xbff0000000000003, NX, "-(1 + ulp) * (1 + ulp), rdn"
    FOP2 53, fmul.d, d, rup, 0xbff0000000000001, 0x3ff0000000000001, 0xbff0000000000002, NX, "-(1 + ulp) * (1 + ulp), rup"
    FOP2 54, fmul.d, d, rmm, 0xbff0000000000001, 0x3ff0000000000001, 0xbff0000000000002, NX, "-(1 + ulp) * (1 + ulp), rmm"

    # 1/3 and -1/3: binary 0.010101..., never exact.
    FOP2 55, fdiv.d, d, rne, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, NX, "1 / 3, rne"
    FOP2 56, fdiv.d, d, rtz, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, NX, "1 / 3, rtz"
    FOP2 57, fdiv.d, d, rdn, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, NX, "1 / 3, rdn"
    FOP2 58, fdiv.d, d, rup, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555556, NX, "1 / 3, rup"
    FOP2 59, fdiv.d, d, rmm, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555555, NX, "1 / 3, rmm"
    FOP2 60, fdiv.d, d, rne, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555555, NX, "-1 / 3, rne"
    FOP2 61, fdiv.d, d, rtz, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555555, NX, "-1 / 3, rtz"
    FOP2 62, fdiv.d, d, rdn, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555556, NX, "-1 / 3, rdn"
    FOP2 63, fdiv.d, d, rup, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555555, NX, "-1 / 3, rup"
    FOP2 64, fdiv.d, d, rmm, 0xbff0000000000000, 0x4008000000000000, 0xbfd5555555555555, NX, "-1 / 3, rmm"

    # sqrt(2) = 1.0110101000001001111001100110011111110011101111001100...
    FOP1 65, fsqrt.d, d, rne, 0x4000000000000000, 0x3ff6a09e667f3bcd, NX, "sqrt 2, rne"
    FOP1 66, fsqrt.d, d, rtz, 0x4000000000000000, 0x3ff6a09e667f3bcc, NX, "sqrt 2, rtz"
    FOP1 67, fsqrt.d, d, rdn, 0x4000000000000000, 0x3ff6a09e667f3bcc, NX, "sqrt 2, rdn"
    FOP1 68, fsqrt.d, d, rup, 0x4000000000000000, 0x3ff6a09e667f3bcd, NX, "sqrt 2, rup"
    FOP1 69, fsqrt.d, d, rmm, 0x4000000000000000, 0x3ff6a09e667f3bcd, NX, "sqrt 2, rmm"

    # The fused multiply-add rounds once: (1 + ulp)^2 - 1 = 2 ulp + ulp^2, which has one bit too
    # many; a separate multiply would round the product first (RUP: 1 + 3 ulp, then 3 ulp).
    FOP3 70, fmadd.d, d, rne, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000000, 0x3cc0000000000000, NX, "fmadd (1 + ulp)^2 - 1, rne"
    FOP3 71, fmadd.d, d, rtz, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000000, 0x3cc0000000000000, NX, "fmadd (1 + ulp)^2 - 1, rtz"
    FOP3 72, fmadd.d, d, rdn, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000000, 0x3cc0000000000000, NX, "fmadd (1 + ulp)^2 - 1, rdn"
    FOP3 73, fmadd.d, d, rup, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000000, 0x3cc0000000000001, NX, "fmadd (1 + ulp)^2 - 1, rup"
    FOP3 74, fmadd.d, d, rmm, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000000, 0x3cc0000000000001, NX, "fmadd (1 + ulp)^2 - 1, rmm"
    FOP3 75, fnmsub.d, d, rne, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000000, 0xbcc0000000000000, NX, "fnmsub 1 - (1 + ulp)^2, rne"
    FOP3 76, fnmsub.d, d, rup, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000000, 0xbcc0000000000000, NX, "fnmsub 1 - (1 + ulp)^2, rup"
    FOP3 77, fnmadd.d, d, rne, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000000, 0xbcc0000000000000, NX, "fnmadd -((1 + ulp)^2) + 1, rne"
    FOP3 78, fnmadd.d, d, rdn, 0x3ff0000000000001, 0x3ff0000000000001, 0xbff0000000000000, 0xbcc0000000000001, NX, "fnmadd -((1 + ulp)^2) + 1, rdn"
    FOP3 79, fmsub.d, d, rtz, 0x3ff0000000000001, 0x3ff0000000000001, 0x3ff0000000000000, 0x3cc0000000000000, NX, "fmsub (1 + ulp)^2 - 1, rtz"

    # ---- the dynamic rounding mode: rm = dyn takes frm ----
    FDYN2 80, fadd.d, d, 0, 0xbff0000000000000, 0xbca8000000000000, 0xbff0000000000001, NX, "dyn with frm = rne: -1 - 0.75 ulp"
    FDYN2 81, fadd.d, d, 1, 0xbff0000000000000, 0xbca8000000000000, 0xbff0000000000000, NX, "dyn with frm = rtz: -1 - 0.75 ulp"
    FDYN2 82, fadd.d, d, 2, 0xbff0000000000000, 0xbca8000000000000, 0xbff0000000000001, NX, "dyn with frm = rdn: -1 - 0.75 ulp"
    FDYN2 83, fadd.d, d, 3, 0xbff0000000000000, 0xbca8000000000000, 0xbff0000000000000, NX, "dyn with frm = rup: -1 - 0.75 ulp"
    FDYN2 84, fadd.d, d, 4, 0xbff0000000000000, 0xbca8000000000000, 0xbff0000000000001, NX, "dyn with frm = rmm: -1 - 0.75 ulp"
    FDYN2 85, fdiv.d, d, 3, 0x3ff0000000000000, 0x4008000000000000, 0x3fd5555555555556, NX, "dyn with frm = rup: 1 / 3"

    # ---- overflow: the largest finite number times 2 ----
    # RNE and RMM give infinity; the directed modes give infinity only in their direction, the
    # largest finite number otherwise. OF and NX are raised either way.
    FOP2 90, fmul.d, d, rne, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000, OF|NX, "largest * 2, rne"
    FOP2 91, fmul.d, d, rtz, 0x7fefffffffffffff, 0x4000000000000000, 0x7fefffffffffffff, OF|NX, "largest * 2, rtz"
    FOP2 92, fmul.d, d, rdn, 0x7fefffffffffffff, 0x4000000000000000, 0x7fefffffffffffff, OF|NX, "largest * 2, rdn"
    FOP2 93, fmul.d, d, rup, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000, OF|NX, "largest * 2, rup"
    FOP2 94, fmul.d, d, rmm, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000, OF|NX, "largest * 2, rmm"
    FOP2 95, fmul.d, d, rne, 0xffefffffffffffff, 0x4000000000000000, 0xfff0000000000000, OF|NX, "-largest * 2, rne"
    FOP2 96, fmul.d, d, rtz, 0xffefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, OF|NX, "-largest * 2, rtz"
    FOP2 97, fmul.d, d, rdn, 0xffefffffffffffff, 0x4000000000000000, 0xfff0000000000000, OF|NX, "-largest * 2, rdn"
    FOP2 98, fmul.d, d, rup, 0xffefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, OF|NX, "-largest * 2, rup"
    FOP2 99, fmul.d, d, rmm, 0xffefffffffffffff, 0x4000000000000000, 0xfff0000000000000, OF|NX, "-largest * 2, rmm"
    FOP2 100, fadd.d, d, rne, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, OF|NX, "largest + largest"

    # ---- underflow: tiny results ----
    # The smallest normal halved is an exact subnormal: no flags (UF needs tiny and inexact).
    FOP2 105, fmul.d, d, rne, 0x0010000000000000, 0x3fe0000000000000, 0x0008000000000000, 0, "smallest normal / 2: exact subnormal"

    # The smallest subnormal halved is a tie between 0 and the smallest subnormal: UF and NX.
    FOP2 106, fmul.d, d, rne, 0x0000000000000001, 0x3fe0000000000000, 0x0000000000000000, UF|NX, "smallest subnormal / 2, rne"
    FOP2 107, fmul.d, d, rtz, 0x0000000000000001, 0x3fe0000000000000, 0x0000000000000000, UF|NX, "smallest subnormal / 2, rtz"
    FOP2 108, fmul.d, d, rdn, 0x0000000000000001, 0x3fe0000000000000, 0x0000000000000000, UF|NX, "smallest subnormal / 2, rdn"
    FOP2 109, fmul.d, d, rup, 0x0000000000000001, 0x3fe0000000000000, 0x0000000000000001, UF|NX, "smallest subnormal / 2, rup"
    FOP2 110, fmul.d, d, rmm, 0x0000000000000001, 0x3fe0000000000000, 0x0000000000000001, UF|NX, "smallest subnormal / 2, rmm"
    FOP2 111, fmul.d, d, rne, 0x8000000000000001, 0x3fe0000000000000, 0x8000000000000000, UF|NX, "-smallest subnormal / 2 gives -0"

    # Tininess is detected after rounding (RISC-V): 2^emin (1 - 2^-(p+1)) rounds to 2^emin under
    # RNE, which is not tiny, so only NX; under RTZ it becomes the largest subnormal, tiny: UF and NX.
    FOP3 112, fmadd.d, d, rne, 0x1d60000000000000, 0x9f40000000000000, 0x0010000000000000, 0x0010000000000000, NX, "2^emin - 2^(emin-p-1), rne"
    FOP3 113, fmadd.d, d, rtz, 0x1d60000000000000, 0x9f40000000000000, 0x0010000000000000, 0x000fffffffffffff, UF|NX, "2^emin - 2^(emin-p-1), rtz"
    FOP3 114, fmadd.d, d, rup, 0x1d60000000000000, 0x9f40000000000000, 0x0010000000000000, 0x0010000000000000, NX, "2^emin - 2^(emin-p-1), rup"
    FOP2 115, fsub.d, d, rne, 0x0028000000000000, 0x0024000000000000, 0x0008000000000000, 0, "difference of normals is an exact subnormal: no UF"

    # ---- infinities, zeros and NaNs ----
    # A NaN result is always the canonical NaN (positive, quiet, zero payload). NV is raised for a
    # signaling NaN operand and for invalid operations; a quiet NaN operand raises nothing.
    FOP2 120, fdiv.d, d, rne, 0x3ff0000000000000, 0x0000000000000000, 0x7ff0000000000000, DZ, "1 / +0 = +inf, DZ"
    FOP2 121, fdiv.d, d, rne, 0xbff0000000000000, 0x0000000000000000, 0xfff0000000000000, DZ, "-1 / +0 = -inf, DZ"
    FOP2 122, fdiv.d, d, rne, 0x3ff0000000000000, 0x8000000000000000, 0xfff0000000000000, DZ, "1 / -0 = -inf, DZ"
    FOP2 123, fdiv.d, d, rne, 0x0000000000000000, 0x0000000000000000, 0x7ff8000000000000, NV, "0 / 0 is invalid"
    FOP2 124, fdiv.d, d, rne, 0x7ff0000000000000, 0x7ff0000000000000, 0x7ff8000000000000, NV, "inf / inf is invalid"
    FOP2 125, fdiv.d, d, rne, 0x3ff0000000000000, 0xfff0000000000000, 0x8000000000000000, 0, "1 / -inf = -0"
    FOP2 126, fadd.d, d, rne, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, NV, "inf + -inf is invalid"
    FOP2 127, fsub.d, d, rne, 0x7ff0000000000000, 0x7ff0000000000000, 0x7ff8000000000000, NV, "inf - inf is invalid"
    FOP2 128, fmul.d, d, rne, 0x7ff0000000000000, 0x0000000000000000, 0x7ff8000000000000, NV, "inf * 0 is invalid"
    FOP2 129, fadd.d, d, rne, 0x7ff0000000000000, 0x7fefffffffffffff, 0x7ff0000000000000, 0, "inf + largest = inf, exact"
    FOP2 130, fadd.d, d, rne, 0x7ff8000000000000, 0x3ff0000000000000, 0x7ff8000000000000, 0, "qNaN + 1: canonical NaN, no flag"
    FOP2 131, fadd.d, d, rne, 0x7ff0000000000001, 0x3ff0000000000000, 0x7ff8000000000000, NV, "sNaN + 1: canonical NaN, NV"
    FOP2 132, fmul.d, d, rne, 0x3ff0000000000000, 0xfff8000000012345, 0x7ff8000000000000, 0, "a NaN payload and sign are not propagated"
    FOP2 133, fsub.d, d, rne, 0x7ff0000000000001, 0x7ff8000000000000, 0x7ff8000000000000, NV, "sNaN - qNaN: NV"
    FOP2 134, fadd.d, d, rne, 0x0000000000000000, 0x8000000000000000, 0x0000000000000000, 0, "+0 + -0 = +0 under rne"
    FOP2 135, fadd.d, d, rdn, 0x0000000000000000, 0x8000000000000000, 0x8000000000000000, 0, "+0 + -0 = -0 under rdn"
    FOP2 136, fadd.d, d, rne, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000, 0, "-0 + -0 = -0"
    FOP2 137, fsub.d, d, rne, 0x3ff4000000000000, 0x3ff4000000000000, 0x0000000000000000, 0, "x - x = +0 under rne"
    FOP2 138, fsub.d, d, rdn, 0x3ff4000000000000, 0x3ff4000000000000, 0x8000000000000000, 0, "x - x = -0 under rdn"
    FOP2 139, fmul.d, d, rne, 0x8000000000000000, 0x4008000000000000, 0x8000000000000000, 0, "-0 * 3 = -0"
    FOP1 140, fsqrt.d, d, rne, 0xbff0000000000000, 0x7ff8000000000000, NV, "sqrt -1 is invalid"
    FOP1 141, fsqrt.d, d, rne, 0x8000000000000000, 0x8000000000000000, 0, "sqrt -0 = -0"
    FOP1 142, fsqrt.d, d, rne, 0x7ff0000000000000, 0x7ff0000000000000, 0, "sqrt inf = inf"
    FOP1 143, fsqrt.d, d, rne, 0xfff0000000000000, 0x7ff8000000000000, NV, "sqrt -inf is invalid"
    FOP1 144, fsqrt.d, d, rne, 0x7ff0000000000001, 0x7ff8000000000000, NV, "sqrt sNaN: NV"
    FOP1 145, fsqrt.d, d, rne, 0x0000000000000001, 0x1e60000000000000, 0, "sqrt of the smallest subnormal"

    # RISC-V: inf * 0 + qNaN is invalid even though the addend is a quiet NaN.
    FOP3 150, fmadd.d, d, rne, 0x7ff0000000000000, 0x0000000000000000, 0x7ff8000000000000, 0x7ff8000000000000, NV, "fmadd inf * 0 + qNaN: NV"
    FOP3 151, fmadd.d, d, rne, 0x3ff0000000000000, 0x3ff0000000000000, 0x7ff8000000000000, 0x7ff8000000000000, 0, "fmadd 1 * 1 + qNaN: no flag"
    FOP3 152, fmadd.d, d, rne, 0x3ff0000000000000, 0x3ff0000000000000, 0x7ff0000000000001, 0x7ff8000000000000, NV, "fmadd 1 * 1 + sNaN: NV"
    FOP3 153, fmadd.d, d, rne, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, NV, "fmadd inf * 1 - inf is invalid"
    FOP3 154, fmadd.d, d, rne, 0x3ff0000000000000, 0xbff0000000000000, 0x3ff0000000000000, 0x0000000000000000, 0, "fmadd 1 * -1 + 1 = +0 under rne"
    FOP3 155, fmadd.d, d, rdn, 0x3ff0000000000000, 0xbff0000000000000, 0x3ff0000000000000, 0x8000000000000000, 0, "fmadd 1 * -1 + 1 = -0 under rdn"
    FOP3 156, fmadd.d, d, rne, 0x7fefffffffffffff, 0x4000000000000000, 0xbff0000000000000, 0x7ff0000000000000, OF|NX, "fmadd overflow"
    FOP3 157, fnmadd.d, d, rne, 0x8000000000000000, 0x3ff0000000000000, 0x0000000000000000, 0x0000000000000000, 0, "fnmadd -(-0 * 1) - 0 = +0 - 0 = +0"

    # ---- fmin, fmax: -0 < +0; a single NaN operand is ignored; two NaNs give the canonical NaN;
    # a signaling NaN raises NV. Results are not rounded and never inexact. ----
    FOP2 160, fmin.d, d, , 0x3ff0000000000000, 0x4000000000000000, 0x3ff0000000000000, 0, "fmin 1, 2"
    FOP2 161, fmax.d, d, , 0x3ff0000000000000, 0x4000000000000000, 0x4000000000000000, 0, "fmax 1, 2"
    FOP2 162, fmin.d, d, , 0xc008000000000000, 0x4000000000000000, 0xc008000000000000, 0, "fmin -3, 2"
    FOP2 163, fmin.d, d, , 0x0000000000000000, 0x8000000000000000, 0x8000000000000000, 0, "fmin +0, -0 = -0"
    FOP2 164, fmin.d, d, , 0x8000000000000000, 0x0000000000000000, 0x8000000000000000, 0, "fmin -0, +0 = -0"
    FOP2 165, fmax.d, d, , 0x8000000000000000, 0x0000000000000000, 0x0000000000000000, 0, "fmax -0, +0 = +0"
    FOP2 166, fmax.d, d, , 0x0000000000000000, 0x8000000000000000, 0x0000000000000000, 0, "fmax +0, -0 = +0"
    FOP2 167, fmin.d, d, , 0x7ff8000000000000, 0x3ff0000000000000, 0x3ff0000000000000, 0, "fmin qNaN, 1 = 1"
    FOP2 168, fmax.d, d, , 0x3ff0000000000000, 0x7ff8000000000000, 0x3ff0000000000000, 0, "fmax 1, qNaN = 1"
    FOP2 169, fmin.d, d, , 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000, NV, "fmin sNaN, 1 = 1 with NV"
    FOP2 170, fmax.d, d, , 0x7ff8000000000000, 0x7ff8000000000000, 0x7ff8000000000000, 0, "fmax qNaN, qNaN = canonical NaN"
    FOP2 171, fmin.d, d, , 0x7ff0000000000001, 0xfff8000000012345, 0x7ff8000000000000, NV, "fmin sNaN, qNaN = canonical NaN with NV"
    FOP2 172, fmax.d, d, , 0xfff0000000000000, 0xffefffffffffffff, 0xffefffffffffffff, 0, "fmax -inf, -largest"
    FOP2 173, fmin.d, d, , 0x7ff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0, "fmin inf, largest"

    # ---- comparisons: feq is quiet (NV only for sNaN), flt and fle signal on any NaN ----
    FCMP 180, feq.d, d, 0x3ff0000000000000, 0x3ff0000000000000, 1, 0, "feq 1, 1"
    FCMP 181, feq.d, d, 0x3ff0000000000000, 0x4000000000000000, 0, 0, "feq 1, 2"
    FCMP 182, feq.d, d, 0x0000000000000000, 0x8000000000000000, 1, 0, "feq +0, -0 is true"
    FCMP 183, feq.d, d, 0x7ff8000000000000, 0x7ff8000000000000, 0, 0, "feq qNaN, qNaN is false, no flag"
    FCMP 184, feq.d, d, 0x7ff0000000000001, 0x3ff0000000000000, 0, NV, "feq sNaN, 1: NV"
    FCMP 185, flt.d, d, 0x3ff0000000000000, 0x4000000000000000, 1, 0, "flt 1, 2"
    FCMP 186, flt.d, d, 0x4000000000000000, 0x3ff0000000000000, 0, 0, "flt 2, 1"
    FCMP 187, flt.d, d, 0x8000000000000000, 0x0000000000000000, 0, 0, "flt -0, +0 is false"
    FCMP 188, flt.d, d, 0xfff0000000000000, 0xffefffffffffffff, 1, 0, "flt -inf, -largest"
    FCMP 189, flt.d, d, 0x7ff8000000000000, 0x3ff0000000000000, 0, NV, "flt qNaN, 1: NV"
    FCMP 190, fle.d, d, 0x3ff0000000000000, 0x3ff0000000000000, 1, 0, "fle 1, 1"
    FCMP 191, fle.d, d, 0x4000000000000000, 0x3ff0000000000000, 0, 0, "fle 2, 1"
    FCMP 192, fle.d, d, 0x8000000000000000, 0x0000000000000000, 1, 0, "fle -0, +0"
    FCMP 193, fle.d, d, 0x3ff0000000000000, 0x7ff8000000000000, 0, NV, "fle 1, qNaN: NV"
    FCMP 194, flt.d, d, 0x8000000000000001, 0x0000000000000000, 1, 0, "flt -smallest subnormal, +0"

    # ---- fclass: one bit per class ----
    FCLASS 200, d, 0xfff0000000000000, 0x1, "-inf"
    FCLASS 201, d, 0xbff0000000000000, 0x2, "-normal"
    FCLASS 202, d, 0x8000000000000001, 0x4, "-subnormal"
    FCLASS 203, d, 0x8000000000000000, 0x8, "-0"
    FCLASS 204, d, 0x0000000000000000, 0x10, "+0"
    FCLASS 205, d, 0x000fffffffffffff, 0x20, "+subnormal"
    FCLASS 206, d, 0x7fefffffffffffff, 0x40, "+normal"
    FCLASS 207, d, 0x7ff0000000000000, 0x80, "+inf"
    FCLASS 208, d, 0x7ff0000000000001, 0x100, "signaling NaN"
    FCLASS 209, d, 0x7ff8000000000000, 0x200, "quiet NaN"
    FCLASS 210, d, 0xfff8000000012345, 0x200, "negative quiet NaN with payload"
    FCLASS 211, d, 0xfff0000000000101, 0x100, "negative signaling NaN"

    # ---- sign injection: copies bits, NaNs included, and never raises flags ----
    FOP2 220, fsgnj.d, d, , 0x3ff0000000000000, 0xc000000000000000, 0xbff0000000000000, 0, "fsgnj 1, -2 = -1"
    FOP2 221, fsgnj.d, d, , 0xbff0000000000000, 0x4000000000000000, 0x3ff0000000000000, 0, "fsgnj -1, 2 = 1"
    FOP2 222, fsgnjn.d, d, , 0x3ff0000000000000, 0xc000000000000000, 0x3ff0000000000000, 0, "fsgnjn 1, -2 = 1"
    FOP2 223, fsgnjn.d, d, , 0x3ff0000000000000, 0x4000000000000000, 0xbff0000000000000, 0, "fsgnjn 1, 2 = -1"
    FOP2 224, fsgnjx.d, d, , 0xbff0000000000000, 0xc000000000000000, 0x3ff0000000000000, 0, "fsgnjx -1, -2 = 1"
    FOP2 225, fsgnjx.d, d, , 0xbff0000000000000, 0x4000000000000000, 0xbff0000000000000, 0, "fsgnjx -1, 2 = -1"
    FOP2 226, fsgnj.d, d, , 0x7ff0000000000001, 0x8000000000000000, 0xfff0000000000001, 0, "fsgnj keeps a signaling NaN payload, no NV"
    FOP2 227, fsgnjx.d, d, , 0xfff8000000012345, 0x8000000000000000, 0x7ff8000000012345, 0, "fsgnjx of a negative NaN with -0 clears its sign"

    # ---- conversions to integers: rounded by rm; NaN and out-of-range values raise NV (and not NX)
    # and saturate (NaN and too large to the largest value, too small to the smallest). The 32-bit
    # results, unsigned ones included, are sign-extended to 64 bits. ----
    FTOI 300, fcvt.w.d, d, rne, 0x4004000000000000, 0x2, NX, "fcvt.w 2.5, rne"
    FTOI 301, fcvt.w.d, d, rtz, 0x4004000000000000, 0x2, NX, "fcvt.w 2.5, rtz"
    FTOI 302, fcvt.w.d, d, rdn, 0x4004000000000000, 0x2, NX, "fcvt.w 2.5, rdn"
    FTOI 303, fcvt.w.d, d, rup, 0x4004000000000000, 0x3, NX, "fcvt.w 2.5, rup"
    FTOI 304, fcvt.w.d, d, rmm, 0x4004000000000000, 0x3, NX, "fcvt.w 2.5, rmm"
    FTOI 305, fcvt.w.d, d, rne, 0xc004000000000000, 0xfffffffffffffffe, NX, "fcvt.w -2.5, rne"
    FTOI 306, fcvt.w.d, d, rtz, 0xc004000000000000, 0xfffffffffffffffe, NX, "fcvt.w -2.5, rtz"
    FTOI 307, fcvt.w.d, d, rdn, 0xc004000000000000, 0xfffffffffffffffd, NX, "fcvt.w -2.5, rdn"
    FTOI 308, fcvt.w.d, d, rup, 0xc004000000000000, 0xfffffffffffffffe, NX, "fcvt.w -2.5, rup"
    FTOI 309, fcvt.w.d, d, rmm, 0xc004000000000000, 0xfffffffffffffffd, NX, "fcvt.w -2.5, rmm"
    FTOI 310, fcvt.l.d, d, rne, 0xbffc000000000000, 0xfffffffffffffffe, NX, "fcvt.l -1.75, rne"
    FTOI 311, fcvt.l.d, d, rtz, 0xbffc000000000000, 0xffffffffffffffff, NX, "fcvt.l -1.75, rtz"
    FTOI 312, fcvt.l.d, d, rdn, 0xbffc000000000000, 0xfffffffffffffffe, NX, "fcvt.l -1.75, rdn"
    FTOI 313, fcvt.l.d, d, rup, 0xbffc000000000000, 0xffffffffffffffff, NX, "fcvt.l -1.75, rup"
    FTOI 314, fcvt.l.d, d, rmm, 0xbffc000000000000, 0xfffffffffffffffe, NX, "fcvt.l -1.75, rmm"
    FTOI 315, fcvt.w.d, d, rne, 0x3ff0000000000000, 0x1, 0, "fcvt.w 1.0 exact"
    FTOI 316, fcvt.w.d, d, rtz, 0x8000000000000000, 0x0, 0, "fcvt.w -0 = 0"
    FTOI 317, fcvt.w.d, d, rtz, 0x7ff8000000000000, 0x7fffffff, NV, "fcvt.w NaN = INT32_MAX, NV"
    FTOI 318, fcvt.w.d, d, rtz, 0xfff8000000012345, 0x7fffffff, NV, "fcvt.w negative NaN = INT32_MAX, NV"
    FTOI 319, fcvt.w.d, d, rtz, 0x7ff0000000000000, 0x7fffffff, NV, "fcvt.w +inf = INT32_MAX"
    FTOI 320, fcvt.w.d, d, rtz, 0xfff0000000000000, 0xffffffff80000000, NV, "fcvt.w -inf = INT32_MIN, sign-extended"
    FTOI 321, fcvt.w.d, d, rtz, 0x41e65a0bc0000000, 0x7fffffff, NV, "fcvt.w 3e9 saturates"
    FTOI 322, fcvt.w.d, d, rtz, 0xc1e65a0bc0000000, 0xffffffff80000000, NV, "fcvt.w -3e9 saturates"
    FTOI 323, fcvt.w.d, d, rtz, 0xc1e0000000000000, 0xffffffff80000000, 0, "fcvt.w -2^31 is in range"
    FTOI 324, fcvt.w.d, d, rne, 0xbfe0000000000000, 0x0, NX, "fcvt.w -0.5 rounds to -0 = 0"
    FTOI 330, fcvt.wu.d, d, rtz, 0x41e65a0bc0000000, 0xffffffffb2d05e00, 0, "fcvt.wu 3e9: bit 31 set, sign-extended"
    FTOI 331, fcvt.wu.d, d, rtz, 0xbff0000000000000, 0x0, NV, "fcvt.wu -1 saturates to 0, NV"
    FTOI 332, fcvt.wu.d, d, rtz, 0xbfec000000000000, 0x0, NX, "fcvt.wu -0.875 truncates to 0: NX only"
    FTOI 333, fcvt.wu.d, d, rne, 0xbfec000000000000, 0x0, NV, "fcvt.wu -0.875 rounds to -1: NV"
    FTOI 334, fcvt.wu.d, d, rtz, 0x7ff8000000000000, 0xffffffffffffffff, NV, "fcvt.wu NaN = 2^32-1, sign-extended"
    FTOI 335, fcvt.wu.d, d, rtz, 0xfff0000000000000, 0x0, NV, "fcvt.wu -inf = 0"
    FTOI 336, fcvt.wu.d, d, rtz, 0x41f0000000000000, 0xffffffffffffffff, NV, "fcvt.wu 2^32 saturates"
    FTOI 337, fcvt.wu.d, d, rup, 0x3fd0000000000000, 0x1, NX, "fcvt.wu 0.25 rup = 1"
    FTOI 340, fcvt.l.d, d, rtz, 0x7ff8000000000000, 0x7fffffffffffffff, NV, "fcvt.l NaN = INT64_MAX"
    FTOI 341, fcvt.l.d, d, rtz, 0xfff0000000000000, 0x8000000000000000, NV, "fcvt.l -inf = INT64_MIN"
    FTOI 342, fcvt.l.d, d, rtz, 0x43e0000000000000, 0x7fffffffffffffff, NV, "fcvt.l 2^63 saturates"
    FTOI 343, fcvt.l.d, d, rtz, 0xc3e0000000000000, 0x8000000000000000, 0, "fcvt.l -2^63 is in range"
    FTOI 344, fcvt.l.d, d, rtz, 0x4270000000000800, 0x10000000000, NX, "fcvt.l 2^40 + 0.5 truncates: NX"
    FTOI 345, fcvt.lu.d, d, rtz, 0x43e0000000000000, 0x8000000000000000, 0, "fcvt.lu 2^63"
    FTOI 346, fcvt.lu.d, d, rtz, 0x43f0000000000000, 0xffffffffffffffff, NV, "fcvt.lu 2^64 saturates"
    FTOI 347, fcvt.lu.d, d, rtz, 0xbff0000000000000, 0x0, NV, "fcvt.lu -1 saturates to 0"
    FTOI 348, fcvt.lu.d, d, rtz, 0x7ff8000000000000, 0xffffffffffffffff, NV, "fcvt.lu NaN = 2^64-1"
    FTOI 349, fcvt.lu.d, d, rdn, 0xbfd0000000000000, 0x0, NV, "fcvt.lu -0.25 rdn = -1: NV"
    FTOI 350, fcvt.lu.d, d, rup, 0xbfd0000000000000, 0x0, NX, "fcvt.lu -0.25 rup = -0: NX only"
    FTOI 351, fcvt.l.d, d, rtz, 0x0000000000000001, 0x0, NX, "fcvt.l of the smallest subnormal: 0, NX"

    # ---- conversions from integers: exact when the integer fits the significand, rounded by rm
    # otherwise. fcvt.*.w and .wu read only the low 32 bits of the register. ----
    FFROMI 360, fcvt.d.l, d, rne, 0x20000000000001, 0x4340000000000000, NX, "fcvt from 2^p + 1 (a tie), rne"
    FFROMI 361, fcvt.d.l, d, rtz, 0x20000000000001, 0x4340000000000000, NX, "fcvt from 2^p + 1 (a tie), rtz"
    FFROMI 362, fcvt.d.l, d, rdn, 0x20000000000001, 0x4340000000000000, NX, "fcvt from 2^p + 1 (a tie), rdn"
    FFROMI 363, fcvt.d.l, d, rup, 0x20000000000001, 0x4340000000000001, NX, "fcvt from 2^p + 1 (a tie), rup"
    FFROMI 364, fcvt.d.l, d, rmm, 0x20000000000001, 0x4340000000000001, NX, "fcvt from 2^p + 1 (a tie), rmm"
    FFROMI 365, fcvt.d.l, d, rne, 0xffdffffffffffffd, 0xc340000000000002, NX, "fcvt from -(2^p + 3) (a tie), rne"
    FFROMI 366, fcvt.d.l, d, rtz, 0xffdffffffffffffd, 0xc340000000000001, NX, "fcvt from -(2^p + 3) (a tie), rtz"
    FFROMI 367, fcvt.d.l, d, rdn, 0xffdffffffffffffd, 0xc340000000000002, NX, "fcvt from -(2^p + 3) (a tie), rdn"
    FFROMI 368, fcvt.d.l, d, rup, 0xffdffffffffffffd, 0xc340000000000001, NX, "fcvt from -(2^p + 3) (a tie), rup"
    FFROMI 369, fcvt.d.l, d, rmm, 0xffdffffffffffffd, 0xc340000000000002, NX, "fcvt from -(2^p + 3) (a tie), rmm"
    FFROMI 370, fcvt.d.w, d, , 0x0, 0x0000000000000000, 0, "fcvt from 0 = +0"
    FFROMI 371, fcvt.d.w, d, , 0xffffffff, 0xbff0000000000000, 0, "fcvt.w: 0xffffffff is -1"
    FFROMI 372, fcvt.d.wu, d, , 0xffffffff, 0x41efffffffe00000, 0, "fcvt.wu: 0xffffffff is 2^32-1"
    FFROMI 373, fcvt.d.w, d, , 0x1234567880000000, 0xc1e0000000000000, 0, "fcvt.w uses the low word only: INT32_MIN"
    FFROMI 374, fcvt.d.wu, d, , 0xffffffff00000007, 0x401c000000000000, 0, "fcvt.wu uses the low word only: 7"
    FFROMI 375, fcvt.d.l, d, rne, 0x8000000000000000, 0xc3e0000000000000, 0, "fcvt.l INT64_MIN = -2^63 exact"
    FFROMI 376, fcvt.d.lu, d, rne, 0xffffffffffffffff, 0x43f0000000000000, NX, "fcvt.lu 2^64-1 rounds to 2^64"
    FFROMI 377, fcvt.d.lu, d, rtz, 0xffffffffffffffff, 0x43efffffffffffff, NX, "fcvt.lu 2^64-1 rtz"
    FFROMI 378, fcvt.d.l, d, rne, 0xffffffffffffffff, 0xbff0000000000000, 0, "fcvt.l -1"
    FFROMI 379, fcvt.d.w, d, , 0x7fffffff, 0x41dfffffffc00000, 0, "fcvt.w INT32_MAX rup"

    # ---- conversions between the formats ----
    # fcvt.s.d rounds by rm like any arithmetic result (ulp(single) = 2^-23); its result is a
    # NaN-boxed single. fcvt.d.s is always exact; NaNs become the canonical NaN of the target.
    FCVT 400, fcvt.s.d, d, s, rne, 0x3ff0000018000000, 0x3f800001, NX, "fcvt.s.d 1 + 0.75 ulp(single), rne"
    FCVT 401, fcvt.s.d, d, s, rtz, 0x3ff0000018000000, 0x3f800000, NX, "fcvt.s.d 1 + 0.75 ulp(single), rtz"
    FCVT 402, fcvt.s.d, d, s, rdn, 0x3ff0000018000000, 0x3f800000, NX, "fcvt.s.d 1 + 0.75 ulp(single), rdn"
    FCVT 403, fcvt.s.d, d, s, rup, 0x3ff0000018000000, 0x3f800001, NX, "fcvt.s.d 1 + 0.75 ulp(single), rup"
    FCVT 404, fcvt.s.d, d, s, rmm, 0x3ff0000018000000, 0x3f800001, NX, "fcvt.s.d 1 + 0.75 ulp(single), rmm"
    FCVT 405, fcvt.s.d, d, s, rne, 0xbff0000010000000, 0xbf800000, NX, "fcvt.s.d -(1 + 0.5 ulp(single)) tie, rne"
    FCVT 406, fcvt.s.d, d, s, rtz, 0xbff0000010000000, 0xbf800000, NX, "fcvt.s.d -(1 + 0.5 ulp(single)) tie, rtz"
    FCVT 407, fcvt.s.d, d, s, rdn, 0xbff0000010000000, 0xbf800001, NX, "fcvt.s.d -(1 + 0.5 ulp(single)) tie, rdn"
    FCVT 408, fcvt.s.d, d, s, rup, 0xbff0000010000000, 0xbf800000, NX, "fcvt.s.d -(1 + 0.5 ulp(single)) tie, rup"
    FCVT 409, fcvt.s.d, d, s, rmm, 0xbff0000010000000, 0xbf800001, NX, "fcvt.s.d -(1 + 0.5 ulp(single)) tie, rmm"
    FCVT 410, fcvt.s.d, d, s, rne, 0x3fd8000000000000, 0x3ec00000, 0, "fcvt.s.d 0.375 exact"
    FCVT 411, fcvt.s.d, d, s, rne, 0x4c70000000000000, 0x7f800000, OF|NX, "fcvt.s.d 2^200 overflows to inf"
    FCVT 412, fcvt.s.d, d, s, rtz, 0x4c70000000000000, 0x7f7fffff, OF|NX, "fcvt.s.d 2^200 rtz: largest single"
    FCVT 413, fcvt.s.d, d, s, rdn, 0xcc70000000000000, 0xff800000, OF|NX, "fcvt.s.d -2^200 rdn: -inf"
    FCVT 414, fcvt.s.d, d, s, rne, 0x3370000000000000, 0x00000000, UF|NX, "fcvt.s.d 2^-200 underflows to 0"
    FCVT 415, fcvt.s.d, d, s, rup, 0x3370000000000000, 0x00000001, UF|NX, "fcvt.s.d 2^-200 rup: smallest subnormal"
    FCVT 416, fcvt.s.d, d, s, rne, 0x3730000000000000, 0x00000200, 0, "fcvt.s.d 2^-140 is an exact subnormal"
    FCVT 417, fcvt.s.d, d, s, rne, 0x7ff8000000000123, 0x7fc00000, 0, "fcvt.s.d qNaN: canonical single NaN"
    FCVT 418, fcvt.s.d, d, s, rne, 0x7ff0000000000001, 0x7fc00000, NV, "fcvt.s.d sNaN: canonical, NV"
    FCVT 419, fcvt.s.d, d, s, rne, 0x8000000000000000, 0x80000000, 0, "fcvt.s.d -0"
    FCVT 420, fcvt.s.d, d, s, rne, 0xfff0000000000000, 0xff800000, 0, "fcvt.s.d -inf"
    FCVT 421, fcvt.s.d, d, s, rne, 0x47effffff0000000, 0x7f800000, OF|NX, "fcvt.s.d just above the largest single rounds to inf"
    FCVT 422, fcvt.s.d, d, s, rne, 0x36a8000000000000, 0x00000002, UF|NX, "fcvt.s.d 1.5 * smallest subnormal ties to 2 * smallest"
    FCVT 430, fcvt.d.s, s, d, , 0x3fa00000, 0x3ff4000000000000, 0, "fcvt.d.s 1.25"
    FCVT 431, fcvt.d.s, s, d, , 0x3dcccccd, 0x3fb99999a0000000, 0, "fcvt.d.s 0.1f is exact in double"
    FCVT 432, fcvt.d.s, s, d, , 0x00000001, 0x36a0000000000000, 0, "fcvt.d.s smallest single subnormal is a double normal"
    FCVT 433, fcvt.d.s, s, d, , 0x7fc00055, 0x7ff8000000000000, 0, "fcvt.d.s qNaN: canonical double NaN"
    FCVT 434, fcvt.d.s, s, d, , 0x7f800001, 0x7ff8000000000000, NV, "fcvt.d.s sNaN: canonical, NV"
    FCVT 435, fcvt.d.s, s, d, , 0xff800000, 0xfff0000000000000, 0, "fcvt.d.s -inf"
    FCVT 436, fcvt.d.s, s, d, , 0x80000000, 0x8000000000000000, 0, "fcvt.d.s -0"
    FCVT 437, fcvt.d.s, s, d, , 0x7f7fffff, 0x47efffffe0000000, 0, "fcvt.d.s largest single"

    # A single operand of fcvt.d.s must be NaN-boxed like any other.
    CASE 440, "fcvt.d.s of an unboxed value is the canonical NaN, no flag"
    csrw fflags, zero
    li a1, 0x000000003f800000
    fmv.d.x fa1, a1
    fcvt.d.s fa0, fa1
    FCHECK fa0, d, 0x7ff8000000000000
    CHECK_FLAGS 0

    # A boxed single read as a double is a NaN (all ones in the exponent): double operations see
    # the whole register.
    CASE 441, "a boxed single used as a double operand is a NaN"
    csrw fflags, zero
    FLOAD fa1, s, 0x3f800000
    FLOAD fa2, d, 0x3ff0000000000000
    fadd.d fa0, fa1, fa2
    FCHECK fa0, d, 0x7ff8000000000000
    CHECK_FLAGS 0

    # ---- fmv.x.d and fmv.d.x move all 64 bits ----
    CASE 450, "fmv.d.x and fmv.x.d round-trip any bits"
    li a1, 0x7ff0000000000001
    fmv.d.x fa0, a1
    fmv.x.d a0, fa0
    CHECK a0, 0x7ff0000000000001
    li a1, 0x8000000000000000
    fmv.d.x fa0, a1
    fmv.x.d a0, fa0
    CHECK a0, 0x8000000000000000

    # ---- fld and fsd ----
    CASE 451, "fld and fsd move 8 bytes exactly"
    la a2, dmem
    li a3, 0x7ff4000000000001
    sd a3, 0(a2)
    fld fa0, 0(a2)
    fsd fa0, 8(a2)
    ld a0, 8(a2)
    CHECK a0, 0x7ff4000000000001
    FCHECK fa0, d, 0x7ff4000000000001

    CASE 452, "fsd with a negative offset leaves the neighbours alone"
    la a2, dmem
    sd zero, 0(a2)
    li a3, -1
    sd a3, 8(a2)
    sd a3, 16(a2)
    FLOAD fa1, d, 0x4000000000000000
    addi a4, a2, 16
    fsd fa1, -8(a4)
    ld a0, 8(a2)
    CHECK a0, 0x4000000000000000
    ld a0, 16(a2)
    CHECK a0, -1
    ld a0, 0(a2)
    CHECK a0, 0

    # fld loads a single's box as is: the register then holds a NaN-boxed single.
    CASE 453, "fld of a boxed single, then used as a single"
    la a2, dmem
    li a3, 0xffffffff40000000
    sd a3, 0(a2)
    fld fa1, 0(a2)
    fadd.s fa0, fa1, fa1
    FCHECK fa0, s, 0x40800000

    # ---- reserved rounding modes ----
    CASE 460, "frm = 5: fadd.d with rm = dyn is illegal"
    csrwi frm, 5
    EXPECT_TRAP 1f
2:  fadd.d fa0, fa1, fa2, dyn
1:  csrwi frm, 0
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL_INSN 2b

    CASE 461, "frm = 6: fcvt.s.d with rm = dyn is illegal"
    csrwi frm, 6
    EXPECT_TRAP 1f
    fcvt.s.d fa0, fa1, dyn
1:  csrwi frm, 0
    CHECK_CAUSE CAUSE_ILLEGAL

    CASE 462, "frm = 7: fcvt.l.d with rm = dyn is illegal"
    csrwi frm, 7
    EXPECT_TRAP 1f
    fcvt.l.d a0, fa1, dyn
1:  csrwi frm, 0
    CHECK_CAUSE CAUSE_ILLEGAL

    CASE 463, "static rm = 5 is illegal (fdiv.d)"
    EXPECT_TRAP 1f
2:  .insn r 0x53, 5, 0x0d, fa0, fa1, fa2
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL_INSN 2b

    CASE 464, "static rm = 6 is illegal (fmadd.d)"
    EXPECT_TRAP 1f
2:  .insn r4 0x43, 6, 1, fa0, fa1, fa2, fa3
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL_INSN 2b

    # The rm field of an instruction that does not round is a selector: fsgnj.d funct3 = 3 does
    # not exist.
    CASE 465, "fsgnj.d with funct3 = 3 is illegal"
    EXPECT_TRAP 1f
2:  .insn r 0x53, 3, 0x11, fa0, fa1, fa2
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL_INSN 2b

    CASE 466, "FS = Off: fld and fmv.x.d are illegal"
    li t0, MSTATUS_FS
    csrc mstatus, t0
    la a2, dmem
    EXPECT_TRAP 1f
    fld fa0, 0(a2)
1:  CHECK_CAUSE CAUSE_ILLEGAL
    EXPECT_TRAP 1f
    fmv.x.d a0, fa0
1:  CHECK_CAUSE CAUSE_ILLEGAL
    li t0, MSTATUS_FS_INITIAL
    csrs mstatus, t0

    PASS
