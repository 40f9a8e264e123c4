# Zbc (carry-less multiplication): clmul, clmulh, clmulr. Expected values are the GF(2)
# polynomial products, computed bit by bit.
# RR, RI and R1 (test.inc) also check rd = rs1 (and rd = rs2) and unchanged sources.
    .include "test.inc"

    .text
main:
    # Carry-less multiplication: the 128-bit product of the polynomials over GF(2); clmul keeps
    # bits 63:0, clmulh bits 127:64 and clmulr bits 126:63.
    RR 1, clmul, 3, 3, 0x5, "clmul 0b11 * 0b11 = 0b101"
    RR 2, clmul, 0x8000000000000000, 2, 0x0, "clmul shifts bit 63 out"
    RR 3, clmul, -1, -1, 0x5555555555555555, "clmul all ones squared"
    RR 4, clmul, 0x0123456789abcdef, 0xfedcba9876543210, 0x40a0789828c810f0, "clmul"
    RR 5, clmul, 0, 0x123, 0x0, "clmul by 0"
    RR 10, clmulh, 0x8000000000000000, 2, 0x1, "clmulh: the product's bit 64"
    RR 11, clmulh, -1, -1, 0x5555555555555555, "clmulh all ones squared"
    RR 12, clmulh, 0x0123456789abcdef, 0xfedcba9876543210, 0xe038d8688850b0, "clmulh"
    RR 13, clmulh, 3, 3, 0x0, "clmulh of small values is 0"
    RR 20, clmulr, 0x8000000000000000, 1, 0x1, "clmulr: bit 63 of the product is bit 0"
    RR 21, clmulr, -1, -1, 0xaaaaaaaaaaaaaaaa, "clmulr all ones squared"
    RR 22, clmulr, 0x0123456789abcdef, 0xfedcba9876543210, 0x1c071b0d110a160, "clmulr"
    RR 23, clmulr, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000, "clmulr 2^63 * 2^63 = 2^126: bit 63"

    PASS
