# RV64A: LR/SC (success, failure without a reservation, after a successful SC, to another
# address, in a retry loop) and every AMO in its .w and .d forms, with the aq/rl variants.
# AMOs return the old memory value (sign-extended for .w) and store op(old, rs2); .w forms touch
# only their 4 bytes and use only the low word of rs2. Misaligned atomics are tested in
# misaligned_atomics.S, which QEMU 7.2 gets wrong.
    .include "test.inc"

# \insn a0, a3, (a1) on the word at cell (its neighbour holds 0xa5a5a5a5, which must survive):
# a0 must be \rd and the word \new. Then the same with rd = rs2.
.macro AMO_W n, insn, mem, src, rd, new, desc
    CASE \n, "\desc"
    la a1, cell
    li a2, (\mem) & 0xffffffff | 0xa5a5a5a500000000
    sd a2, 0(a1)
    li a3, \src
    \insn a0, a3, (a1)
    CHECK a0, \rd
    ld a4, 0(a1)
    CHECK a4, \new | 0xa5a5a5a500000000
    sd a2, 0(a1)
    li a3, \src
    \insn a3, a3, (a1)
    CHECK a3, \rd
    ld a4, 0(a1)
    CHECK a4, \new | 0xa5a5a5a500000000
.endm

# The same for a doubleword.
.macro AMO_D n, insn, mem, src, rd, new, desc
    CASE \n, "\desc"
    la a1, cell
    li a2, \mem
    sd a2, 0(a1)
    li a3, \src
    \insn a0, a3, (a1)
    CHECK a0, \rd
    ld a4, 0(a1)
    CHECK a4, \new
    sd a2, 0(a1)
    li a3, \src
    \insn a3, a3, (a1)
    CHECK a3, \rd
    ld a4, 0(a1)
    CHECK a4, \new
.endm

    .data
    .balign 64
cell:
    .dword 0
    .skip 248
far_cell:
    .dword 0
counter:
    .dword 0

    .text
main:
    la s0, cell
    la s1, far_cell

    # ---- LR/SC ----
    CASE 1, "lr.w/sc.w succeed: sc writes 0 to rd and stores"
    li a2, 0x80000001
    sw a2, 0(s0)
    lr.w a0, (s0)
    CHECK a0, 0xffffffff80000001
    li a3, 0x12345678
    sc.w a4, a3, (s0)
    CHECK a4, 0
    lwu a0, 0(s0)
    CHECK a0, 0x12345678

    # The reservation is used up by the successful SC above.
    CASE 2, "a second sc.w fails and does not store"
    li a3, 0x55555555
    sc.w a4, a3, (s0)
    beqz a4, 1f
    lwu a0, 0(s0)
    CHECK a0, 0x12345678
    j 2f
1:  FAIL
2:

    CASE 3, "lr.d/sc.d succeed with a 64-bit value"
    li a2, 0x8000000000000001
    sd a2, 0(s0)
    lr.d a0, (s0)
    CHECK a0, 0x8000000000000001
    li a3, 0x0123456789abcdef
    sc.d a4, a3, (s0)
    CHECK a4, 0
    ld a0, 0(s0)
    CHECK a0, 0x0123456789abcdef

    # The SC's address must lie in the reserved set: 256 bytes away it does not.
    CASE 4, "sc.d to an address that was not reserved fails"
    sd zero, 0(s1)
    lr.d a0, (s0)
    li a3, 77
    sc.d a4, a3, (s1)
    beqz a4, 1f
    ld a0, 0(s1)
    CHECK a0, 0
    j 2f
1:  FAIL
2:

    CASE 5, "sc.w with no reservation at all fails"
    sc.w a4, a3, (s1)
    beqz a4, 1f
    j 2f
1:  FAIL
2:

    # An atomic increment written as an LR/SC retry loop, 100 times.
    CASE 6, "lr/sc retry loop counts to 100"
    la a1, counter
    sd zero, 0(a1)
    li a5, 100
1:  lr.d a0, (a1)
    addi a0, a0, 1
    sc.d a4, a0, (a1)
    bnez a4, 1b
    addi a5, a5, -1
    bnez a5, 1b
    ld a0, 0(a1)
    CHECK a0, 100

    CASE 7, "lr/sc with aq and rl bits"
    sd zero, 0(s0)
    lr.d.aq a0, (s0)
    li a3, 9
    sc.d.rl a4, a3, (s0)
    CHECK a4, 0
    lr.w.aqrl a0, (s0)
    li a3, 10
    sc.w.aqrl a4, a3, (s0)
    CHECK a4, 0
    ld a0, 0(s0)
    CHECK a0, 10

    # ---- AMOs ----
    AMO_W 10, amoswap.w, 0x11111111, 0x22222222, 0x11111111, 0x22222222, "amoswap.w"
    AMO_W 11, amoswap.w, 0x80000000, 0x123456789, 0xffffffff80000000, 0x23456789, "amoswap.w: the old value is sign-extended, the upper half of rs2 ignored"
    AMO_W 12, amoadd.w, 0x7fffffff, 1, 0x7fffffff, 0x80000000, "amoadd.w overflow wraps in 32 bits"
    AMO_W 13, amoadd.w, 0xffffffff, 0x100000001, 0xffffffffffffffff, 0x0, "amoadd.w ignores the upper half of rs2"
    AMO_W 14, amoxor.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xf0f0f0f0, "amoxor.w"
    AMO_W 15, amoand.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xf000f00, "amoand.w"
    AMO_W 16, amoor.w, 0xff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0xfff0fff0, "amoor.w"
    AMO_W 17, amomin.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x80000000, "amomin.w signed: INT32_MIN is smaller"
    AMO_W 18, amomin.w, 5, -3, 0x5, 0xfffffffd, "amomin.w picks the negative operand"
    AMO_W 19, amomax.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x7fffffff, "amomax.w signed: INT32_MAX is larger"
    AMO_W 20, amomax.w, -1, -2, 0xffffffffffffffff, 0xffffffff, "amomax.w of two negatives"
    AMO_W 21, amominu.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x7fffffff, "amominu.w unsigned: 0x7fffffff is smaller"
    AMO_W 22, amominu.w, 0xffffffff, 0x1ffffffff, 0xffffffffffffffff, 0xffffffff, "amominu.w equal low words"
    AMO_W 23, amomaxu.w, 0x80000000, 0x7fffffff, 0xffffffff80000000, 0x80000000, "amomaxu.w unsigned: 0x80000000 is larger"
    AMO_W 24, amomaxu.w, 1, 0xffffffff00000000, 0x1, 0x1, "amomaxu.w compares only the low words"
    AMO_D 30, amoswap.d, 0x1111111111111111, 0x2222222222222222, 0x1111111111111111, 0x2222222222222222, "amoswap.d"
    AMO_D 31, amoadd.d, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x8000000000000000, "amoadd.d overflow wraps"
    AMO_D 32, amoadd.d, 0x00000000ffffffff, 1, 0xffffffff, 0x100000000, "amoadd.d carries into bit 32"
    AMO_D 33, amoxor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0, "amoxor.d"
    AMO_D 34, amoand.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xf000f000f000f00, "amoand.d"
    AMO_D 35, amoor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xfff0fff0fff0fff0, "amoor.d"
    AMO_D 36, amomin.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000, "amomin.d signed"
    AMO_D 37, amomax.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, "amomax.d signed"
    AMO_D 38, amominu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, "amominu.d unsigned"
    AMO_D 39, amomaxu.d, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000, 0x8000000000000000, "amomaxu.d unsigned"
    AMO_D 40, amomin.d, 0x0000000080000000, 0xffffffff00000000, 0x80000000, 0xffffffff00000000, "amomin.d: bit 31 is not a sign bit"
    AMO_D 41, amomaxu.d, -1, 0, 0xffffffffffffffff, 0xffffffffffffffff, "amomaxu.d keeps the all-ones value"
    AMO_W 42, amoadd.w.aq, 3, 4, 0x3, 0x7, "amoadd.w.aq"
    AMO_W 43, amoadd.w.rl, 3, 4, 0x3, 0x7, "amoadd.w.rl"
    AMO_D 44, amoadd.d.aqrl, 3, 4, 0x3, 0x7, "amoadd.d.aqrl"

    # rd = x0: the memory operation still happens.
    CASE 50, "amoadd.d into x0 still updates memory"
    li a2, 40
    sd a2, 0(s0)
    li a3, 2
    amoadd.d zero, a3, (s0)
    ld a0, 0(s0)
    CHECK a0, 42
    CHECK zero, 0

    PASS
