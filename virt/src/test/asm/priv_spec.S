# Rules of the privileged spec (1.12) and Zicsr that QEMU 7.2 does not follow. Everything else
# about CSRs and traps is in zicsr.S and traps.S, which also run on QEMU.
#
# - A CSRRS/CSRRC whose rs1 is not x0 attempts a write even when the register holds 0, so on a
#   read-only CSR it is an illegal instruction (Zicsr). QEMU decides by the register's value.
# - mepc[0] and sepc[0] are always zero when IALIGN = 16 (C extension). QEMU keeps bit 0.
# - mstatus.MPP is WARL and cannot hold 2 (no H-mode). QEMU stores 2.
# - mcounteren and scounteren are 32-bit registers. QEMU keeps 64 bits.
# - pmpcfg0..pmpcfg14 (even) and pmpaddr0..pmpaddr63 all exist on RV64; the registers of PMP
#   entries that are not implemented (16 to 63 here) are read-only zero. QEMU 7.2 knows only
#   pmpcfg0..3 and pmpaddr0..15 and raises illegal-instruction exceptions for the others.
# - An MRET or SRET that leaves M-mode clears mstatus.MPRV (1.12). QEMU 7.2 keeps it.
# - With no PMP entry programmed, S- and U-mode may access nothing: MRET to S-mode works and the
#   first fetch there is an instruction access fault. QEMU 7.2 allows everything when no entry
#   is programmed, and makes an MRET to S- or U-mode an illegal instruction instead.
# - pmpaddr holds bits 55:2 of an address on RV64 (bits 63:54 are zero), and bits 6:5 of each
#   pmpcfg byte are zero. QEMU 7.2 stores them.
#
# @qemu-skip QEMU 7.2 departs from the spec in each of these rules (see the list at the top of the file).
    .include "test.inc"

    .text
main:
    # No PMP entry is programmed yet. A custom handler records the trap and returns to M-mode.
    CASE 30, "no PMP entry: mret to S-mode works, the fetch fails"
    la t0, to_m_handler
    csrw mtvec, t0
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S
    csrs mstatus, t0
    la t0, 2f
    csrw mepc, t0
    mret
2:  FAIL
no_pmp_resume:
    RESTORE_TRAP_VECTORS
    CHECK_MEM seen_cause, CAUSE_FETCH_ACCESS
    la t0, seen_cause
    ld a0, 8(t0)
    CHECK_ADDR a0, 2b
    ld a0, 16(t0)
    CHECK a0, 1

    CASE 1, "csrrs mhartid with rs1 != x0 holding 0 is illegal"
    li a1, 0
    EXPECT_TRAP 1f
    .option push
    .option norvc
2:  csrrs a0, mhartid, a1
    .option pop
1:  CHECK_CAUSE CAUSE_ILLEGAL
    # csrrs a0, mhartid, a1 = 0xf145a573
    CHECK_TVAL 0xf145a573
    CHECK_EPC 2b

    CASE 2, "csrrc cycle with rs1 != x0 holding 0 is illegal"
    li a2, 0
    EXPECT_TRAP 1f
    csrrc a0, cycle, a2
1:  CHECK_CAUSE CAUSE_ILLEGAL

    # IALIGN = 16: bit 0 of an exception program counter is always zero.
    CASE 3, "mepc[0] reads as zero"
    li a1, 0x80000001
    csrw mepc, a1
    csrr a0, mepc
    CHECK a0, 0x80000000

    CASE 4, "sepc[0] reads as zero"
    li a1, 0x80000003
    csrw sepc, a1
    csrr a0, sepc
    CHECK a0, 0x80000002

    # MPP = 2 is reserved without H-mode: a write of 2 leaves a legal value (jvirt: the old one).
    CASE 5, "mstatus.MPP never holds 2"
    li a1, MSTATUS_MPP
    csrc mstatus, a1
    li a1, 2 << 11
    csrs mstatus, a1
    csrr a0, mstatus
    li a1, MSTATUS_MPP
    and a0, a0, a1
    li a1, 2 << 11
    bne a0, a1, 1f
    FAIL
1:

    CASE 6, "mcounteren and scounteren are 32 bits wide"
    li a1, -1
    csrw mcounteren, a1
    csrr a0, mcounteren
    CHECK a0, 0xffffffff
    csrw scounteren, a1
    csrr a0, scounteren
    CHECK a0, 0xffffffff
    csrw mcounteren, zero
    csrw scounteren, zero

    # Entries 16..63 are not implemented: their registers exist and are zero.
    CASE 7, "pmpcfg4 and pmpcfg14 read zero and ignore writes"
    li a1, -1
    csrw 0x3a4, a1
    csrr a0, 0x3a4
    CHECK a0, 0
    csrw 0x3ae, a1
    csrr a0, 0x3ae
    CHECK a0, 0

    CASE 8, "pmpaddr16 and pmpaddr63 read zero and ignore writes"
    li a1, -1
    csrw 0x3c0, a1
    csrr a0, 0x3c0
    CHECK a0, 0
    csrw 0x3ef, a1
    csrr a0, 0x3ef
    CHECK a0, 0

    # Writing the registers of missing entries leaves the implemented ones alone.
    CASE 9, "pmpcfg0 and pmpcfg2 are unaffected"
    csrr a0, pmpcfg0
    CHECK a0, 0
    csrr a0, pmpcfg2
    CHECK a0, 0

    # ---- MPRV is cleared when an xRET leaves M-mode ----
    PMP_ALLOW_ALL
    CASE 20, "mret to S-mode clears MPRV"
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    ENTER_S
    ENTER_M
    csrr a0, mstatus
    li t0, MSTATUS_MPRV
    and a0, a0, t0
    CHECK a0, 0

    CASE 21, "mret to U-mode clears MPRV"
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    ENTER_U
    ENTER_M
    csrr a0, mstatus
    li t0, MSTATUS_MPRV
    and a0, a0, t0
    CHECK a0, 0

    # sret returns to S- or U-mode, never M-mode: it always clears MPRV.
    CASE 22, "sret from M-mode to S-mode clears MPRV"
    li t0, MSTATUS_MPRV | MSTATUS_SPP
    csrs mstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
    FAIL
1:  ENTER_M
    csrr a0, mstatus
    li t0, MSTATUS_MPRV
    and a0, a0, t0
    CHECK a0, 0

    CASE 31, "pmpaddr bits 63:54 are zero"
    li t0, -1
    csrw pmpaddr5, t0
    csrr a0, pmpaddr5
    CHECK a0, 0x003fffffffffffff
    csrw pmpaddr5, zero

    CASE 32, "pmpcfg bits 6:5 are zero"
    li t0, 0x7f00
    csrw pmpcfg0, t0
    csrr a0, pmpcfg0
    CHECK a0, 0x1f00
    # Entry 0 (the PMP_ALLOW_ALL one) keeps its value when written again.
    li t0, 0x1f
    csrw pmpcfg0, t0

    PASS

# Records mcause, mtval and the previous privilege (MPP), then continues at no_pmp_resume in
# M-mode.
    .balign 4
to_m_handler:
    la t6, seen_cause
    csrr t5, mcause
    sd t5, 0(t6)
    csrr t5, mtval
    sd t5, 8(t6)
    csrr t5, mstatus
    srli t5, t5, 11
    andi t5, t5, 3
    sd t5, 16(t6)
    li t6, MSTATUS_MPP
    csrs mstatus, t6
    la t6, no_pmp_resume
    csrw mepc, t6
    mret

    .data
    .balign 8
seen_cause:
    .dword 0, 0, 0
