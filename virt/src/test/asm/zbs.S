# Zbs (single-bit instructions): bclr, bext, binv, bset and their immediate forms.
# RR, RI and R1 (test.inc) also check rd = rs1 (and rd = rs2) and unchanged sources.
    .include "test.inc"

    .text
main:
    # Single-bit operations: the bit index is rs2[5:0] or the 6-bit immediate.
    RR 1, bclr, -1, 0, 0xfffffffffffffffe, "bclr bit 0"
    RR 2, bclr, -1, 63, 0x7fffffffffffffff, "bclr bit 63"
    RR 3, bclr, -1, 64, 0xfffffffffffffffe, "bclr index 64 is bit 0"
    RR 4, bclr, 0x10, 5, 0x10, "bclr a clear bit changes nothing"
    RI 10, bclri, -1, 63, 0x7fffffffffffffff, "bclri 63"
    RI 11, bclri, -1, 31, 0xffffffff7fffffff, "bclri 31"
    RR 20, bext, 0x8000000000000000, 63, 0x1, "bext bit 63"
    RR 21, bext, 0x8000000000000000, 62, 0x0, "bext a clear bit"
    RR 22, bext, 0x0000000100000000, 96, 0x1, "bext index 96 is bit 32"
    RI 30, bexti, 0x0000000100000000, 32, 0x1, "bexti 32"
    RI 31, bexti, 0x7fffffffffffffff, 63, 0x0, "bexti 63 of a positive number"
    RR 40, binv, 0, 63, 0x8000000000000000, "binv sets bit 63"
    RR 41, binv, -1, 0, 0xfffffffffffffffe, "binv clears bit 0"
    RR 42, binv, 0, 127, 0x8000000000000000, "binv index 127 is bit 63"
    RI 50, binvi, 0x5, 2, 0x1, "binvi 2"
    RI 51, binvi, 0x5, 32, 0x100000005, "binvi 32"
    RR 60, bset, 0, 63, 0x8000000000000000, "bset 63"
    RR 61, bset, 1, 0, 0x1, "bset an already set bit"
    RR 62, bset, 0, 0x40, 0x1, "bset index 64 is bit 0"
    RI 70, bseti, 0, 31, 0x80000000, "bseti 31 (no sign extension)"
    RI 71, bseti, 0, 63, 0x8000000000000000, "bseti 63"

    PASS
