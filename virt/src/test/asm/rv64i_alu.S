# RV64I integer computation: LUI, AUIPC, the register-immediate and register-register
# operations and their 32-bit W forms, with edge values (0, -1, INT64_MIN, overflow, shifts by
# the largest amounts, sign extension of every W result).
    .include "test.inc"

    .text
main:
    # ---- LUI and AUIPC ----
    CASE 1, "lui: the 20-bit immediate lands in bits 31:12"
    lui a0, 0x12345
    CHECK a0, 0x12345000

    # Bit 31 of the result is sign-extended to 64 bits on RV64.
    CASE 2, "lui: 0x80000 sign-extends to 0xffffffff80000000"
    lui a0, 0x80000
    CHECK a0, 0xffffffff80000000

    CASE 3, "lui: 0xfffff gives -4096"
    lui a0, 0xfffff
    CHECK a0, -4096

    # auipc adds the shifted immediate to its own address.
    CASE 4, "auipc with 0 gives its own pc"
1:  auipc a0, 0
    la a1, 1b
    CHECK_SAME a0, a1

    CASE 5, "auipc with 1 gives pc + 4096"
1:  auipc a0, 1
    la a1, 1b
    li a2, 4096
    add a1, a1, a2
    CHECK_SAME a0, a1

    # A negative immediate (sign-extended from bit 31) subtracts.
    CASE 6, "auipc with 0xfffff gives pc - 4096"
1:  auipc a0, 0xfffff
    la a1, 1b
    li a2, -4096
    add a1, a1, a2
    CHECK_SAME a0, a1

    # ---- ADDI, SLTI, SLTIU, XORI, ORI, ANDI ----
    RI 10, addi, 0, 0, 0, "addi 0 + 0"
    RI 11, addi, 1, -1, 0, "addi 1 + -1"
    RI 12, addi, -1, 1, 0, "addi -1 + 1 wraps to 0"
    RI 13, addi, 0, 2047, 2047, "addi largest immediate"
    RI 14, addi, 0, -2048, -2048, "addi smallest immediate"
    # INT64_MAX + 1 wraps to INT64_MIN: no overflow trap.
    RI 15, addi, 0x7fffffffffffffff, 1, 0x8000000000000000, "addi INT64_MAX + 1 wraps"
    RI 16, addi, 0x8000000000000000, -1, 0x7fffffffffffffff, "addi INT64_MIN - 1 wraps"
    # The 32-bit boundary is not special for addi: the carry goes into bit 32.
    RI 17, addi, 0x7fffffff, 1, 0x80000000, "addi carries into bit 31 without sign extension"

    RI 20, slti, 0, 1, 1, "slti 0 < 1"
    RI 21, slti, 1, 0, 0, "slti 1 < 0 is false"
    RI 22, slti, -1, 0, 1, "slti -1 < 0 (signed)"
    RI 23, slti, 5, 5, 0, "slti equal is false"
    RI 24, slti, 0x8000000000000000, -2048, 1, "slti INT64_MIN < -2048"
    RI 25, slti, 0x7fffffffffffffff, 2047, 0, "slti INT64_MAX < 2047 is false"

    # The immediate is sign-extended, then compared unsigned: -1 is the largest value.
    RI 30, sltiu, 0, 1, 1, "sltiu 0 < 1"
    RI 31, sltiu, -1, 0, 0, "sltiu 0xfff..f < 0 is false (unsigned)"
    RI 32, sltiu, 5, -1, 1, "sltiu 5 < 0xfff..f (immediate -1 sign-extended)"
    RI 33, sltiu, 0, 0, 0, "sltiu 0 < 0 is false"
    RI 34, sltiu, 1, 1, 0, "sltiu equal is false"
    # seqz is sltiu rd, rs, 1.
    RI 35, sltiu, 0x8000000000000000, -2048, 1, "sltiu INT64_MIN < 0xfff..f800"

    RI 40, xori, 0x00ff00ff00ff00ff, 0x0f0, 0x00ff00ff00ff000f, "xori"
    RI 41, xori, 0x00ff00ff00ff00ff, -1, 0xff00ff00ff00ff00, "xori -1 is not"
    RI 42, xori, 0, -2048, 0xfffffffffffff800, "xori sign-extends its immediate"
    RI 43, ori, 0x1234000000000000, 0x0f0, 0x12340000000000f0, "ori"
    RI 44, ori, 0, -1, -1, "ori -1"
    RI 45, ori, 0x0ff0, -2048, 0xfffffffffffffff0, "ori sign-extends its immediate"
    RI 46, andi, 0xff00ff00ff00ff00, 0x70f, 0x0000000000000700, "andi"
    RI 47, andi, 0xff00ff00ff00ff00, -256, 0xff00ff00ff00ff00, "andi sign-extends its immediate"
    RI 48, andi, -1, 0, 0, "andi 0"

    # ---- shifts by immediate: RV64 shift amounts are 6 bits ----
    RI 50, slli, 1, 0, 1, "slli by 0"
    RI 51, slli, 1, 1, 2, "slli by 1"
    RI 52, slli, 1, 31, 0x80000000, "slli by 31 (no sign extension)"
    RI 53, slli, 1, 32, 0x100000000, "slli by 32"
    RI 54, slli, 1, 63, 0x8000000000000000, "slli by 63"
    RI 55, slli, -1, 63, 0x8000000000000000, "slli -1 by 63"
    RI 56, srli, 0x8000000000000000, 63, 1, "srli by 63"
    RI 57, srli, -1, 1, 0x7fffffffffffffff, "srli fills with zero"
    RI 58, srli, -1, 32, 0xffffffff, "srli by 32"
    RI 59, srli, 0x123, 0, 0x123, "srli by 0"
    RI 60, srai, 0x8000000000000000, 63, -1, "srai by 63 fills with the sign"
    RI 61, srai, 0x8000000000000000, 1, 0xc000000000000000, "srai by 1"
    RI 62, srai, 0x7fffffffffffffff, 62, 1, "srai positive"
    RI 63, srai, 0xffffffff80000000, 31, -1, "srai by 31"
    RI 64, srai, -1, 0, -1, "srai by 0"

    # ---- register-register ----
    RR 70, add, 1, 2, 3, "add"
    RR 71, add, -1, 1, 0, "add -1 + 1"
    RR 72, add, 0x7fffffffffffffff, 1, 0x8000000000000000, "add INT64_MAX + 1 wraps"
    RR 73, add, 0x8000000000000000, 0x8000000000000000, 0, "add INT64_MIN + INT64_MIN wraps to 0"
    RR 74, add, 0xffffffff, 1, 0x100000000, "add carries into bit 32"
    RR 75, sub, 3, 2, 1, "sub"
    RR 76, sub, 0, 1, -1, "sub 0 - 1"
    RR 77, sub, 0x8000000000000000, 1, 0x7fffffffffffffff, "sub INT64_MIN - 1 wraps"
    RR 78, sub, 0, 0x8000000000000000, 0x8000000000000000, "sub 0 - INT64_MIN is INT64_MIN"
    RR 79, sub, 0x100000000, 1, 0xffffffff, "sub borrows from bit 32"

    # Register shifts use rs2[5:0] only.
    RR 80, sll, 1, 63, 0x8000000000000000, "sll by 63"
    RR 81, sll, 1, 64, 1, "sll by 64 is sll by 0"
    RR 82, sll, 1, 65, 2, "sll by 65 is sll by 1"
    RR 83, sll, 0x0123456789abcdef, 4, 0x123456789abcdef0, "sll by 4"
    RR 84, sll, 3, -1, 0x8000000000000000, "sll by -1 is sll by 63"
    RR 85, srl, 0x8000000000000000, 63, 1, "srl by 63"
    RR 86, srl, 0x8000000000000000, 64, 0x8000000000000000, "srl by 64 is srl by 0"
    RR 87, srl, -1, 0x7fe, 3, "srl by 0x7fe is srl by 62"
    RR 88, sra, 0x8000000000000000, 63, -1, "sra by 63"
    RR 89, sra, 0x8000000000000000, 64, 0x8000000000000000, "sra by 64 is sra by 0"
    RR 90, sra, 0x8000000000000000, 4, 0xf800000000000000, "sra by 4"
    RR 91, sra, 0x4000000000000000, 62, 1, "sra positive"

    RR 95, slt, 1, 2, 1, "slt 1 < 2"
    RR 96, slt, 2, 1, 0, "slt 2 < 1 is false"
    RR 97, slt, -1, 0, 1, "slt -1 < 0"
    RR 98, slt, 0x8000000000000000, 0x7fffffffffffffff, 1, "slt INT64_MIN < INT64_MAX"
    RR 99, slt, 7, 7, 0, "slt equal is false"
    RR 100, sltu, 0, -1, 1, "sltu 0 < 0xfff..f"
    RR 101, sltu, -1, 0, 0, "sltu 0xfff..f < 0 is false"
    RR 102, sltu, 0x7fffffffffffffff, 0x8000000000000000, 1, "sltu INT64_MAX < INT64_MIN as unsigned"
    RR 103, sltu, 7, 7, 0, "sltu equal is false"

    RR 105, xor, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f0, "xor"
    RR 106, or, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xfff0fff0fff0fff0, "or"
    RR 107, and, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0x0f000f000f000f00, "and"
    RR 108, xor, -1, -1, 0, "xor with itself is 0"

    # snez is sltu rd, x0, rs.
    CASE 109, "sltu x0, rs: snez"
    li a1, 0x100000000
    snez a0, a1
    CHECK a0, 1
    snez a0, zero
    CHECK a0, 0

    # ---- x0 ----
    CASE 110, "writes to x0 are discarded"
    li a0, 5
    addi zero, a0, 1
    add zero, a0, a0
    lui zero, 0x12345
    auipc zero, 1
    CHECK zero, 0
    mv a1, zero
    CHECK a1, 0

    CASE 111, "x0 reads as 0 as a source"
    li a0, 7
    add a1, a0, zero
    CHECK a1, 7
    sub a1, zero, a0
    CHECK a1, -7

    # ---- W forms: operate on the low 32 bits, sign-extend the 32-bit result ----
    RI 120, addiw, 0x7fffffff, 1, 0xffffffff80000000, "addiw 0x7fffffff + 1 overflows to INT32_MIN, sign-extended"
    RI 121, addiw, 0xffffffff, 1, 0, "addiw 0xffffffff + 1 wraps to 0"
    RI 122, addiw, 0x123456789, 0, 0x23456789, "addiw 0: sext.w drops bits 63:32"
    RI 123, addiw, 0x80000000, 0, 0xffffffff80000000, "sext.w of 0x80000000"
    RI 124, addiw, 0, -2048, -2048, "addiw negative immediate"
    RI 125, addiw, 0xfffffffe00000000, -1, -1, "addiw ignores the upper bits of rs1"

    RI 130, slliw, 1, 31, 0xffffffff80000000, "slliw by 31 sign-extends bit 31"
    RI 131, slliw, 0xffffffff, 0, -1, "slliw by 0 sign-extends"
    RI 132, slliw, 0x123456789, 4, 0x34567890, "slliw drops bits shifted past 31"
    RI 133, slliw, 0x00000000ffff0000, 16, 0, "slliw shifts out everything"
    RI 134, srliw, 0xffffffff80000000, 31, 1, "srliw by 31"
    RI 135, srliw, 0xffffffff80000000, 0, 0xffffffff80000000, "srliw by 0 sign-extends"
    RI 136, srliw, 0x00000000ffffffff, 1, 0x7fffffff, "srliw zero-fills from bit 31"
    RI 137, srliw, 0xabcdef0100000010, 4, 1, "srliw ignores the upper bits"
    RI 138, sraiw, 0x80000000, 31, -1, "sraiw by 31"
    RI 139, sraiw, 0x80000000, 4, 0xfffffffff8000000, "sraiw fills with bit 31"
    RI 140, sraiw, 0xffffffff7fffffff, 30, 1, "sraiw uses bit 31, not bit 63"

    RR 150, addw, 0x7fffffff, 1, 0xffffffff80000000, "addw overflow sign-extends"
    RR 151, addw, 0x100000001, 0x100000001, 2, "addw ignores the upper bits"
    RR 152, addw, -1, -1, -2, "addw -1 + -1"
    RR 153, subw, 0, 1, -1, "subw 0 - 1"
    RR 154, subw, 0x80000000, 1, 0x7fffffff, "subw INT32_MIN - 1 wraps to INT32_MAX"
    RR 155, subw, 0x100000000, 0, 0, "subw ignores the upper bits"
    # Word shifts use rs2[4:0] only.
    RR 160, sllw, 1, 31, 0xffffffff80000000, "sllw by 31"
    RR 161, sllw, 1, 32, 1, "sllw by 32 is sllw by 0"
    RR 162, sllw, 1, 63, 0xffffffff80000000, "sllw by 63 is sllw by 31"
    RR 163, srlw, 0x80000000, 31, 1, "srlw by 31"
    RR 164, srlw, 0x80000000, 32, 0xffffffff80000000, "srlw by 32 is srlw by 0 (sign-extends)"
    RR 165, srlw, 0xffffffffffffffff, 4, 0x0fffffff, "srlw zero-fills"
    RR 166, sraw, 0x80000000, 31, -1, "sraw by 31"
    RR 167, sraw, 0x80000000, 32, 0xffffffff80000000, "sraw by 32 is sraw by 0"
    RR 168, sraw, 0x70000000, 28, 7, "sraw positive"
    RR 169, sraw, 0x00000000f0000000, 36, 0xffffffffff000000, "sraw by 36 is sraw by 4"

    # ---- NOP and FENCE retire without effect ----
    CASE 180, "nop and fence change nothing"
    li a0, 42
    nop
    fence
    fence rw, rw
    fence.tso
    fence iorw, iorw
    CHECK a0, 42

    PASS
