# Zicntr and Zihpm: cycle, time and instret (and their M-mode forms) count up; minstret and
# mcycle can be written; time follows the CLINT's mtime; and
# mcounteren (for S- and U-mode) and scounteren (for U-mode) decide, bit by bit, which counters
# lower privilege modes may read: a read that is not allowed is an illegal instruction.
# Counter values depend on timing, so the checks are about order, not amounts (exact counts and
# mcountinhibit are in counters_exact.S).
    .include "test.inc"

# Reading \csr in privilege mode \mode (1 = S, 0 = U) must trap as an illegal instruction.
.macro DENIED n, mode, csr, desc
    CASE \n, "\desc"
    ENTER_MODE \mode
    EXPECT_TRAP .Lresume\@
    csrr a0, \csr
.Lresume\@:
    ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
.endm

# Reading \csr in privilege mode \mode must work.
.macro ALLOWED n, mode, csr, desc
    CASE \n, "\desc"
    ENTER_MODE \mode
    EXPECT_TRAP .Lresume\@
    csrr a0, \csr
.Lresume\@:
    ENTER_M
    CHECK_NO_TRAP
.endm

    .text
main:
    # ---- counting ----
    CASE 1, "cycle advances"
    csrr a0, cycle
    nop
    nop
    csrr a1, cycle
    bgtu a1, a0, 1f
    FAIL
1:

    CASE 2, "instret advances"
    csrr a0, instret
    nop
    csrr a1, instret
    bgtu a1, a0, 1f
    FAIL
1:

    # mcycle and minstret are the same counters as cycle and instret.
    CASE 3, "mcycle/minstret and cycle/instret agree"
    csrr a0, minstret
    csrr a1, instret
    bgeu a1, a0, 1f
    FAIL
1:  csrr a0, mcycle
    csrr a1, cycle
    bgeu a1, a0, 2f
    FAIL
2:

    # After minstret is written with 1000 it continues from there.
    CASE 4, "minstret can be written"
    li a1, 1000
    csrw minstret, a1
    csrr a0, minstret
    li a2, 1000
    bltu a0, a2, 1f
    li a2, 1 << 32
    bgeu a0, a2, 1f
    j 2f
1:  FAIL
2:

    CASE 5, "mcycle can be written"
    li a1, 1 << 40
    csrw mcycle, a1
    csrr a0, mcycle
    li a2, 1 << 40
    bltu a0, a2, 1f
    li a2, (1 << 40) + (1 << 32)
    bgeu a0, a2, 1f
    j 2f
1:  FAIL
2:

    # The time CSR reads the CLINT's mtime: a read of time lies between two reads of mtime.
    CASE 6, "time lies between two reads of mtime"
    li a1, CLINT_MTIME
    ld a2, 0(a1)
    csrr a0, time
    ld a3, 0(a1)
    bltu a0, a2, 1f
    bltu a3, a0, 1f
    j 2f
1:  FAIL
2:

    CASE 7, "time advances"
    csrr a1, time
1:  csrr a0, time
    beq a0, a1, 1b
    bgtu a0, a1, 2f
    FAIL
2:

    # ---- counter enables ----
    PMP_ALLOW_ALL
    csrw mcounteren, zero
    csrw scounteren, zero
    DENIED 20, 1, cycle, "S-mode cycle with mcounteren.CY = 0"
    DENIED 21, 1, time, "S-mode time with mcounteren.TM = 0"
    DENIED 22, 1, instret, "S-mode instret with mcounteren.IR = 0"
    DENIED 23, 1, hpmcounter3, "S-mode hpmcounter3 with mcounteren.HPM3 = 0"

    # The trap's mtval is the csrr instruction: csrrs a0, cycle, zero = 0xc0002573.
    CASE 24, "the denied read reports its instruction bits"
    ENTER_S
    EXPECT_TRAP 1f
    .option push
    .option norvc
2:  csrr a0, cycle
    .option pop
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0xc0002573
    CHECK_EPC 2b

    csrwi mcounteren, 1
    ALLOWED 25, 1, cycle, "S-mode cycle with mcounteren.CY = 1"
    DENIED 26, 1, time, "S-mode time with only mcounteren.CY = 1"
    csrwi mcounteren, 7
    ALLOWED 27, 1, time, "S-mode time with mcounteren.TM = 1"
    ALLOWED 28, 1, instret, "S-mode instret with mcounteren.IR = 1"
    csrwi mcounteren, 8
    ALLOWED 29, 1, hpmcounter3, "S-mode hpmcounter3 with mcounteren.HPM3 = 1"

    # U-mode needs the bit in both mcounteren and scounteren.
    csrwi mcounteren, 7
    csrwi scounteren, 0
    DENIED 30, 0, cycle, "U-mode cycle with scounteren.CY = 0"
    DENIED 31, 0, instret, "U-mode instret with scounteren.IR = 0"
    csrwi scounteren, 7
    ALLOWED 32, 0, cycle, "U-mode cycle with both enables"
    ALLOWED 33, 0, time, "U-mode time with both enables"
    ALLOWED 34, 0, instret, "U-mode instret with both enables"
    csrwi mcounteren, 0
    DENIED 35, 0, time, "U-mode time with scounteren.TM = 1 but mcounteren.TM = 0"
    csrwi mcounteren, 5
    DENIED 36, 0, time, "U-mode time with mcounteren.TM = 0"
    ALLOWED 37, 0, instret, "U-mode instret still allowed"

    # M-mode never needs an enable.
    CASE 38, "M-mode reads every counter with the enables clear"
    csrw mcounteren, zero
    csrw scounteren, zero
    csrr a0, cycle
    csrr a0, time
    csrr a0, instret
    csrr a0, hpmcounter3

    # The value read in U-mode counts the same instructions as M-mode's.
    CASE 39, "instret read in U-mode continues the M-mode count"
    csrwi mcounteren, 4
    csrwi scounteren, 4
    csrr s0, instret
    ENTER_U
    csrr s1, instret
    ENTER_M
    csrr s2, instret
    bleu s1, s0, 1f
    bleu s2, s1, 1f
    j 2f
1:  FAIL
2:  csrw mcounteren, zero
    csrw scounteren, zero

    PASS
