# Interrupts: the CLINT's software interrupt (msip) and timer (mtimecmp), the supervisor timer
# of Sstc (stimecmp, with menvcfg.STCE = 1 and mcounteren.TM), supervisor software interrupts
# set by software (mip.SSIP/sip.SSIP), delegation through mideleg, the global enables (xIE apply
# only in their own mode: a lower mode always takes higher-mode interrupts, a higher mode never
# takes lower-mode ones), priority between the levels (machine-level first) and between the two
# delegated ones (SSI > STI), vectored mtvec and stvec (interrupt cause n goes to base + 4n), and
# WFI, which ends when an interrupt is pending and enabled in mie even if mstatus.MIE = 0. The
# priority order among machine-level interrupts is in interrupt_priority.S.
#
# The handlers (irq.inc) log every interrupt (cause and xepc) in irq_log and clear its source.
    .include "test.inc"
    .include "irq.inc"

    .text
main:
    PMP_ALLOW_ALL
    # S-mode polls the time CSR.
    csrwi mcounteren, 2
    QUIET

    # ---- machine software interrupt (CLINT msip) ----
    CASE 1, "msip = 1 makes mip.MSIP pending; mstatus.MIE = 0 keeps it waiting"
    li t0, MIP_MSIP
    csrw mie, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    lw a0, 0(t0)
    CHECK a0, 1
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    CHECK a0, MIP_MSIP
    CHECK_LOG_COUNT 0

    # Setting MIE takes it at once: mepc is the instruction after the csrsi.
    CASE 2, "mstatus.MIE = 1 takes the software interrupt"
    csrsi mstatus, MSTATUS_MIE
2:  csrci mstatus, MSTATUS_MIE
    CHECK_LOG_COUNT 1
    CHECK_LOG 0, MSI
    CHECK_LOG_EPC 0, 2b
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    CHECK a0, 0

    # mie.MSIE = 0 masks it even with MIE = 1.
    CASE 3, "mie.MSIE = 0 masks the software interrupt"
    QUIET
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG_COUNT 0
    QUIET

    # ---- machine timer (CLINT mtimecmp) ----
    CASE 10, "mtimecmp <= mtime makes MTIP pending; mtimecmp = -1 clears it"
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    CHECK a0, MIP_MTIP
    li t1, -1
    sd t1, 0(t0)
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    CHECK a0, 0

    CASE 11, "the machine timer interrupt fires when mtime reaches mtimecmp"
    li t0, MIP_MTIP
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    addi t1, t1, 1000
    li t0, CLINT_MTIMECMP
    sd t1, 0(t0)
    WAIT_LOG 1
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG 0, MTI
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    CHECK a0, 0

    # A timer interrupt in the middle of a computation leaves its registers intact.
    CASE 12, "an interrupted loop computes the right sum"
    QUIET
    li t0, MIP_MTIP
    csrw mie, t0
    csrsi mstatus, MSTATUS_MIE
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    addi t1, t1, 200
    li t0, CLINT_MTIMECMP
    sd t1, 0(t0)
    li a0, 0
    li a1, 0
    li a2, 300000
1:  addi a1, a1, 1
    add a0, a0, a1
    bne a1, a2, 1b
    WAIT_LOG 1
    csrci mstatus, MSTATUS_MIE
    # 1 + 2 + ... + 300000
    CHECK a0, 45000150000
    CHECK_LOG 0, MTI

    # ---- WFI ----
    # With MIE = 0 the timer is not taken, but it ends the WFI.
    CASE 20, "wfi wakes on a pending timer with mstatus.MIE = 0"
    QUIET
    li t0, MIP_MTIP
    csrw mie, t0
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    li t2, 2000
    add t1, t1, t2
    li t0, CLINT_MTIMECMP
    sd t1, 0(t0)
    # A spurious wake-up is allowed: wait in a loop until MTIP shows.
1:  wfi
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    beqz a0, 1b
    CHECK_LOG_COUNT 0

    CASE 21, "wfi returns at once when an enabled interrupt is already pending"
    QUIET
    li t0, MIP_MSIP
    csrw mie, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    wfi
    CHECK_LOG_COUNT 0
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG_COUNT 1

    # With MIE = 1 the interrupt that ends the WFI is taken; mepc is the instruction after the
    # wfi (or, if the timer beat the wfi, an earlier one).
    CASE 22, "an interrupt taken during wfi returns after the wfi"
    QUIET
    li t0, MIP_MTIP
    csrw mie, t0
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    li t2, 10000
    add t1, t1, t2
    li t0, CLINT_MTIMECMP
    sd t1, 0(t0)
    csrsi mstatus, MSTATUS_MIE
1:  wfi
2:  la t0, irq_log
    ld t0, 0(t0)
    beqz t0, 1b
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG 0, MTI
    la t0, irq_log
    ld a0, 16(t0)
    la t1, 2b
    bgtu a0, t1, 3f
    j 4f
3:  FAIL
4:

    # ---- supervisor software interrupt ----
    CASE 30, "an undelegated SSIP is a machine-level interrupt"
    QUIET
    li t0, MIP_SSIP
    csrw mie, t0
    csrs mip, t0
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG_COUNT 1
    CHECK_LOG 0, SSI

    # A delegated SSIP is never taken in M-mode, even with SIE and MIE set.
    CASE 31, "a delegated SSIP waits in M-mode"
    QUIET
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    csrsi mstatus, MSTATUS_MIE | MSTATUS_SIE
    nop
    CHECK_LOG_COUNT 0

    # ... and taken as soon as the hart is in S-mode with SIE = 1 (SIE survives mret).
    CASE 32, "the delegated SSIP is taken on entering S-mode"
    ENTER_S
2:  ENTER_M
    CHECK_LOG_COUNT 1
    CHECK_LOG 0, SSI | S_MARK
    CHECK_LOG_EPC 0, 2b

    # In U-mode, S-level interrupts are always enabled: SIE = 0 does not matter.
    CASE 33, "a delegated SSIP is taken in U-mode with SIE = 0"
    QUIET
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    ENTER_U
2:  ENTER_M
    CHECK_LOG_COUNT 1
    CHECK_LOG 0, SSI | S_MARK
    CHECK_LOG_EPC 0, 2b

    # S-mode sets its own software interrupt through sip.
    CASE 34, "S-mode raises SSIP through sip and takes it"
    QUIET
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrsi mstatus, MSTATUS_SIE
    ENTER_S
    csrsi sip, MIP_SSIP
2:  ENTER_M
    CHECK_LOG_COUNT 1
    CHECK_LOG 0, SSI | S_MARK
    CHECK_LOG_EPC 0, 2b

    # With SIE = 0 in S-mode the delegated interrupt waits; sip shows it.
    CASE 35, "S-mode with SIE = 0 does not take SSIP"
    QUIET
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    ENTER_S
    csrr a0, sip
    csrr a1, sie
    ENTER_M
    CHECK_LOG_COUNT 0
    CHECK a0, MIP_SSIP
    CHECK a1, MIP_SSIP

    # ---- machine-level interrupts below M-mode ----
    # In S-mode (and U-mode) machine interrupts are enabled whatever mstatus.MIE says.
    CASE 40, "a pending MSI is taken on entering S-mode with MIE = 0"
    QUIET
    li t0, MIP_MSIP
    csrw mie, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    ENTER_S
2:  ENTER_M
    CHECK_LOG_COUNT 1
    CHECK_LOG 0, MSI
    CHECK_LOG_EPC 0, 2b

    CASE 41, "an undelegated SSIP is taken in S-mode by M-mode"
    QUIET
    li t0, MIP_SSIP
    csrw mie, t0
    csrs mip, t0
    ENTER_S
2:  ENTER_M
    CHECK_LOG_COUNT 1
    CHECK_LOG 0, SSI
    CHECK_LOG_EPC 0, 2b

    # ---- supervisor timer ----
    # Without Sstc, M-mode software drives STIP through mip.
    CASE 50, "STIP written by M-mode, delegated, taken in S-mode"
    QUIET
    li t0, MIP_STIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    csrsi mstatus, MSTATUS_SIE
    ENTER_S
2:  ENTER_M
    CHECK_LOG_COUNT 1
    CHECK_LOG 0, STI | S_MARK
    CHECK_LOG_EPC 0, 2b

    # Sstc: with menvcfg.STCE = 1, STIP is (time >= stimecmp) and software writes to it are ignored.
    CASE 51, "Sstc: STIP follows stimecmp"
    QUIET
    li t0, 1 << 63
    csrw menvcfg, t0
    csrw stimecmp, zero
    csrr a0, mip
    andi a0, a0, MIP_STIP
    CHECK a0, MIP_STIP
    li t1, -1
    csrw stimecmp, t1
    csrr a0, mip
    andi a0, a0, MIP_STIP
    CHECK a0, 0
    li t0, MIP_STIP
    csrs mip, t0
    csrr a0, mip
    andi a0, a0, MIP_STIP
    CHECK a0, 0

    # A STIP written by software while STCE was 0 does not survive into Sstc: with STCE = 1 the
    # bit is time >= stimecmp and nothing else.
    CASE 57, "Sstc: a software-written STIP is gone once STCE = 1"
    QUIET
    li t0, MIP_STIP
    csrs mip, t0
    li t0, 1 << 63
    csrw menvcfg, t0
    li t1, -1
    csrw stimecmp, t1
    csrr a0, mip
    andi a0, a0, MIP_STIP
    CHECK a0, 0
    QUIET

    CASE 52, "Sstc: S-mode programs stimecmp and takes the timer interrupt"
    QUIET
    li t0, 1 << 63
    csrw menvcfg, t0
    li t0, MIP_STIP
    csrw mideleg, t0
    csrw mie, t0
    csrsi mstatus, MSTATUS_SIE
    ENTER_S
    csrr t1, time
    addi t1, t1, 1000
    csrw stimecmp, t1
    WAIT_LOG 1
    ENTER_M
    CHECK_LOG 0, STI | S_MARK
    csrr a0, mip
    andi a0, a0, MIP_STIP
    CHECK a0, MIP_STIP
    li t1, -1
    csrw stimecmp, t1
    csrr a0, mip
    andi a0, a0, MIP_STIP
    CHECK a0, 0

    # WFI in S-mode with SIE = 0 ends when the supervisor timer fires; nothing is taken.
    CASE 53, "Sstc: wfi in S-mode wakes on the supervisor timer"
    QUIET
    li t0, 1 << 63
    csrw menvcfg, t0
    li t0, MIP_STIP
    csrw mideleg, t0
    csrw mie, t0
    ENTER_S
    csrr t1, time
    addi t1, t1, 1000
    csrw stimecmp, t1
1:  wfi
    csrr a0, sip
    andi a0, a0, MIP_STIP
    beqz a0, 1b
    li t1, -1
    csrw stimecmp, t1
    ENTER_M
    CHECK_LOG_COUNT 0

    # stimecmp is an S-mode CSR only when STCE = 1 and mcounteren.TM = 1.
    CASE 54, "stimecmp in S-mode needs mcounteren.TM"
    QUIET
    li t0, 1 << 63
    csrw menvcfg, t0
    csrw mcounteren, zero
    ENTER_S
    EXPECT_TRAP 1f
    csrr a0, stimecmp
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    csrwi mcounteren, 2

    CASE 55, "stimecmp in S-mode needs menvcfg.STCE"
    csrw menvcfg, zero
    ENTER_S
    EXPECT_TRAP 1f
    csrr a0, stimecmp
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL

    CASE 56, "stimecmp is not accessible from U-mode"
    li t0, 1 << 63
    csrw menvcfg, t0
    ENTER_U
    EXPECT_TRAP 1f
    csrr a0, stimecmp
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    csrw menvcfg, zero

    # ---- priority (the order among machine-level interrupts is in interrupt_priority.S) ----
    # Between two delegated interrupts taken in S-mode the same order holds: SSI before STI.
    CASE 61, "priority in S-mode: SSI > STI"
    QUIET
    li t0, MIP_SSIP | MIP_STIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    csrsi mstatus, MSTATUS_SIE
    ENTER_S
    nop
    ENTER_M
    CHECK_LOG_COUNT 2
    CHECK_LOG 0, SSI | S_MARK
    CHECK_LOG 1, STI | S_MARK

    # A machine-level interrupt preempts S-mode before a delegated one.
    CASE 62, "priority across levels: MSI before a delegated SSI"
    QUIET
    li t0, MIP_SSIP
    csrw mideleg, t0
    li t0, MIP_SSIP | MIP_MSIP
    csrw mie, t0
    li t0, MIP_SSIP
    csrs mip, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    csrsi mstatus, MSTATUS_SIE
    ENTER_S
    nop
    ENTER_M
    CHECK_LOG_COUNT 2
    CHECK_LOG 0, MSI
    CHECK_LOG 1, SSI | S_MARK

    # ---- vectored trap vectors ----
    CASE 70, "vectored mtvec: MSI goes to base + 4 * 3"
    QUIET
    la t0, m_vectors
    ori t0, t0, 1
    csrw mtvec, t0
    li t0, MIP_MSIP
    csrw mie, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG_COUNT 1
    CHECK_MEM vec_hit, IRQ_M_SOFT

    CASE 71, "vectored mtvec: MTI goes to base + 4 * 7"
    la t0, vec_hit
    sd zero, 0(t0)
    li t0, MIP_MTIP
    csrw mie, t0
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG_COUNT 2
    CHECK_MEM vec_hit, IRQ_M_TIMER

    # Exceptions still go to the base, which hands them to the default handler.
    CASE 72, "vectored mtvec: an exception goes to the base"
    EXPECT_TRAP 1f
    li a7, 0
    ecall
1:  CHECK_CAUSE CAUSE_ECALL_M

    CASE 73, "vectored stvec: a delegated SSI goes to base + 4 * 1"
    QUIET
    la t0, s_vectors
    ori t0, t0, 1
    csrw stvec, t0
    li t0, MIP_SSIP
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    csrsi mstatus, MSTATUS_SIE
    ENTER_S
    nop
    ENTER_M
    CHECK_LOG_COUNT 1
    CHECK_LOG 0, SSI | S_MARK
    CHECK_MEM vec_hit, IRQ_S_SOFT

    # ---- writing mtime ----
    # mtime jumps 100 s forward, onto mtimecmp: MTIP is pending at once. (Last: time has moved.)
    CASE 80, "writing mtime up to mtimecmp makes MTIP pending"
    QUIET
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    li t2, 1000000000
    add t1, t1, t2
    li t0, CLINT_MTIMECMP
    sd t1, 0(t0)
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    CHECK a0, 0
    li t0, CLINT_MTIME
    sd t1, 0(t0)
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    CHECK a0, MIP_MTIP
    ld a0, 0(t0)
    bgeu a0, t1, 1f
    FAIL
1:  csrr a0, time
    bgeu a0, t1, 2f
    FAIL
2:

    QUIET
    RESTORE_TRAP_VECTORS
    csrw mcounteren, zero
    PASS

