# Zbb (basic bit manipulation): andn, orn, xnor; clz, ctz, cpop and their W forms; min, max,
# minu, maxu; sext.b, sext.h, zext.h; rol, ror, rori and the W forms rolw, rorw, roriw (whose
# 32-bit results are sign-extended); orc.b; rev8.
# RR, RI and R1 (test.inc) also check rd = rs1 (and rd = rs2) and unchanged sources.
    .include "test.inc"

    .text
main:
    # Logic with negated operand.
    RR 1, andn, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf000f000f000f000, "andn clears the bits set in rs2"
    RR 2, orn, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff0fff0fff0fff0f, "orn sets the bits clear in rs2"
    RR 3, xnor, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xf0f0f0f0f0f0f0f, "xnor is not xor"
    RR 4, andn, -1, 0, 0xffffffffffffffff, "andn with 0 keeps rs1"
    RR 5, orn, 0, -1, 0x0, "orn 0"
    # Counting leading and trailing zeros and set bits; 0 counts 64 (32 for the W forms).
    R1 10, clz, 0, 0x40, "clz 0 = 64"
    R1 11, clz, 1, 0x3f, "clz 1 = 63"
    R1 12, clz, 0x8000000000000000, 0x0, "clz bit 63 = 0"
    R1 13, clz, 0x00000000ffffffff, 0x20, "clz 2^32-1 = 32"
    R1 20, clzw, 0, 0x20, "clzw 0 = 32"
    R1 21, clzw, 0xffffffff00000001, 0x1f, "clzw ignores the upper word: 31"
    R1 22, clzw, 0x80000000, 0x0, "clzw bit 31 = 0"
    R1 30, ctz, 0, 0x40, "ctz 0 = 64"
    R1 31, ctz, 0x8000000000000000, 0x3f, "ctz bit 63 = 63"
    R1 32, ctz, -1, 0x0, "ctz -1 = 0"
    R1 33, ctz, 0x0000000100000000, 0x20, "ctz 2^32 = 32"
    R1 40, ctzw, 0, 0x20, "ctzw 0 = 32"
    R1 41, ctzw, 0x0000000100000000, 0x20, "ctzw ignores the upper word: 32"
    R1 42, ctzw, 0x80000000, 0x1f, "ctzw bit 31 = 31"
    R1 50, cpop, 0, 0x0, "cpop 0"
    R1 51, cpop, -1, 0x40, "cpop -1 = 64"
    R1 52, cpop, 0x8000000000000001, 0x2, "cpop = 2"
    R1 60, cpopw, -1, 0x20, "cpopw -1 = 32"
    R1 61, cpopw, 0xffffffff00000000, 0x0, "cpopw ignores the upper word"
    R1 62, cpopw, 0x0000000080000001, 0x2, "cpopw = 2"
    # Signed and unsigned minimum and maximum.
    RR 70, max, -1, 1, 0x1, "max signed: 1"
    RR 71, maxu, -1, 1, 0xffffffffffffffff, "maxu unsigned: 2^64-1"
    RR 72, min, -1, 1, 0xffffffffffffffff, "min signed: -1"
    RR 73, minu, -1, 1, 0x1, "minu unsigned: 1"
    RR 74, max, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff, "max INT64_MIN, INT64_MAX"
    RR 75, minu, 0x8000000000000000, 0x7fffffffffffffff, 0x7fffffffffffffff, "minu across the sign bit"
    RR 76, min, 5, 5, 0x5, "min of equal values"
    # Sign and zero extension.
    R1 80, sext.b, 0x80, 0xffffffffffffff80, "sext.b 0x80"
    R1 81, sext.b, 0x123456789abcde7f, 0x7f, "sext.b 0x7f"
    R1 82, sext.h, 0x8000, 0xffffffffffff8000, "sext.h 0x8000"
    R1 83, sext.h, 0xffffffffffff7fff, 0x7fff, "sext.h 0x7fff"
    R1 84, zext.h, -1, 0xffff, "zext.h -1"
    R1 85, zext.h, 0x12345678, 0x5678, "zext.h keeps the low halfword"
    # Rotations: by rs2[5:0] (rs2[4:0] for the W forms, which sign-extend).
    RR 90, rol, 0x8000000000000001, 1, 0x3, "rol 1"
    RR 91, rol, 0x0123456789abcdef, 64, 0x123456789abcdef, "rol by 64 is by 0"
    RR 92, rol, 0x0123456789abcdef, 68, 0x123456789abcdef0, "rol by 68 is by 4"
    RR 93, ror, 0x0000000000000001, 1, 0x8000000000000000, "ror 1 moves bit 0 to 63"
    RR 94, ror, 0x0123456789abcdef, 0x7fc, 0x123456789abcdef0, "ror by 0x7fc is by 60"
    RI 95, rori, 0x0123456789abcdef, 8, 0xef0123456789abcd, "rori 8"
    RI 96, rori, 0x0123456789abcdef, 63, 0x2468acf13579bde, "rori 63"
    RI 97, rori, 0x0123456789abcdef, 0, 0x123456789abcdef, "rori 0"
    RR 100, rolw, 0x0000000080000001, 1, 0x3, "rolw 1, result sign-extended"
    RR 101, rolw, 0xffffffff00000001, 31, 0xffffffff80000000, "rolw 31 ignores the upper word"
    RR 102, rolw, 0x12345678, 32, 0x12345678, "rolw by 32 is by 0"
    RR 103, rorw, 0x0000000000000001, 1, 0xffffffff80000000, "rorw 1 sets bit 31: sign-extended"
    RR 104, rorw, 0x12345678, 36, 0xffffffff81234567, "rorw by 36 is by 4"
    RI 105, roriw, 0x0000000000000001, 1, 0xffffffff80000000, "roriw 1"
    RI 106, roriw, 0xabcdef0012345678, 16, 0x56781234, "roriw 16 ignores the upper word"
    RI 107, roriw, 0x0000000080000000, 0, 0xffffffff80000000, "roriw 0 sign-extends"
    # orc.b: each nonzero byte becomes 0xff; rev8 reverses the byte order.
    R1 110, orc.b, 0x0001020000ff0080, 0xffff0000ff00ff, "orc.b"
    R1 111, orc.b, 0, 0x0, "orc.b 0"
    R1 112, orc.b, 0x0100000000000001, 0xff000000000000ff, "orc.b keeps zero bytes zero"
    R1 113, rev8, 0x0123456789abcdef, 0xefcdab8967452301, "rev8"
    R1 114, rev8, 0x00000000000000ff, 0xff00000000000000, "rev8 moves byte 0 to byte 7"

    PASS
