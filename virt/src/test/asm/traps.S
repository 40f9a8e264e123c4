# Synchronous exceptions and the trap machinery: ECALL from each mode (causes 8, 9, 11),
# EBREAK (3), illegal instructions (2) with mtval = the instruction's bits, access faults on
# fetch, load and store (1, 5, 7), mepc/sepc pointing at the faulting instruction; MRET and SRET
# and the stacking of MPP/MPIE/MIE and SPP/SPIE/SIE on trap entry and return; delegation of
# exceptions to S-mode through medeleg (never from M-mode); vectored trap vectors (exceptions
# always go to the base); and the trap-virtualization bits TSR, TVM and TW.
    .include "test.inc"

# \insn (a reserved encoding) must raise an illegal-instruction exception with mtval = its bits.
.macro RESERVED n, desc, insn:vararg
    CASE \n, "\desc"
    EXPECT_TRAP .Lresume\@
.Linsn\@:
    \insn
.Lresume\@:
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL_INSN .Linsn\@
    CHECK_EPC .Linsn\@
.endm

    .text
main:
    PMP_ALLOW_ALL
    li a7, 0

    # ---- environment calls ----
    # mtval holds garbage first, so that the 0 written by the trap is seen.
    CASE 1, "ecall from M-mode: cause 11, mepc = the ecall, mtval = 0"
    li t0, 0x55
    csrw mtval, t0
    li a7, 0
    EXPECT_TRAP 1f
2:  ecall
1:  CHECK_CAUSE CAUSE_ECALL_M
    CHECK_EPC 2b
    CHECK_TVAL 0
    CHECK_TRAP_MODE 3

    CASE 2, "ecall from S-mode: cause 9"
    ENTER_S
    li a7, 0
    EXPECT_TRAP 1f
2:  ecall
1:  ENTER_M
    CHECK_CAUSE CAUSE_ECALL_S
    CHECK_EPC 2b
    CHECK_TVAL 0

    CASE 3, "ecall from U-mode: cause 8"
    ENTER_U
    li a7, 0
    EXPECT_TRAP 1f
2:  ecall
1:  ENTER_M
    CHECK_CAUSE CAUSE_ECALL_U
    CHECK_EPC 2b
    CHECK_TVAL 0

    # ---- breakpoints ----
    # mtval is either 0 or the address of the ebreak: both are allowed.
    CASE 4, "ebreak: cause 3, mepc = the ebreak"
    EXPECT_TRAP 1f
    .option push
    .option norvc
2:  ebreak
    .option pop
1:  CHECK_CAUSE CAUSE_BREAKPOINT
    CHECK_EPC 2b
    LOAD_TRAP a0, TI_TVAL
    beqz a0, 3f
    CHECK_ADDR a0, 2b
3:

    CASE 5, "ebreak from U-mode goes to M-mode"
    ENTER_U
    EXPECT_TRAP 1f
2:  ebreak
1:  ENTER_M
    CHECK_CAUSE CAUSE_BREAKPOINT
    CHECK_EPC 2b
    CHECK_TRAP_MODE 3

    # ---- illegal instructions: mtval holds the instruction ----
    # 0x0000100b: the custom-0 major opcode, which no extension here defines.
    CASE 10, "custom-0 opcode is illegal, mtval = its bits"
    EXPECT_TRAP 1f
2:  .word 0x0000100b
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x0000100b
    CHECK_EPC 2b

    # 0xfe000033: the OP major opcode with funct7 = 0x7f, which is no instruction.
    CASE 11, "OP with an undefined funct7 is illegal"
    EXPECT_TRAP 1f
2:  .word 0xfe000033
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0xfe000033
    CHECK_EPC 2b

    # A load with funct3 = 7 does not exist on RV64: 0x0000f003.
    CASE 12, "load funct3 = 7 is illegal"
    EXPECT_TRAP 1f
    .word 0x0000f003
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x0000f003

    # mret is an M-mode instruction: 0x30200073.
    CASE 13, "mret in S-mode is illegal"
    ENTER_S
    EXPECT_TRAP 1f
    mret
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x30200073

    CASE 14, "mret in U-mode is illegal"
    ENTER_U
    EXPECT_TRAP 1f
    mret
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL

    # sret: 0x10200073.
    CASE 15, "sret in U-mode is illegal"
    ENTER_U
    EXPECT_TRAP 1f
    sret
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x10200073

    # With S-mode present, wfi in U-mode traps (the spec allows no wait there).
    CASE 16, "wfi in U-mode is illegal"
    ENTER_U
    EXPECT_TRAP 1f
    wfi
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x10500073

    CASE 17, "sfence.vma in U-mode is illegal"
    ENTER_U
    EXPECT_TRAP 1f
    sfence.vma
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x12000073

    # ---- reserved encodings of defined opcodes ----
    la a1, trap_info
    RESERVED 90, "jalr with funct3 = 1", .insn i 0x67, 1, zero, 0(a1)
    RESERVED 91, "a branch with funct3 = 2", .insn b 0x63, 2, a0, a1, .
    RESERVED 92, "a store with funct3 = 4", .insn s 0x23, 4, a0, 0(a1)
    # slliw with shamt bit 5 set (funct7 = 1): RV64 word shifts take 5-bit amounts.
    RESERVED 93, "slliw with shamt[5] = 1", .insn r 0x1b, 1, 1, a0, a0, x1
    RESERVED 94, "srai with funct6 = 0x11", .insn i 0x13, 5, a0, a0, 0x441
    RESERVED 95, "OP-32 funct7 = 1 with funct3 = 1", .insn r 0x3b, 1, 1, a0, a1, a2
    RESERVED 96, "an AMO with funct5 = 6", .insn r 0x2f, 3, 6 << 2, a0, a1, a2
    RESERVED 97, "lr.d with rs2 != 0", .insn r 0x2f, 3, 2 << 2, a0, a1, x1
    RESERVED 98, "a CSR instruction with funct3 = 4", .insn i 0x73, 4, a0, a1, 0x340
    RESERVED 99, "ecall with rd != 0", .insn i 0x73, 0, x2, x0, 0
    RESERVED 100, "fsqrt.s with rs2 = 1", .insn r 0x53, 0, 0x2c, fa0, fa1, x1
    RESERVED 101, "fcvt.w.s with rs2 = 4", .insn r 0x53, 1, 0x60, a0, fa1, x4
    RESERVED 102, "fmadd with fmt = 2 (half precision)", .insn r4 0x43, 0, 2, fa0, fa1, fa2, fa3
    RESERVED 103, "flh (LOAD-FP with funct3 = 1)", .insn i 0x07, 1, fa0, 0(a1)
    RESERVED 104, "fmin.d with funct3 = 2", .insn r 0x53, 2, 0x15, fa0, fa1, fa2
    RESERVED 105, "fmv.x.d with rs2 = 1", .insn r 0x53, 0, 0x71, a0, fa1, x1

    # ---- access faults: mtval holds the address ----
    CASE 20, "load from a hole in the address space: load access fault"
    li a1, 0x90000000
    EXPECT_TRAP 1f
2:  ld a0, 8(a1)
1:  CHECK_CAUSE CAUSE_LOAD_ACCESS
    CHECK_TVAL 0x90000008
    CHECK_EPC 2b

    CASE 21, "store to a hole: store/AMO access fault"
    li a1, 0x90000000
    EXPECT_TRAP 1f
2:  sw a0, 4(a1)
1:  CHECK_CAUSE CAUSE_STORE_ACCESS
    CHECK_TVAL 0x90000004
    CHECK_EPC 2b

    # The jump itself succeeds; fetching at the target faults, with mepc = mtval = the target.
    CASE 22, "fetch from a hole: instruction access fault"
    li a1, 0x90000000
    EXPECT_TRAP 1f
    jalr ra, 0x10(a1)
1:  CHECK_CAUSE CAUSE_FETCH_ACCESS
    CHECK_TVAL 0x90000010
    LOAD_TRAP a0, TI_EPC
    CHECK a0, 0x90000010

    # A trap in the middle of straight-line code: what came before is done, nothing after.
    CASE 23, "a faulting instruction stops the instructions after it"
    li a2, 0
    li a3, 0
    li a4, 0
    li a1, 0x90000000
    EXPECT_TRAP 1f
    li a2, 1
    addi a3, a2, 1
    ld a0, 0(a1)
    li a4, 1
    li a3, 7
1:  CHECK_CAUSE CAUSE_LOAD_ACCESS
    CHECK a2, 1
    CHECK a3, 2
    CHECK a4, 0

    # The destination of a faulting load keeps its value.
    CASE 24, "a faulting load leaves rd alone"
    li a0, 1234
    li a1, 0x90000000
    EXPECT_TRAP 1f
    lw a0, 0(a1)
1:  CHECK_CAUSE CAUSE_LOAD_ACCESS
    CHECK a0, 1234

    # ---- MRET ----
    # mret: MIE = MPIE, MPIE = 1, MPP = U (the least-privileged mode), pc = mepc.
    CASE 30, "mret to M-mode with MPIE = 1"
    li t0, MSTATUS_MIE
    csrc mstatus, t0
    li t0, MSTATUS_MPIE | MSTATUS_MPP
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
    FAIL
1:  csrr a0, mstatus
    li t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and a0, a0, t0
    CHECK a0, MSTATUS_MIE | MSTATUS_MPIE
    csrci mstatus, MSTATUS_MIE

    CASE 31, "mret to M-mode with MPIE = 0"
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    csrsi mstatus, MSTATUS_MIE
    la t0, 1f
    csrw mepc, t0
    mret
    FAIL
1:  csrr a0, mstatus
    li t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and a0, a0, t0
    CHECK a0, MSTATUS_MPIE

    # Returning to M-mode keeps MPRV (leaving M-mode clears it: see priv_spec.S).
    CASE 33, "mret to M-mode keeps MPRV"
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    ENTER_MODE 3
    csrr a0, mstatus
    li t0, MSTATUS_MPRV
    and a0, a0, t0
    CHECK a0, MSTATUS_MPRV
    li t0, MSTATUS_MPRV
    csrc mstatus, t0

    # ---- SRET ----
    # sret from M-mode: to SPP's mode with SIE = SPIE, SPIE = 1, SPP = U.
    CASE 34, "sret from M-mode enters S-mode and restacks SIE"
    li t0, MSTATUS_SPP | MSTATUS_SPIE
    csrs mstatus, t0
    csrci mstatus, MSTATUS_SIE
    la t0, 1f
    csrw sepc, t0
    sret
    FAIL
1:  csrr a0, sstatus
    ENTER_M
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    and a0, a0, t0
    CHECK a0, MSTATUS_SIE | MSTATUS_SPIE
    csrci mstatus, MSTATUS_SIE

    # In S-mode with TSR = 0, sret to U-mode (SPP = 0) works.
    CASE 35, "sret in S-mode returns to U-mode"
    ENTER_S
    li t0, MSTATUS_SPP
    csrc sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
    FAIL
    # Now in U-mode: reading sstatus must trap.
1:  EXPECT_TRAP 2f
    csrr a0, sstatus
2:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    LOAD_TRAP a0, TI_STATUS
    li t0, MSTATUS_MPP
    and a0, a0, t0
    CHECK a0, 0

    # ---- trap entry stacking ----
    # From S-mode with MIE = 1: MPIE = 1, MIE = 0, MPP = S (1).
    CASE 40, "trap from S-mode to M-mode: MPP = S, MPIE = old MIE, MIE = 0"
    li t0, MSTATUS_MPIE
    csrs mstatus, t0
    ENTER_S
    li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  ENTER_M
    CHECK_CAUSE CAUSE_ECALL_S
    LOAD_TRAP a0, TI_STATUS
    li t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and a0, a0, t0
    CHECK a0, MSTATUS_MPIE | MSTATUS_MPP_S

    # From U-mode with MIE = 0: MPIE = 0, MPP = U (0).
    CASE 41, "trap from U-mode to M-mode: MPP = U, MPIE = old MIE"
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    ENTER_U
    li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  ENTER_M
    LOAD_TRAP a0, TI_STATUS
    li t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and a0, a0, t0
    CHECK a0, 0

    # From M-mode with MIE = 1 (no interrupt enabled in mie): MPP = M, MPIE = 1, MIE = 0; the
    # handler's mret sets MIE back to 1.
    CASE 42, "trap from M-mode with MIE = 1, and back"
    csrw mie, zero
    csrsi mstatus, MSTATUS_MIE
    li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  LOAD_TRAP a0, TI_STATUS
    li t0, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and a0, a0, t0
    CHECK a0, MSTATUS_MPIE | MSTATUS_MPP
    csrr a0, mstatus
    andi a0, a0, MSTATUS_MIE
    CHECK a0, MSTATUS_MIE
    csrci mstatus, MSTATUS_MIE

    # ---- delegation to S-mode ----
    li t0, (1 << CAUSE_ILLEGAL) | (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ECALL_U) | (1 << CAUSE_LOAD_ACCESS)
    csrw medeleg, t0

    CASE 50, "delegated illegal instruction from U-mode goes to S-mode"
    csrsi mstatus, MSTATUS_SIE
    ENTER_U
    EXPECT_TRAP 1f
2:  .word 0x0000100b
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TRAP_MODE 1
    CHECK_TVAL 0x0000100b
    CHECK_EPC 2b
    # sstatus at the handler: SPP = U, SPIE = old SIE (1), SIE = 0.
    LOAD_TRAP a0, TI_STATUS
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    and a0, a0, t0
    CHECK a0, MSTATUS_SPIE

    CASE 51, "delegated illegal instruction from S-mode: SPP = S"
    csrci mstatus, MSTATUS_SIE
    ENTER_S
    EXPECT_TRAP 1f
    .word 0xfe000033
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TRAP_MODE 1
    LOAD_TRAP a0, TI_STATUS
    li t0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    and a0, a0, t0
    CHECK a0, MSTATUS_SPP

    CASE 52, "delegated ecall from U-mode: scause 8 in S-mode"
    ENTER_U
    li a7, 0
    EXPECT_TRAP 1f
2:  ecall
1:  ENTER_M
    CHECK_CAUSE CAUSE_ECALL_U
    CHECK_TRAP_MODE 1
    CHECK_EPC 2b

    CASE 53, "delegated breakpoint from S-mode"
    ENTER_S
    EXPECT_TRAP 1f
    ebreak
1:  ENTER_M
    CHECK_CAUSE CAUSE_BREAKPOINT
    CHECK_TRAP_MODE 1

    CASE 54, "delegated load access fault: stval = the address"
    li a1, 0x90000000
    ENTER_U
    EXPECT_TRAP 1f
    lbu a0, 3(a1)
1:  ENTER_M
    CHECK_CAUSE CAUSE_LOAD_ACCESS
    CHECK_TRAP_MODE 1
    CHECK_TVAL 0x90000003

    # A delegated exception raised in M-mode is still taken in M-mode.
    CASE 55, "delegation never applies to M-mode traps"
    EXPECT_TRAP 1f
    .word 0x0000100b
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TRAP_MODE 3

    # An exception that is not delegated goes to M-mode even from U-mode.
    CASE 56, "an undelegated exception from U-mode goes to M-mode"
    ENTER_U
    EXPECT_TRAP 1f
    sw a0, 0(a1)
1:  ENTER_M
    CHECK_CAUSE CAUSE_STORE_ACCESS
    CHECK_TRAP_MODE 3

    csrw medeleg, zero

    # ---- vectored trap vectors: exceptions go to the base address ----
    CASE 60, "vectored mtvec: an exception goes to the base"
    la t0, m_trap
    ori t0, t0, 1
    csrw mtvec, t0
    li a7, 0
    EXPECT_TRAP 1f
    ecall
1:  CHECK_CAUSE CAUSE_ECALL_M
    RESTORE_TRAP_VECTORS

    CASE 61, "vectored stvec: a delegated exception goes to the base"
    li t0, 1 << CAUSE_ILLEGAL
    csrw medeleg, t0
    la t0, s_trap
    ori t0, t0, 1
    csrw stvec, t0
    ENTER_U
    EXPECT_TRAP 1f
    .word 0x0000100b
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TRAP_MODE 1
    csrw medeleg, zero
    RESTORE_TRAP_VECTORS

    # ---- TSR, TVM, TW ----
    CASE 70, "TSR = 1: sret in S-mode is illegal"
    li t0, MSTATUS_TSR
    csrs mstatus, t0
    ENTER_S
    EXPECT_TRAP 1f
    sret
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x10200073
    li t0, MSTATUS_TSR
    csrc mstatus, t0

    # TSR does not affect M-mode: sret there still works (SPP = S, sepc = the label).
    CASE 71, "TSR = 1: sret in M-mode still works"
    li t0, MSTATUS_TSR | MSTATUS_SPP
    csrs mstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
    FAIL
1:  ENTER_M
    li t0, MSTATUS_TSR
    csrc mstatus, t0

    CASE 72, "TVM = 1: satp access in S-mode is illegal"
    li t0, MSTATUS_TVM
    csrs mstatus, t0
    ENTER_S
    EXPECT_TRAP 1f
    csrr a0, satp
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    # csrrs a0, satp, zero = 0x18002573
    CHECK_TVAL 0x18002573

    CASE 73, "TVM = 1: sfence.vma in S-mode is illegal"
    ENTER_S
    EXPECT_TRAP 1f
    sfence.vma
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x12000073
    li t0, MSTATUS_TVM
    csrc mstatus, t0

    CASE 74, "TVM = 0: satp and sfence.vma in S-mode work"
    ENTER_S
    EXPECT_TRAP 1f
    csrr a0, satp
    sfence.vma
1:  ENTER_M
    CHECK_NO_TRAP
    CHECK a0, 0

    CASE 75, "TW = 1: wfi in S-mode is illegal"
    li t0, MSTATUS_TW
    csrs mstatus, t0
    ENTER_S
    EXPECT_TRAP 1f
    wfi
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL 0x10500073
    li t0, MSTATUS_TW
    csrc mstatus, t0

    # TW = 0: wfi in S-mode may wait; a pending interrupt enabled in mie (SSIP, delegated, with
    # sstatus.SIE = 0 so that it is not taken) ends the wait at once.
    CASE 76, "TW = 0: wfi in S-mode returns when an interrupt is pending"
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    csrci mstatus, MSTATUS_SIE
    ENTER_S
    EXPECT_TRAP 1f
    wfi
1:  ENTER_M
    CHECK_NO_TRAP
    csrw mie, zero
    csrw mip, zero
    csrw mideleg, zero

    # ---- xepc ----
    # mret jumps to whatever mepc holds.
    CASE 80, "mret jumps to mepc"
    la t0, 1f
    csrw mepc, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    li a0, 0
    mret
    li a0, 1
1:  CHECK a0, 0

    PASS
