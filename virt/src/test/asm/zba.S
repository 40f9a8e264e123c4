# Zba (address generation): sh1add, sh2add, sh3add, their .uw forms, add.uw (and zext.w) and
# slli.uw. The .uw forms zero-extend the low 32 bits of rs1 first (unsigned 32-bit indices).
# RR, RI and R1 (test.inc) also check rd = rs1 (and rd = rs2) and unchanged sources.
    .include "test.inc"

    .text
main:
    # shNadd rd, rs1, rs2 = (rs1 << N) + rs2, wrapping at 64 bits.
    RR 1, sh1add, 5, 100, 0x6e, "sh1add 5 << 1 + 100"
    RR 2, sh2add, 5, 100, 0x78, "sh2add 5 << 2 + 100"
    RR 3, sh3add, 5, 100, 0x8c, "sh3add 5 << 3 + 100"
    RR 4, sh1add, 0x8000000000000001, 1, 0x3, "sh1add shifts bit 63 out"
    RR 5, sh3add, 0xf000000000000000, 0, 0x8000000000000000, "sh3add shifts the top bits out"
    RR 6, sh2add, -1, 4, 0x0, "sh2add -1 << 2 + 4 = 0"
    # The .uw forms first zero-extend the low word of rs1.
    RR 10, add.uw, 0xffffffff80000000, 1, 0x80000001, "add.uw zero-extends rs1's low word"
    RR 11, add.uw, 0x123456789, 0x100000000, 0x123456789, "add.uw ignores rs1's upper word"
    RR 12, sh1add.uw, 0xffffffffffffffff, 0, 0x1fffffffe, "sh1add.uw (2^32-1) << 1"
    RR 13, sh2add.uw, 0x80000000, 0x10, 0x200000010, "sh2add.uw 2^31 << 2 + 16"
    RR 14, sh3add.uw, 0xdeadbeef00000001, -8, 0x0, "sh3add.uw 1 << 3 - 8 = 0"
    RR 15, sh3add.uw, 0xffffffff, 0xffffffff00000000, 0x6fffffff8, "sh3add.uw carries into the upper word"
    # slli.uw zero-extends the low word, then shifts by 0..63.
    RI 20, slli.uw, 0xffffffff80000001, 0, 0x80000001, "slli.uw by 0 is zext.w"
    RI 21, slli.uw, 0xffffffff80000001, 1, 0x100000002, "slli.uw by 1"
    RI 22, slli.uw, 0xffffffffffffffff, 32, 0xffffffff00000000, "slli.uw by 32"
    RI 23, slli.uw, 0x00000000ffffffff, 63, 0x8000000000000000, "slli.uw by 63 keeps bit 0 only"
    R1 24, zext.w, 0xfedcba9876543210, 0x76543210, "zext.w (add.uw rd, rs, zero)"

    PASS
