# RV64I loads and stores: every width, sign and zero extension, little-endian byte order,
# stores that change only their own bytes, offsets at the ends of the 12-bit range, loads into
# x0, device (MMIO) accesses, and code written as data then run after FENCE.I (Zifencei).
    .include "test.inc"

    .data
    .balign 8
# Eight bytes 0x80 0x81 ... 0x87 (little endian: byte k is at offset k).
pattern:
    .dword 0x8786858483828180
    .dword 0x0f0e0d0c0b0a0908
scratch:
    .skip 64
big:
    .skip 4096

    .text
main:
    la s0, pattern

    # ---- loads: extension ----
    CASE 1, "lb sign-extends 0x80"
    lb a0, 0(s0)
    CHECK a0, 0xffffffffffffff80
    CASE 2, "lbu zero-extends 0x80"
    lbu a0, 0(s0)
    CHECK a0, 0x80
    CASE 3, "lb of a positive byte"
    lb a0, 8(s0)
    CHECK a0, 0x08
    CASE 4, "lh sign-extends 0x8180"
    lh a0, 0(s0)
    CHECK a0, 0xffffffffffff8180
    CASE 5, "lhu zero-extends 0x8180"
    lhu a0, 0(s0)
    CHECK a0, 0x8180
    CASE 6, "lw sign-extends 0x83828180"
    lw a0, 0(s0)
    CHECK a0, 0xffffffff83828180
    CASE 7, "lwu zero-extends 0x83828180"
    lwu a0, 0(s0)
    CHECK a0, 0x83828180
    CASE 8, "lw of a positive word"
    lw a0, 8(s0)
    CHECK a0, 0x0b0a0908
    CASE 9, "ld reads 8 bytes little endian"
    ld a0, 0(s0)
    CHECK a0, 0x8786858483828180
    CASE 10, "lh, lw at other aligned offsets"
    lh a0, 6(s0)
    CHECK a0, 0xffffffffffff8786
    lw a0, 4(s0)
    CHECK a0, 0xffffffff87868584
    lhu a0, 10(s0)
    CHECK a0, 0x0b0a
    lwu a0, 12(s0)
    CHECK a0, 0x0f0e0d0c

    # ---- offsets ----
    CASE 11, "negative offset"
    addi a1, s0, 8
    lbu a0, -8(a1)
    CHECK a0, 0x80
    ld a0, -8(a1)
    CHECK a0, 0x8786858483828180

    # The immediate spans -2048..2047.
    CASE 12, "offsets 2047 and -2048"
    la a1, big
    li a2, 0x5a
    sb a2, 2047(a1)
    lbu a0, 2047(a1)
    CHECK a0, 0x5a
    addi a3, a1, 2047
    addi a3, a3, 2047
    li a2, 0xa5
    sb a2, -2048(a3)
    addi a4, a1, 2046
    lbu a0, 0(a4)
    CHECK a0, 0xa5

    # The address is rs1 + imm in 64-bit arithmetic: a negative rs1 and a positive offset.
    CASE 13, "address computed with wrap-around"
    li a1, -8
    add a1, a1, s0
    li a2, 16
    add a1, a1, a2
    ld a0, -8(a1)
    CHECK a0, 0x8786858483828180

    # ---- stores ----
    la s1, scratch
    CASE 20, "sd then ld"
    li a1, 0x0123456789abcdef
    sd a1, 0(s1)
    ld a0, 0(s1)
    CHECK a0, 0x0123456789abcdef

    CASE 21, "sb writes one byte only"
    li a1, -1
    sd a1, 0(s1)
    li a2, 0x1234
    sb a2, 3(s1)
    ld a0, 0(s1)
    CHECK a0, 0xffffffff34ffffff

    CASE 22, "sh writes two bytes only"
    sd zero, 0(s1)
    li a2, 0x12345678
    sh a2, 2(s1)
    ld a0, 0(s1)
    CHECK a0, 0x0000000056780000

    CASE 23, "sw writes four bytes only"
    li a1, -1
    sd a1, 0(s1)
    li a2, 0x1122334455667788
    sw a2, 4(s1)
    ld a0, 0(s1)
    CHECK a0, 0x55667788ffffffff

    CASE 24, "stores are little endian"
    li a2, 0x0102030405060708
    sd a2, 8(s1)
    lbu a0, 8(s1)
    CHECK a0, 0x08
    lbu a0, 15(s1)
    CHECK a0, 0x01
    lhu a0, 14(s1)
    CHECK a0, 0x0102

    CASE 25, "negative store offset"
    addi a1, s1, 32
    li a2, 0x77
    sb a2, -1(a1)
    lbu a0, 31(s1)
    CHECK a0, 0x77

    CASE 26, "store x0"
    li a1, -1
    sd a1, 16(s1)
    sw zero, 16(s1)
    ld a0, 16(s1)
    CHECK a0, 0xffffffff00000000
    sd zero, 16(s1)
    ld a0, 16(s1)
    CHECK a0, 0

    # A load into x0 still reads memory but leaves x0 zero.
    CASE 27, "load into x0"
    ld zero, 0(s0)
    lw zero, 0(s0)
    lbu zero, 0(s0)
    CHECK zero, 0

    # Load-use: the loaded value is the base of the next access.
    CASE 28, "pointer chasing"
    sd s1, 40(s1)
    ld a1, 40(s1)
    ld a1, 40(a1)
    CHECK_SAME a1, s1

    # rd = rs1 for a load: the address uses the old value.
    CASE 29, "load with rd = rs1"
    mv a1, s0
    ld a1, 0(a1)
    CHECK a1, 0x8786858483828180

    # A store of a register to the address it holds.
    CASE 30, "store with rs1 = rs2"
    sd s1, 0(s1)
    ld a0, 0(s1)
    CHECK_SAME a0, s1

    # ---- device accesses ----
    # The 16550 line status register has THRE (0x20) set while the transmitter is idle.
    CASE 40, "lbu from the UART line status register"
    li a1, UART0
    lbu a0, UART_LSR(a1)
    andi a0, a0, UART_LSR_THRE
    CHECK a0, UART_LSR_THRE

    # The CLINT's mtimecmp is a plain 64-bit register: write it, read it back whole and in halves.
    CASE 41, "sd/ld/lw on CLINT mtimecmp"
    li a1, CLINT_MTIMECMP
    li a2, 0x123456789abcdef0
    sd a2, 0(a1)
    ld a0, 0(a1)
    CHECK a0, 0x123456789abcdef0
    lwu a0, 0(a1)
    CHECK a0, 0x9abcdef0
    lwu a0, 4(a1)
    CHECK a0, 0x12345678
    li a2, -1
    sd a2, 0(a1)

    # 32-bit writes replace one half of mtimecmp (how RV32 software programs it).
    CASE 43, "sw to each half of CLINT mtimecmp"
    li a1, CLINT_MTIMECMP
    li a2, -1
    sd a2, 0(a1)
    li a2, 0x11223344
    sw a2, 0(a1)
    ld a0, 0(a1)
    CHECK a0, 0xffffffff11223344
    li a2, 0x55667788
    sw a2, 4(a1)
    ld a0, 0(a1)
    CHECK a0, 0x5566778811223344
    li a2, -1
    sd a2, 0(a1)

    # mtime counts up.
    CASE 42, "CLINT mtime advances"
    li a1, CLINT_MTIME
    ld a2, 0(a1)
1:  ld a0, 0(a1)
    beq a0, a2, 1b
    bltu a0, a2, 2f
    j 3f
2:  FAIL
3:

    # ---- code written as data (Zifencei) ----
    # The buffer holds "addi a0, zero, 1; ret" (0x00100513, 0x00008067), is run, then rewritten
    # to "addi a0, zero, 2" and run again: after fence.i the new instruction must execute.
    CASE 50, "fence.i makes stored instructions visible"
    la s2, code_buffer
    li a1, 0x00100513
    sw a1, 0(s2)
    li a1, 0x00008067
    sw a1, 4(s2)
    fence.i
    li a0, 0
    jalr ra, 0(s2)
    CHECK a0, 1
    li a1, 0x00200513
    sw a1, 0(s2)
    fence.i
    jalr ra, 0(s2)
    CHECK a0, 2

    # A routine that overwrites one of its own instructions, executes fence.i and then runs the
    # new instruction: "addi a0, a0, 0" becomes "addi a0, a0, 100" (0x06450513).
    CASE 51, "code that patches itself"
    li a1, 0x06450513
    li a0, 0
    jal ra, self_patch
    CHECK a0, 100
    # Run once more: the patched instruction stays patched.
    li a0, 1
    jal ra, self_patch
    CHECK a0, 101

    PASS

    # Code in .data: written as data, run as code.
    .data
    .balign 4
    .option push
    .option norvc
self_patch:
    la t0, 1f
    sw a1, 0(t0)
    fence.i
1:  addi a0, a0, 0
    ret
    .option pop

    .balign 4
code_buffer:
    .skip 64
