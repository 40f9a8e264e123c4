# satp on a hart whose widest paging mode is Sv48: satp is WARL, and a write that names a mode
# the hart does not support (Sv57, or a reserved one) has no effect at all; Sv39, Sv48 and Bare
# are accepted. A supported write is then used for a translation, to show that it took effect.
#
# @satp sv48
# @qemu-skip QEMU 7.2 cannot limit its hart to Sv48 (the sv39/sv48/sv57 CPU properties arrived in QEMU 8.0): it accepts the Sv57 write.
    .include "test.inc"

.equ SATP_SV39, 8 << 60
.equ SATP_SV48, 9 << 60
.equ SATP_SV57, 10 << 60

    .text
main:
    PMP_ALLOW_ALL
    # A one-entry Sv39 root: VA 0x8000_0000 (VPN[2] = 2) is a 1 GiB identity page, RWX, A, D.
    la t0, root
    li t1, (0x80000000 >> 12 << 10) | 0xcf
    sd t1, 16(t0)
    srli s0, t0, 12

    CASE 1, "satp accepts Sv39"
    li t0, SATP_SV39
    or t0, t0, s0
    csrw satp, t0
    csrr a0, satp
    CHECK_SAME a0, t0
    sfence.vma

    CASE 2, "S-mode runs through the Sv39 table"
    la a1, value
    li t0, 0x39
    sd t0, 0(a1)
    ENTER_S
    ld a0, 0(a1)
    ENTER_M
    CHECK a0, 0x39

    # Sv48 is supported: a root whose entry 0 points to the Sv39 root maps the same addresses.
    CASE 3, "satp accepts Sv48"
    la t0, root48
    la t1, root
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sd t1, 0(t0)
    srli t0, t0, 12
    li t1, SATP_SV48
    or t0, t0, t1
    csrw satp, t0
    csrr a0, satp
    CHECK_SAME a0, t0
    sfence.vma
    csrr a1, satp

    CASE 4, "a write of Sv57 leaves satp unchanged"
    li t0, SATP_SV57
    or t0, t0, s0
    csrw satp, t0
    csrr a0, satp
    CHECK_SAME a0, a1

    # Had the Sv57 write taken, the walk would read the Sv39 root as a level-4 table and fault.
    CASE 5, "translation still uses the Sv48 tables"
    la a1, value
    ENTER_S
    ld a0, 0(a1)
    ENTER_M
    CHECK a0, 0x39

    CASE 6, "satp accepts Bare"
    csrw satp, zero
    csrr a0, satp
    CHECK a0, 0

    PASS

    .section .bss.root, "aw", @nobits
    .balign 4096
root:
    .skip 4096
root48:
    .skip 4096
value:
    .skip 8
