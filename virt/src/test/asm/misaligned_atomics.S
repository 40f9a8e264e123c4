# Exceptions of the A extension's memory accesses. A misaligned LR raises a load
# address-misaligned exception (cause 4); a misaligned SC or AMO raises a store/AMO
# address-misaligned exception (cause 6), with the address in mtval and memory unchanged. An SC
# must pass its address and permission checks whether or not it would succeed ("No SC.W
# instruction shall retire unless it passes memory permission checks"), so a misaligned SC or
# one to a hole in the address space traps even without a reservation.
#
# @qemu-skip QEMU 7.2 reports misaligned AMOs with cause 4 (load) instead of 6 (store/AMO), and an SC whose address is not the reserved one fails without checking alignment or permissions.
    .include "test.inc"

# \insn with address cell + \offset must trap with \cause and tval = that address, leaving the
# doubleword at cell (0x1122334455667788) as it was.
.macro MISALIGNED n, cause, offset, desc, insn:vararg
    CASE \n, "\desc"
    la s0, cell
    li a2, 0x1122334455667788
    sd a2, 0(s0)
    addi a1, s0, \offset
    li a3, -1
    EXPECT_TRAP .Lresume\@
    \insn
.Lresume\@:
    CHECK_CAUSE \cause
    CHECK_TVAL_ADDR cell + \offset
    ld a0, 0(s0)
    CHECK a0, 0x1122334455667788
.endm

    .data
    .balign 16
cell:
    .dword 0, 0

    .text
main:
    MISALIGNED 1, CAUSE_LOAD_MISALIGNED, 2, "lr.w at offset 2", lr.w a0, (a1)
    MISALIGNED 2, CAUSE_LOAD_MISALIGNED, 1, "lr.w at offset 1", lr.w a0, (a1)
    MISALIGNED 3, CAUSE_LOAD_MISALIGNED, 4, "lr.d at offset 4", lr.d a0, (a1)
    MISALIGNED 4, CAUSE_STORE_MISALIGNED, 2, "sc.w at offset 2 without a reservation", sc.w a0, a3, (a1)
    MISALIGNED 5, CAUSE_STORE_MISALIGNED, 4, "sc.d at offset 4 without a reservation", sc.d a0, a3, (a1)
    MISALIGNED 6, CAUSE_STORE_MISALIGNED, 2, "amoadd.w at offset 2", amoadd.w a0, a3, (a1)
    MISALIGNED 7, CAUSE_STORE_MISALIGNED, 1, "amoswap.w at offset 1", amoswap.w a0, a3, (a1)
    MISALIGNED 8, CAUSE_STORE_MISALIGNED, 3, "amoor.w at offset 3", amoor.w a0, a3, (a1)
    MISALIGNED 9, CAUSE_STORE_MISALIGNED, 4, "amoand.d at offset 4", amoand.d a0, a3, (a1)
    MISALIGNED 10, CAUSE_STORE_MISALIGNED, 6, "amomaxu.d at offset 6", amomaxu.d a0, a3, (a1)
    MISALIGNED 11, CAUSE_STORE_MISALIGNED, 2, "amomin.w at offset 2", amomin.w a0, a3, (a1)
    MISALIGNED 12, CAUSE_STORE_MISALIGNED, 1, "amoxor.d at offset 1", amoxor.d a0, a3, (a1)

    # With a valid reservation on the aligned word, an SC to a misaligned address still traps.
    CASE 20, "sc.w at offset 2 after lr.w at offset 0"
    la s0, cell
    lr.w a0, (s0)
    addi a1, s0, 2
    EXPECT_TRAP 1f
    sc.w a0, a3, (a1)
1:  CHECK_CAUSE CAUSE_STORE_MISALIGNED
    CHECK_TVAL_ADDR cell + 2

    # An SC to an address where nothing responds is a store/AMO access fault, reservation or not.
    CASE 21, "sc.d to unmapped physical memory: store/AMO access fault"
    li a1, 0x90000000
    EXPECT_TRAP 1f
    sc.d a0, a3, (a1)
1:  CHECK_CAUSE CAUSE_STORE_ACCESS
    CHECK_TVAL 0x90000000

    # An AMO there is a store/AMO access fault too, and an LR a load access fault.
    CASE 22, "amoadd.w to unmapped physical memory: store/AMO access fault"
    li a1, 0x90000000
    EXPECT_TRAP 1f
    amoadd.w a0, a3, (a1)
1:  CHECK_CAUSE CAUSE_STORE_ACCESS
    CHECK_TVAL 0x90000000

    CASE 23, "lr.w from unmapped physical memory: load access fault"
    li a1, 0x90000000
    EXPECT_TRAP 1f
    lr.w a0, (a1)
1:  CHECK_CAUSE CAUSE_LOAD_ACCESS
    CHECK_TVAL 0x90000000

    PASS
