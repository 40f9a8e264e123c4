# Misaligned loads and stores: the hart performs them (no trap), at every offset and width,
# integer and floating point, also across a 4 KiB page boundary, physically (M-mode) and
# virtually (Sv39, with the two pages mapped to non-adjacent frames); a misaligned access whose
# second part is on an unmapped page is a page fault whose stval is the start of the access or
# the start of the faulting part. Misaligned LR/SC/AMOs trap: see misaligned_atomics.S.
    .include "test.inc"

# \insn at pattern + \offset must load \value (the whole register).
.macro LOAD n, insn, offset, value
    CASE \n, "\insn at offset \offset"
    la a1, pattern
    \insn a0, \offset(a1)
    CHECK a0, \value
.endm

# \insn of 0xf0e1d2c3b4a59687 at scratch + \offset (scratch filled with 0x11) must leave the
# doublewords at scratch and scratch + 8 holding \low and \high.
.macro STORE n, insn, offset, low, high
    CASE \n, "\insn at offset \offset"
    la a1, scratch
    li t0, 0x1111111111111111
    sd t0, 0(a1)
    sd t0, 8(a1)
    li a2, 0xf0e1d2c3b4a59687
    \insn a2, \offset(a1)
    ld a0, 0(a1)
    CHECK a0, \low
    ld a0, 8(a1)
    CHECK a0, \high
.endm

.equ VA_SPLIT, 0x40000000       # two pages: 0x4000_0000 -> frame_hi, 0x4000_1000 -> frame_lo
.equ VA_HOLE, 0x40002000        # followed by an unmapped page

    .data
    .balign 16
# Byte k holds 0x80 + k.
pattern:
    .dword 0x8786858483828180, 0x8f8e8d8c8b8a8988
scratch:
    .dword 0, 0

    .text
main:
    # ---- loads: bytes 0x80.. are little endian, so offset k starts with 0x80 + k ----
    LOAD 1, lh, 1, 0xffffffffffff8281
    LOAD 2, lhu, 1, 0x8281
    LOAD 3, lh, 3, 0xffffffffffff8483
    LOAD 4, lw, 1, 0xffffffff84838281
    LOAD 5, lw, 2, 0xffffffff85848382
    LOAD 6, lw, 3, 0xffffffff86858483
    LOAD 7, lwu, 3, 0x86858483
    LOAD 8, lwu, 7, 0x8a898887
    LOAD 9, ld, 1, 0x8887868584838281
    LOAD 10, ld, 2, 0x8988878685848382
    LOAD 11, ld, 3, 0x8a89888786858483
    LOAD 12, ld, 4, 0x8b8a898887868584
    LOAD 13, ld, 5, 0x8c8b8a8988878685
    LOAD 14, ld, 6, 0x8d8c8b8a89888786
    LOAD 15, ld, 7, 0x8e8d8c8b8a898887

    # ---- stores: only the addressed bytes change ----
    STORE 20, sh, 1, 0x1111111111968711, 0x1111111111111111
    STORE 21, sh, 7, 0x8711111111111111, 0x1111111111111196
    STORE 22, sw, 1, 0x111111b4a5968711, 0x1111111111111111
    STORE 23, sw, 3, 0x11b4a59687111111, 0x1111111111111111
    STORE 24, sw, 6, 0x9687111111111111, 0x111111111111b4a5
    STORE 25, sd, 1, 0xe1d2c3b4a5968711, 0x11111111111111f0
    STORE 26, sd, 3, 0xc3b4a59687111111, 0x1111111111f0e1d2
    STORE 27, sd, 7, 0x8711111111111111, 0x11f0e1d2c3b4a596

    # ---- floating point ----
    CASE 30, "flw at offset 1"
    la a1, pattern
    flw fa0, 1(a1)
    fmv.x.d a0, fa0
    CHECK a0, 0xffffffff84838281

    CASE 31, "fld at offset 3"
    la a1, pattern
    fld fa0, 3(a1)
    fmv.x.d a0, fa0
    CHECK a0, 0x8a89888786858483

    CASE 32, "fsw at offset 2 and fsd at offset 5"
    la a1, scratch
    sd zero, 0(a1)
    sd zero, 8(a1)
    li t0, 0x44332211
    fmv.w.x fa0, t0
    fsw fa0, 2(a1)
    ld a0, 0(a1)
    CHECK a0, 0x0000443322110000
    li t0, 0x0807060504030201
    fmv.d.x fa0, t0
    fsd fa0, 5(a1)
    ld a0, 0(a1)
    CHECK a0, 0x0302013322110000
    ld a0, 8(a1)
    CHECK a0, 0x0000000807060504

    # ---- across a page boundary, physical addresses ----
    CASE 40, "ld across a page boundary in M-mode"
    la a1, frame_lo
    li t0, 0x0706050403020100
    sd t0, 0(a1)
    la a1, frame_lo - 8
    li t0, 0x0f0e0d0c0b0a0908
    sd t0, 0(a1)
    la a1, frame_lo - 3
    ld a0, 0(a1)
    CHECK a0, 0x04030201000f0e0d

    CASE 41, "sw across a page boundary in M-mode"
    la a1, frame_lo - 2
    li t0, 0xaabbccdd
    sw t0, 0(a1)
    la a1, frame_lo
    ld a0, 0(a1)
    CHECK a0, 0x070605040302aabb
    la a1, frame_lo - 8
    ld a0, 0(a1)
    CHECK a0, 0xccdd0d0c0b0a0908

    # ---- across a page boundary, virtual addresses ----
    # Sv39: VA 0x4000_0000 -> frame_hi and VA 0x4000_1000 -> frame_lo, so the two halves of an
    # access across 0x4000_1000 come from frames in the opposite order.
    PMP_ALLOW_ALL
    jal build_tables
    CASE 50, "S-mode ld across a virtual page boundary reads both frames"
    la a1, frame_hi + 4092
    li t0, 0xddccbbaa
    sw t0, 0(a1)
    la a1, frame_lo
    li t0, 0x44332211
    sw t0, 0(a1)
    li a1, VA_SPLIT + 4092
    EXPECT_TRAP 1f
    ENTER_S
    ld a0, 0(a1)
    lw a2, 2(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    CHECK a0, 0x44332211ddccbbaa
    CHECK a2, 0x2211ddcc

    CASE 51, "S-mode sd across a virtual page boundary writes both frames"
    li a1, VA_SPLIT + 4093
    li a2, 0x0102030405060708
    EXPECT_TRAP 1f
    ENTER_S
    sd a2, 0(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    la t0, frame_hi + 4092
    lwu a0, 0(t0)
    CHECK a0, 0x060708aa
    la t0, frame_lo
    lwu a0, 0(t0)
    CHECK a0, 0x02030405
    lbu a0, 4(t0)
    CHECK a0, 0x01

    # The second half lies on an unmapped page: a page fault, whose stval is the address of the
    # access or of its faulting part (the start of the unmapped page).
    CASE 52, "a load running into an unmapped page is a load page fault"
    li a1, VA_HOLE - 4
    EXPECT_TRAP 1f
    ENTER_S
    ld a0, 0(a1)
1:  ENTER_M
    CHECK_CAUSE CAUSE_LOAD_PAGE_FAULT
    LOAD_TRAP a0, TI_TVAL
    li t0, VA_HOLE - 4
    beq a0, t0, 2f
    CHECK a0, VA_HOLE
2:

    CASE 53, "a store running into an unmapped page is a store page fault"
    li a1, VA_HOLE - 2
    EXPECT_TRAP 1f
    ENTER_S
    sw a1, 0(a1)
1:  ENTER_M
    CHECK_CAUSE CAUSE_STORE_PAGE_FAULT
    LOAD_TRAP a0, TI_TVAL
    li t0, VA_HOLE - 2
    beq a0, t0, 2f
    CHECK a0, VA_HOLE
2:
    csrw satp, zero
    sfence.vma

    PASS

# Sv39 tables: the root maps VA 0x8000_0000 (the program) with a 1 GiB identity page and points
# VA 0x4000_0000 to a level-1 table, whose entry 0 points to a level-0 table with two pages.
build_tables:
    la t0, root
    li t1, (0x80000000 >> 12 << 10) | 0xcf
    sd t1, 16(t0)
    la t1, level1
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sd t1, 8(t0)
    la t0, level1
    la t1, level0
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sd t1, 0(t0)
    la t0, level0
    la t1, frame_hi
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 0xc7
    sd t1, 0(t0)
    la t1, frame_lo
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 0xc7
    sd t1, 8(t0)
    la t0, root
    srli t0, t0, 12
    li t1, 8 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    ret

    .section .bss.misaligned, "aw", @nobits
    .balign 4096
root:     .skip 4096
level1:   .skip 4096
level0:   .skip 4096
frame_lo: .skip 4096
frame_hi: .skip 4096
