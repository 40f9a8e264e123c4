# RV64I control transfer: the six conditional branches (taken and not taken, signed and
# unsigned edge values, forward and backward), JAL and JALR (link values, the cleared low bit of
# a JALR target, rd = rs1) and far jumps that exercise every immediate bit.
    .include "test.inc"

# Branch case: \insn with a1 = \a, a2 = \b must be taken iff \taken is 1. The branch skips an
# instruction that would mark it as not taken; a0 ends 1 when taken, 0 when not.
.macro BR n, insn, a, b, taken, desc
    CASE \n, "\desc"
    li a1, \a
    li a2, \b
    li a0, 1
    \insn a1, a2, .Ltaken\@
    li a0, 0
.Ltaken\@:
    CHECK a0, \taken
.endm

    .text
main:
    BR 1, beq, 0, 0, 1, "beq 0 == 0"
    BR 2, beq, 1, 0, 0, "beq 1 == 0 not taken"
    BR 3, beq, -1, -1, 1, "beq -1 == -1"
    # The comparison is on all 64 bits.
    BR 4, beq, 0x100000000, 0, 0, "beq differs only in bit 32"
    BR 5, bne, 0, 1, 1, "bne 0 != 1"
    BR 6, bne, 7, 7, 0, "bne equal not taken"
    BR 7, bne, 0x8000000000000000, 0, 1, "bne differs only in bit 63"

    BR 10, blt, -1, 0, 1, "blt -1 < 0 (signed)"
    BR 11, blt, 0, -1, 0, "blt 0 < -1 not taken"
    BR 12, blt, 0x8000000000000000, 0x7fffffffffffffff, 1, "blt INT64_MIN < INT64_MAX"
    BR 13, blt, 5, 5, 0, "blt equal not taken"
    BR 14, bge, 5, 5, 1, "bge equal is taken"
    BR 15, bge, 0, -1, 1, "bge 0 >= -1"
    BR 16, bge, -1, 0, 0, "bge -1 >= 0 not taken"
    BR 17, bge, 0x7fffffffffffffff, 0x8000000000000000, 1, "bge INT64_MAX >= INT64_MIN"

    BR 20, bltu, 0, -1, 1, "bltu 0 < 0xfff..f"
    BR 21, bltu, -1, 0, 0, "bltu 0xfff..f < 0 not taken"
    BR 22, bltu, 0x7fffffffffffffff, 0x8000000000000000, 1, "bltu across the sign bit"
    BR 23, bltu, 3, 3, 0, "bltu equal not taken"
    BR 24, bgeu, 3, 3, 1, "bgeu equal is taken"
    BR 25, bgeu, -1, 0, 1, "bgeu 0xfff..f >= 0"
    BR 26, bgeu, 0, 1, 0, "bgeu 0 >= 1 not taken"
    BR 27, bgeu, 0x8000000000000000, 0x7fffffffffffffff, 1, "bgeu across the sign bit"

    # Pseudo-instructions that swap or zero an operand.
    BR 30, bgt, 1, 0, 1, "bgt (blt with swapped operands)"
    BR 31, ble, 1, 0, 0, "ble (bge with swapped operands)"
    BR 32, bgtu, 0, -1, 0, "bgtu (bltu with swapped operands)"
    BR 33, bleu, 0, -1, 1, "bleu (bgeu with swapped operands)"

    CASE 34, "beqz, bnez, bltz, bgez, blez, bgtz against x0"
    li a1, -5
    beqz a1, 1f
    bnez a1, 2f
1:  FAIL
2:  bgez a1, 1b
    blez a1, 3f
    FAIL
3:  bltz a1, 4f
    FAIL
4:  bgtz a1, 1b

    # A backward branch: a loop that counts down from 10.
    CASE 35, "backward branch loop runs 10 times"
    li a1, 10
    li a0, 0
1:  addi a0, a0, 3
    addi a1, a1, -1
    bnez a1, 1b
    CHECK a0, 30

    # Branch offsets reach +-4 KiB: the target is 4000 bytes away, forward and back.
    CASE 36, "branch over 4000 bytes forward"
    li a1, 1
    .option push
    .option norvc
    bnez a1, 1f
    .option pop
    FAIL
    .skip 4000 - 8, 0
1:  li a0, 36
    CHECK a0, 36

    CASE 37, "branch 4000 bytes backward"
    j 2f
1:  li a0, 37
    j 3f
    .skip 3900, 0
2:  li a1, 1
    .option push
    .option norvc
    bnez a1, 1b
    .option pop
    FAIL
3:  CHECK a0, 37

    # ---- JAL ----
    CASE 40, "jal links the address of the next instruction"
    .option push
    .option norvc
    jal a0, 1f
2:  FAIL
1:  .option pop
    CHECK_ADDR a0, 2b

    CASE 41, "jal x0 (j) does not link"
    li a0, 0
    j 1f
    li a0, 1
1:  CHECK a0, 0

    # A jump of 256 KiB and back exercises bits 17:12 of the J immediate as well.
    CASE 42, "jal 256 KiB forward, then back"
    jal ra, far_away
far_back:
    CHECK a0, 0x42

    # ---- JALR ----
    CASE 50, "jalr jumps to rs1 + imm and links pc + 4"
    la a1, 1f
    .option push
    .option norvc
    jalr a0, 8(a1)
2:  .option pop
    FAIL
1:  FAIL
    FAIL
    CHECK_ADDR a0, 2b

    # The least significant bit of the target is cleared.
    CASE 51, "jalr clears bit 0 of the target"
    la a1, 1f
    addi a1, a1, 1
    jalr ra, 0(a1)
    FAIL
    .balign 4
1:  li a0, 51
    CHECK a0, 51

    CASE 52, "jalr with a negative offset"
    la a1, 1f
    addi a1, a1, 1000
    j 2f
1:  li a0, 52
    j 3f
2:  jalr ra, -1000(a1)
    FAIL
3:  CHECK a0, 52

    # rd = rs1: the target is computed from the old value before the link is written.
    CASE 53, "jalr with rd = rs1 uses the old rs1"
    la a1, 1f
    .option push
    .option norvc
    jalr a1, 0(a1)
2:  .option pop
    FAIL
1:  CHECK_ADDR a1, 2b

    CASE 54, "call and ret"
    li a0, 0
    call add_five
    call add_five
    CHECK a0, 10

    CASE 55, "jalr x0 (jr) does not link"
    la a1, 1f
    li a0, 7
    jr a1
    li a0, 8
1:  CHECK a0, 7

    # A branch that is not taken falls through to the very next instruction, compressed or not.
    CASE 56, "not-taken branches continue with the next instruction"
    li a0, 0
    li a1, 1
    beqz a1, 1f
    addi a0, a0, 1
    .option push
    .option norvc
    beq a1, zero, 1f
    addi a0, a0, 1
    .option pop
    bltz a1, 1f
    addi a0, a0, 1
1:  CHECK a0, 3

    PASS

add_five:
    addi a0, a0, 5
    ret

    # Far target of case 42.
    .skip 0x40000, 0
far_away:
    li a0, 0x42
    j far_back
