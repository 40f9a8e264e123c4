# RV64M: multiplication (low and high halves, every signedness), division and remainder with
# the spec's results for division by zero and for signed overflow, and the W forms, whose
# 32-bit results are sign-extended. The RR macro (test.inc) checks each with rd = rs1 and
# rd = rs2 as well.
#
# Division by zero (ISA manual, table "Semantics for division by zero and division overflow"):
# the quotient has all bits set (-1 signed, 2^XLEN-1 unsigned) and the remainder is the dividend.
# Signed overflow (INT_MIN / -1): the quotient is INT_MIN and the remainder 0. Neither traps.
    .include "test.inc"

    .text
main:
    RR 1, mul, 3, 7, 0x15, "mul small"
    RR 2, mul, -3, 7, 0xffffffffffffffeb, "mul negative"
    RR 3, mul, -1, -1, 0x1, "mul -1 * -1"
    RR 4, mul, 0x7fffffffffffffff, 2, 0xfffffffffffffffe, "mul overflow keeps the low 64 bits"
    RR 5, mul, 0x8000000000000000, -1, 0x8000000000000000, "mul INT64_MIN * -1 wraps to INT64_MIN"
    RR 6, mul, 0x100000000, 0x100000000, 0x0, "mul 2^32 * 2^32 low half is 0"
    RR 7, mul, 0x123456789abcdef0, 0, 0x0, "mul by 0"
    RR 10, mulh, 0x100000000, 0x100000000, 0x1, "mulh 2^32 * 2^32 = 2^64: high half 1"
    RR 11, mulh, -1, -1, 0x0, "mulh -1 * -1 = 1: high half 0"
    RR 12, mulh, -1, 1, 0xffffffffffffffff, "mulh -1 * 1: high half is all ones"
    RR 13, mulh, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000, "mulh INT64_MIN squared = 2^126"
    RR 14, mulh, 0x8000000000000000, 0x7fffffffffffffff, 0xc000000000000000, "mulh INT64_MIN * INT64_MAX"
    RR 15, mulh, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x3fffffffffffffff, "mulh INT64_MAX squared"
    RR 16, mulh, 0x0123456789abcdef, -0x0fedcba987654321, 0xffede05ff528828b, "mulh mixed signs"
    RR 20, mulhu, -1, -1, 0xfffffffffffffffe, "mulhu (2^64-1)^2: high half 2^64-2"
    RR 21, mulhu, 0x8000000000000000, 2, 0x1, "mulhu 2^63 * 2"
    RR 22, mulhu, -1, 1, 0x0, "mulhu (2^64-1) * 1: high half 0"
    RR 23, mulhu, 0x0123456789abcdef, 0xfedcba9876543210, 0x121fa00ad77d742, "mulhu large operands"
    RR 30, mulhsu, -1, -1, 0xffffffffffffffff, "mulhsu -1 * (2^64-1): high half all ones"
    RR 31, mulhsu, -1, 1, 0xffffffffffffffff, "mulhsu -1 * 1"
    RR 32, mulhsu, 1, -1, 0x0, "mulhsu 1 * (2^64-1): high half 0"
    RR 33, mulhsu, 0x8000000000000000, -1, 0x8000000000000000, "mulhsu INT64_MIN * (2^64-1)"
    RR 34, mulhsu, 0x7fffffffffffffff, 0x8000000000000000, 0x3fffffffffffffff, "mulhsu INT64_MAX * 2^63"
    RR 35, mulhsu, -0x0123456789abcdef, 0xfedcba9876543210, 0xfede05ff528828bd, "mulhsu negative * large unsigned"
    RR 40, div, 20, 6, 0x3, "div 20 / 6 = 3"
    RR 41, div, -20, 6, 0xfffffffffffffffd, "div rounds towards zero: -20 / 6 = -3"
    RR 42, div, 20, -6, 0xfffffffffffffffd, "div 20 / -6 = -3"
    RR 43, div, -20, -6, 0x3, "div -20 / -6 = 3"
    RR 44, div, 7, 0, 0xffffffffffffffff, "div by zero gives -1"
    RR 45, div, -7, 0, 0xffffffffffffffff, "div negative by zero gives -1"
    RR 46, div, 0x8000000000000000, -1, 0x8000000000000000, "div INT64_MIN / -1 overflows to INT64_MIN"
    RR 47, div, 0x8000000000000000, 1, 0x8000000000000000, "div INT64_MIN / 1"
    RR 48, div, 0, -5, 0x0, "div 0 / -5"
    RR 50, divu, 20, 6, 0x3, "divu 20 / 6"
    RR 51, divu, -20, 6, 0x2aaaaaaaaaaaaaa7, "divu (2^64-20) / 6"
    RR 52, divu, 7, 0, 0xffffffffffffffff, "divu by zero gives 2^64-1"
    RR 53, divu, 0x8000000000000000, -1, 0x0, "divu 2^63 / (2^64-1) = 0"
    RR 54, divu, -1, -1, 0x1, "divu equal = 1"
    RR 55, divu, -1, 2, 0x7fffffffffffffff, "divu (2^64-1) / 2"
    RR 60, rem, 20, 6, 0x2, "rem 20 % 6 = 2"
    RR 61, rem, -20, 6, 0xfffffffffffffffe, "rem takes the dividend's sign: -20 % 6 = -2"
    RR 62, rem, 20, -6, 0x2, "rem 20 % -6 = 2"
    RR 63, rem, -20, -6, 0xfffffffffffffffe, "rem -20 % -6 = -2"
    RR 64, rem, 7, 0, 0x7, "rem by zero gives the dividend"
    RR 65, rem, -7, 0, 0xfffffffffffffff9, "rem negative by zero gives the dividend"
    RR 66, rem, 0x8000000000000000, -1, 0x0, "rem INT64_MIN % -1 is 0"
    RR 67, rem, 0x8000000000000000, 3, 0xfffffffffffffffe, "rem INT64_MIN % 3"
    RR 70, remu, 20, 6, 0x2, "remu 20 % 6"
    RR 71, remu, -20, 6, 0x2, "remu (2^64-20) % 6"
    RR 72, remu, 7, 0, 0x7, "remu by zero gives the dividend"
    RR 73, remu, -1, 0, 0xffffffffffffffff, "remu (2^64-1) by zero gives the dividend"
    RR 74, remu, 0x8000000000000000, -1, 0x8000000000000000, "remu 2^63 % (2^64-1) = 2^63"
    RR 80, mulw, 0x7fffffff, 2, 0xfffffffffffffffe, "mulw overflow sign-extends the low 32 bits"
    RR 81, mulw, 0x10000, 0x10000, 0x0, "mulw 2^16 * 2^16 = 2^32: low 32 bits 0"
    RR 82, mulw, -1, -1, 0x1, "mulw -1 * -1"
    RR 83, mulw, 0x100000003, 0x200000005, 0xf, "mulw ignores the upper bits"
    RR 84, mulw, 0x80000000, -1, 0xffffffff80000000, "mulw INT32_MIN * -1 wraps"
    RR 85, mulw, 0xffff, 0x10001, 0xffffffffffffffff, "mulw result with bit 31 set"
    RR 90, divw, 20, -6, 0xfffffffffffffffd, "divw 20 / -6"
    RR 91, divw, -20, 6, 0xfffffffffffffffd, "divw -20 / 6"
    RR 92, divw, 7, 0, 0xffffffffffffffff, "divw by zero gives -1"
    RR 93, divw, 0x80000000, -1, 0xffffffff80000000, "divw INT32_MIN / -1 overflows to INT32_MIN, sign-extended"
    RR 94, divw, 0x1fffffff0, 0x100000002, 0xfffffffffffffff8, "divw uses the low 32 bits: -16 / 2"
    RR 95, divw, 0x80000000, 1, 0xffffffff80000000, "divw INT32_MIN / 1 sign-extends"
    RR 100, divuw, 20, 6, 0x3, "divuw 20 / 6"
    RR 101, divuw, -20, 6, 0x2aaaaaa7, "divuw (2^32-20) / 6"
    RR 102, divuw, 7, 0, 0xffffffffffffffff, "divuw by zero gives -1"
    RR 103, divuw, -1, 1, 0xffffffffffffffff, "divuw (2^32-1) / 1 sign-extends to -1"
    RR 104, divuw, 0x500000010, 0x300000004, 0x4, "divuw ignores the upper bits"
    RR 105, divuw, 0x80000000, 1, 0xffffffff80000000, "divuw 2^31 / 1 sign-extends bit 31"
    RR 110, remw, 20, 6, 0x2, "remw 20 % 6"
    RR 111, remw, -20, 6, 0xfffffffffffffffe, "remw -20 % 6"
    RR 112, remw, 7, 0, 0x7, "remw by zero gives the dividend"
    RR 113, remw, 0x80000000, -1, 0x0, "remw INT32_MIN % -1 is 0"
    RR 114, remw, 0x1fffffff3, 0x100000002, 0xffffffffffffffff, "remw -13 % 2 (low 32 bits only)"
    RR 115, remw, 0x123480000000, 0, 0xffffffff80000000, "remw by zero gives the sign-extended low word"
    RR 120, remuw, 20, 6, 0x2, "remuw 20 % 6"
    RR 121, remuw, -20, 6, 0x2, "remuw (2^32-20) % 6"
    RR 122, remuw, 7, 0, 0x7, "remuw by zero gives the dividend"
    RR 123, remuw, 0x80000001, 0x100000000, 0xffffffff80000001, "remuw by a divisor whose low word is 0 gives the sign-extended dividend"
    RR 124, remuw, -1, 0x80000000, 0x7fffffff, "remuw (2^32-1) % 2^31 = 2^31-1"
    RR 125, remuw, 0xfffffffe, 0xffffffff, 0xfffffffffffffffe, "remuw result with bit 31 set sign-extends"

    # The high-half and low-half instructions together give the full 128-bit product:
    # 0xfedcba9876543210 (-81985529216486896) * 0x123456789abcdef0 (1311768467463790320)
    # = -107548561830943614329422393519935744 = 0xffeb49923cc09532_236d88fe5618cf00.
    CASE 130, "mulh and mul together give the 128-bit signed product"
    li a1, 0xfedcba9876543210
    li a2, 0x123456789abcdef0
    mulh a0, a1, a2
    mul a3, a1, a2
    CHECK a0, 0xffeb49923cc09532
    CHECK a3, 0x236d88fe5618cf00

    # Results written to x0 are discarded even for the slow operations.
    CASE 131, "div and rem into x0"
    li a1, 100
    li a2, 7
    div zero, a1, a2
    rem zero, a1, a2
    CHECK zero, 0

    PASS
