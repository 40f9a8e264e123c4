# Exact instruction counting and mcountinhibit. instret counts retired instructions: a read
# returns the number retired before the reading instruction, so two reads with k instructions
# between them differ by k + 1, across blocks, branches and traps alike (a trapping instruction
# does not retire; the handler's instructions do). A value written to minstret is what the next
# instruction reads. mcountinhibit.IR and .CY stop minstret and mcycle: they keep their value.
#
# @qemu-skip QEMU 7.2 counts host ticks (not instructions) without -icount, and its mcountinhibit reads stopped counters as 0 instead of holding their value.
    .include "test.inc"

    .text
main:
    CASE 1, "two adjacent instret reads differ by 1"
    csrr a0, instret
    csrr a1, instret
    sub a2, a1, a0
    CHECK a2, 1

    CASE 2, "three nops between reads: a difference of 4"
    csrr a0, instret
    nop
    nop
    nop
    csrr a1, instret
    sub a2, a1, a0
    CHECK a2, 4

    # A loop of 10 iterations of 2 instructions (addi, bnez) plus the li before it.
    CASE 3, "a counted loop: 1 + 10 * 2 instructions"
    csrr a0, instret
    li a3, 10
1:  addi a3, a3, -1
    bnez a3, 1b
    csrr a1, instret
    sub a2, a1, a0
    CHECK a2, 22

    # jal and the taken and not-taken branches count once each: jal, li, beqz (not taken),
    # bnez (taken), then the read.
    CASE 4, "jumps and branches count once"
    csrr a0, instret
    j 1f
1:  li a3, 1
    beqz a3, 2f
    bnez a3, 2f
2:  csrr a1, instret
    sub a2, a1, a0
    CHECK a2, 5

    CASE 5, "the value written to minstret is what the next instruction reads"
    li a1, 1000
    csrw minstret, a1
    csrr a0, minstret
    csrr a1, instret
    CHECK a0, 1000
    CHECK a1, 1001

    # An ecall does not retire; the M-mode handler's instructions are counted as any others.
    # With ENTER_M (li a7 and ecall) in between, the count grows by more than 2.
    CASE 6, "a trap and its handler are counted"
    csrr a0, instret
    ENTER_M
    csrr a1, instret
    sub a2, a1, a0
    li a3, 3
    bltu a2, a3, 1f
    li a3, 100
    bgeu a2, a3, 1f
    j 2f
1:  FAIL
2:

    # ---- mcountinhibit: CY (bit 0) stops mcycle, IR (bit 2) stops minstret ----
    CASE 10, "mcountinhibit.IR freezes minstret"
    csrwi mcountinhibit, 4
    csrr a0, minstret
    nop
    nop
    nop
    csrr a1, minstret
    csrr a2, instret
    CHECK_SAME a0, a1
    CHECK_SAME a0, a2

    CASE 11, "mcountinhibit.CY freezes mcycle"
    csrwi mcountinhibit, 1
    csrr a0, mcycle
    nop
    nop
    csrr a1, mcycle
    CHECK_SAME a0, a1
    csrr a0, mcountinhibit
    CHECK a0, 1

    # A frozen counter can still be written, and holds the written value.
    CASE 12, "a frozen minstret holds a written value"
    csrwi mcountinhibit, 5
    li a1, 777
    csrw minstret, a1
    nop
    csrr a0, minstret
    CHECK a0, 777

    CASE 13, "clearing mcountinhibit lets the counters run again"
    csrwi mcountinhibit, 0
    csrr a0, minstret
    nop
    csrr a1, minstret
    bgtu a1, a0, 1f
    FAIL
1:  csrr a0, mcycle
    nop
    nop
    csrr a1, mcycle
    bgtu a1, a0, 2f
    FAIL
2:

    # mcountinhibit.TM (bit 1) does not exist: time cannot be stopped.
    CASE 14, "mcountinhibit bit 1 is read-only zero"
    csrwi mcountinhibit, 2
    csrr a0, mcountinhibit
    andi a0, a0, 2
    CHECK a0, 0
    csrwi mcountinhibit, 0

    PASS
