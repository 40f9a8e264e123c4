# The priority of simultaneous interrupts (privileged spec 3.1.9): MEI > MSI > MTI > SEI > SSI >
# STI. Several interrupts are made pending while mstatus.MIE = 0; setting MIE then takes them one
# after another, each handler run clearing the source it took (irq.inc logs the order).
#
# @qemu-skip QEMU 7.2 without AIA takes the lowest-numbered pending interrupt first (SSI, MSI, STI, MTI, SEI), not the spec's order.
    .include "test.inc"
    .include "irq.inc"

    .text
main:
    PMP_ALLOW_ALL
    QUIET

    # Five interrupts pending at once, none delegated: each handler run clears the one it took.
    # The order must be MSI, MTI, SEI, SSI, STI.
    CASE 60, "priority: MSI > MTI > SEI > SSI > STI"
    QUIET
    li t0, MIP_MSIP | MIP_MTIP | MIP_SEIP | MIP_SSIP | MIP_STIP
    csrw mie, t0
    li t0, MIP_SEIP | MIP_SSIP | MIP_STIP
    csrs mip, t0
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG_COUNT 5
    CHECK_LOG 0, MSI
    CHECK_LOG 1, MTI
    CHECK_LOG 2, SEI
    CHECK_LOG 3, SSI
    CHECK_LOG 4, STI

    CASE 61, "priority: MTI before SSI"
    QUIET
    li t0, MIP_MTIP | MIP_SSIP
    csrw mie, t0
    li t0, MIP_SSIP
    csrs mip, t0
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG_COUNT 2
    CHECK_LOG 0, MTI
    CHECK_LOG 1, SSI

    CASE 62, "priority: SEI before SSI and STI"
    QUIET
    li t0, MIP_SEIP | MIP_SSIP | MIP_STIP
    csrw mie, t0
    csrs mip, t0
    csrsi mstatus, MSTATUS_MIE
    nop
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG_COUNT 3
    CHECK_LOG 0, SEI
    CHECK_LOG 1, SSI
    CHECK_LOG 2, STI

    # The same order when the interrupts are taken in S-mode from M-level (not delegated).
    CASE 63, "priority in S-mode: MSI before SSI, both to M-mode"
    QUIET
    li t0, MIP_MSIP | MIP_SSIP
    csrw mie, t0
    li t0, MIP_SSIP
    csrs mip, t0
    li t0, CLINT_MSIP
    li t1, 1
    sw t1, 0(t0)
    ENTER_S
    nop
    ENTER_M
    CHECK_LOG_COUNT 2
    CHECK_LOG 0, MSI
    CHECK_LOG 1, SSI

    QUIET
    RESTORE_TRAP_VECTORS
    PASS
