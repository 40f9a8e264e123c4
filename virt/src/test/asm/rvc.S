# The C extension on RV64: every compressed instruction, written with its c. mnemonic so that
# the assembler cannot choose the 32-bit form, at the ends of its immediate range; the reserved
# encodings that are illegal instructions (mtval = the 16 instruction bits); C.EBREAK; and
# 32-bit instructions at 2-byte-aligned addresses, including one that straddles a page.
# RV64 has no C.JAL (that encoding is C.ADDIW) and no C.FLW/C.FSW (they are C.LD/C.SD).
    .include "test.inc"

    .data
    .balign 16
cbuf:
    .dword 0x8877665544332211, 0xfedcba9876543210
    .dword 0, 0
    .skip 240
cbuf_end:
    .balign 16
cstack:
    .skip 2048
cstack_top:

    .text
main:
    .option push
    .option rvc

    # ---- quadrant 0: stack-pointer based address, loads and stores through rs1' ----
    # sp is moved to a private area; s1 remembers the real stack.
    mv s1, sp
    la sp, cstack

    CASE 1, "c.addi4spn adds a scaled unsigned immediate to sp"
    c.addi4spn a0, sp, 4
    sub a0, a0, sp
    CHECK a0, 4
    c.addi4spn a5, sp, 1020
    sub a5, a5, sp
    CHECK a5, 1020

    la s0, cbuf
    CASE 2, "c.lw sign-extends, c.ld reads 8 bytes"
    c.lw a0, 4(s0)
    CHECK a0, 0xffffffff88776655
    c.lw a1, 8(s0)
    CHECK a1, 0x76543210
    c.ld a2, 8(s0)
    CHECK a2, 0xfedcba9876543210

    CASE 3, "c.sw and c.sd store 4 and 8 bytes"
    li a3, 0x1122334455667788
    c.sd a3, 16(s0)
    c.sw a3, 24(s0)
    ld a0, 16(s0)
    CHECK a0, 0x1122334455667788
    lwu a0, 24(s0)
    CHECK a0, 0x55667788
    lwu a0, 28(s0)
    CHECK a0, 0

    # The largest offsets: 124 for c.lw/c.sw, 248 for c.ld/c.sd/c.fld/c.fsd.
    CASE 4, "c.sw at offset 124 and c.sd at offset 248"
    addi a4, s0, 0
    li a3, 0x13579bdf
    c.sw a3, 124(a4)
    c.lw a5, 124(a4)
    CHECK a5, 0x13579bdf
    li a3, -2
    c.sd a3, 248(a4)
    c.ld a5, 248(a4)
    CHECK a5, -2

    CASE 5, "c.fld and c.fsd"
    c.fld fs0, 8(s0)
    c.fsd fs0, 40(s0)
    ld a0, 40(s0)
    CHECK a0, 0xfedcba9876543210
    c.fsd fs0, 248(s0)
    c.fld fa5, 248(s0)
    fmv.x.d a0, fa5
    CHECK a0, 0xfedcba9876543210

    # ---- quadrant 1 ----
    CASE 10, "c.nop changes nothing"
    li a0, 3
    c.nop
    CHECK a0, 3

    CASE 11, "c.addi with -32 and 31"
    li a0, 100
    c.addi a0, -32
    CHECK a0, 68
    c.addi a0, 31
    CHECK a0, 99

    CASE 12, "c.addiw sign-extends the 32-bit sum"
    li a0, 0x7fffffff
    c.addiw a0, 1
    CHECK a0, 0xffffffff80000000
    li a1, 0x123456789
    c.addiw a1, 0
    CHECK a1, 0x23456789
    li a2, 0
    c.addiw a2, -1
    CHECK a2, -1

    CASE 13, "c.li loads -32 and 31"
    c.li a0, -32
    CHECK a0, -32
    c.li a0, 31
    CHECK a0, 31

    CASE 14, "c.addi16sp adds -512 and 496 to sp"
    mv a1, sp
    c.addi16sp sp, -512
    sub a0, a1, sp
    CHECK a0, 512
    c.addi16sp sp, 496
    sub a0, a1, sp
    CHECK a0, 16
    c.addi16sp sp, 16
    CHECK_SAME sp, a1

    # c.lui: the 6-bit immediate goes to bits 17:12, sign-extended from bit 17.
    CASE 15, "c.lui positive and negative"
    c.lui a0, 1
    CHECK a0, 0x1000
    c.lui a0, 31
    CHECK a0, 0x1f000
    c.lui a0, 0xfffe0
    CHECK a0, 0xfffffffffffe0000
    c.lui a0, 0xfffff
    CHECK a0, 0xfffffffffffff000

    CASE 16, "c.srli by 1 and 63"
    li a0, 0x8000000000000000
    c.srli a0, 63
    CHECK a0, 1
    li a0, -1
    c.srli a0, 1
    CHECK a0, 0x7fffffffffffffff

    CASE 17, "c.srai by 1 and 63"
    li a0, 0x8000000000000000
    c.srai a0, 63
    CHECK a0, -1
    li a0, 0x8000000000000000
    c.srai a0, 1
    CHECK a0, 0xc000000000000000

    CASE 18, "c.andi sign-extends its immediate"
    li a0, 0x123456789abcdef0
    c.andi a0, -16
    CHECK a0, 0x123456789abcdef0
    li a0, 0xff
    c.andi a0, 15
    CHECK a0, 15
    li a0, -1
    c.andi a0, -32
    CHECK a0, 0xffffffffffffffe0

    CASE 19, "c.sub, c.xor, c.or, c.and"
    li a0, 10
    li a1, 3
    c.sub a0, a1
    CHECK a0, 7
    li a0, 0xff00
    li a1, 0x0ff0
    c.xor a0, a1
    CHECK a0, 0xf0f0
    li a0, 0xff00
    c.or a0, a1
    CHECK a0, 0xfff0
    li a0, 0xff00
    c.and a0, a1
    CHECK a0, 0x0f00

    CASE 20, "c.subw and c.addw sign-extend 32-bit results"
    li a0, 0
    li a1, 1
    c.subw a0, a1
    CHECK a0, -1
    li a0, 0x7fffffff
    c.addw a0, a1
    CHECK a0, 0xffffffff80000000
    li a0, 0x100000005
    li a1, 0x200000003
    c.addw a0, a1
    CHECK a0, 8

    CASE 21, "c.j forward and backward"
    li a0, 0
    c.j 2f
1:  addi a0, a0, 1
    c.j 3f
2:  addi a0, a0, 10
    c.j 1b
3:  CHECK a0, 11

    CASE 22, "c.beqz and c.bnez, taken and not taken"
    li a0, 0
    li a1, 0
    c.bnez a1, 1f
    addi a0, a0, 1
    c.beqz a1, 2f
1:  FAIL
2:  li a1, 5
    c.beqz a1, 1b
    c.bnez a1, 3f
    FAIL
3:  CHECK a0, 1

    # c.j reaches +-2 KiB: jump over 2000 bytes.
    CASE 23, "c.j over 2000 bytes"
    c.j 1f
    .skip 2000, 0
1:  li a0, 23
    CHECK a0, 23

    # ---- quadrant 2 ----
    CASE 30, "c.slli by 1 and 63"
    li a0, 3
    c.slli a0, 63
    CHECK a0, 0x8000000000000000
    li a0, 0x4000000000000001
    c.slli a0, 1
    CHECK a0, 0x8000000000000002

    CASE 31, "c.swsp/c.lwsp and c.sdsp/c.ldsp"
    li a0, 0x80000000
    c.swsp a0, 0(sp)
    c.lwsp a1, 0(sp)
    CHECK a1, 0xffffffff80000000
    li a0, 0x0123456789abcdef
    c.sdsp a0, 8(sp)
    c.ldsp a2, 8(sp)
    CHECK a2, 0x0123456789abcdef

    # The largest offsets: 252 for c.lwsp/c.swsp, 504 for c.ldsp/c.sdsp/c.fldsp/c.fsdsp.
    CASE 32, "sp-relative accesses at the largest offsets"
    li a0, 0x5a5a5a5a
    c.swsp a0, 252(sp)
    c.lwsp a1, 252(sp)
    CHECK a1, 0x5a5a5a5a
    li a0, -3
    c.sdsp a0, 504(sp)
    c.ldsp a1, 504(sp)
    CHECK a1, -3
    addi a2, sp, 504
    ld a1, 0(a2)
    CHECK a1, -3

    CASE 33, "c.fsdsp and c.fldsp"
    li a0, 0x400921fb54442d18
    fmv.d.x ft0, a0
    c.fsdsp ft0, 496(sp)
    c.fldsp ft1, 496(sp)
    fmv.x.d a1, ft1
    CHECK a1, 0x400921fb54442d18

    CASE 34, "c.mv and c.add"
    li a1, 42
    c.mv a0, a1
    CHECK a0, 42
    li a2, -50
    c.add a0, a2
    CHECK a0, -8
    c.mv t3, a0
    c.add t3, t3
    CHECK t3, -16

    CASE 35, "c.jr jumps without linking"
    la a1, 1f
    li ra, 0
    c.jr a1
    FAIL
1:  CHECK ra, 0

    # c.jalr links the address of the next (2-byte) instruction.
    CASE 36, "c.jalr links pc + 2"
    la a1, 1f
    c.jalr a1
2:  FAIL
1:  CHECK_ADDR ra, 2b

    # c.jalr ra: the target is the old ra, read before the link overwrites it.
    CASE 38, "c.jalr ra jumps to the old ra"
    la ra, 1f
    c.jalr ra
2:  FAIL
1:  CHECK_ADDR ra, 2b

    # HINTs (rd = x0) execute as no-ops.
    CASE 37, "c.li, c.mv, c.add, c.addi, c.slli with rd = x0 are no-ops"
    li a0, 9
    c.li zero, 5
    c.mv zero, a0
    c.add zero, a0
    c.addi zero, 3
    c.slli zero, 4
    CHECK zero, 0
    CHECK a0, 9

    mv sp, s1

    # ---- C.EBREAK ----
    CASE 40, "c.ebreak: breakpoint, mepc = its address"
    EXPECT_TRAP 1f
2:  c.ebreak
1:  CHECK_CAUSE CAUSE_BREAKPOINT
    CHECK_EPC 2b

    # ---- reserved encodings ----
    CASE 41, "0x0000 is illegal"
    EXPECT_TRAP 1f
2:  .hword 0x0000
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_EPC 2b
    CHECK_TVAL 0

    # c.addi4spn a0, sp, 0 (0x0008): nzuimm = 0 is reserved.
    CASE 42, "c.addi4spn with a zero immediate is illegal"
    EXPECT_TRAP 1f
2:  .hword 0x0008
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x0008
    CHECK_EPC 2b

    # c.addi16sp sp, 0 (0x6101): nzimm = 0 is reserved.
    CASE 43, "c.addi16sp with a zero immediate is illegal"
    EXPECT_TRAP 1f
2:  .hword 0x6101
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x6101

    # c.lui ra, 0 (0x6081): nzimm = 0 is reserved.
    CASE 44, "c.lui with a zero immediate is illegal"
    EXPECT_TRAP 1f
2:  .hword 0x6081
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x6081

    # c.lwsp x0, 0(sp) (0x4002) and c.ldsp x0, 0(sp) (0x6002): rd = 0 is reserved.
    CASE 45, "c.lwsp and c.ldsp with rd = x0 are illegal"
    EXPECT_TRAP 1f
    .hword 0x4002
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x4002
    EXPECT_TRAP 1f
    .hword 0x6002
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x6002

    # c.jr x0 (0x8002): rs1 = 0 is reserved.
    CASE 46, "c.jr with rs1 = x0 is illegal"
    EXPECT_TRAP 1f
    .hword 0x8002
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x8002

    # c.addiw x0, 0 (0x2001): rd = 0 is reserved.
    CASE 47, "c.addiw with rd = x0 is illegal"
    EXPECT_TRAP 1f
    .hword 0x2001
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x2001

    # ---- 32-bit instructions at 2-byte-aligned addresses ----
    CASE 50, "32-bit instructions at addresses 2 mod 4"
    li a0, 0
    .balign 4
    c.nop
    .option push
    .option norvc
    addi a0, a0, 1
    addi a0, a0, 2
    .option pop
    CHECK a0, 3

    # A 32-bit instruction whose second half is on the next page.
    CASE 51, "a 32-bit instruction straddling a page boundary"
    li a0, 5
    jal ra, straddle
    CHECK a0, 0x7ff + 5

    # Jump targets only need 2-byte alignment.
    CASE 52, "jalr to a 2-byte-aligned target"
    la a1, 1f
    li a0, 0
    jr a1
    FAIL
    .balign 4
    c.nop
1:  li a0, 52
    CHECK a0, 52

    .option pop
    PASS

    # straddle: a0 += 0x7ff, with the addi's halves on two pages.
    .balign 4096
    .skip 4096 - 6
straddle:
    c.nop
    c.nop
    .option push
    .option norvc
    addi a0, a0, 0x7ff
    .option pop
    ret
