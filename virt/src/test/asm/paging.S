# Virtual memory: the same checks in Sv39, Sv48 and Sv57 (satp modes 8, 9, 10). 4 KiB pages and
# superpages (2 MiB, 1 GiB, and 512 GiB and 256 TiB where the mode has them); the R, W, X
# permission faults with their causes (12 fetch, 13 load, 15 store/AMO) and stval = the virtual
# address; reserved encodings (W without R, V = 0, reserved PTE bits); misaligned superpages and
# non-canonical addresses, both page faults; the U bit for U-mode and for S-mode (SUM), MXR;
# hardware setting of the A and D bits, seen by reading the PTE back; SFENCE.VMA after changing a
# PTE; MPRV; page faults delegated to S-mode; and satp writes of unsupported modes (ignored).
#
# One set of page tables serves the three modes: for Sv48 and Sv57 the extra upper levels point
# (entry 0) to the Sv39 root, so every address below 2^38 translates the same way.
#
#   0x0000_4000_0000  4 KiB test pages (pt_l1[0] -> pt_l0), see the PTE list in build_tables
#   0x0000_4020_0000  2 MiB page -> PA 0x8020_0000
#   0x0000_4040_0000  2 MiB page -> PA 0x8020_1000: misaligned
#   0x0000_8000_0000  RAM, identity: 4 KiB pages for the first 2 MiB (the program), then 2 MiB
#                     pages; the program's .text.user pages have the U bit (U-mode code)
#   0x0000_c000_0000  1 GiB page -> PA 0x8000_0000
#   0x0001_0000_0000  1 GiB page -> PA 0x8020_0000: misaligned
#   0x0080_0000_0000  512 GiB page -> PA 0 (Sv48, Sv57)
#   0x0100_0000_0000  512 GiB page -> PA 0x4000_0000: misaligned (Sv48, Sv57)
#   0x1_0000_0000_0000  256 TiB page -> PA 0 (Sv57)
#   0x2_0000_0000_0000  256 TiB page -> PA 0x80_0000_0000: misaligned (Sv57)
    .include "test.inc"

.equ PTE_V, 1
.equ PTE_R, 2
.equ PTE_W, 4
.equ PTE_X, 8
.equ PTE_U, 16
.equ PTE_G, 32
.equ PTE_A, 64
.equ PTE_D, 128
.equ RWXAD, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D
.equ RWAD, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D

.equ SATP_SV39, 8 << 60
.equ SATP_SV48, 9 << 60
.equ SATP_SV57, 10 << 60

# The 4 KiB test pages: VA 0x4000_0000 + 4096 * index.
.equ VA_PAGES, 0x40000000
.equ I_RW, 0          # RW, A, D
.equ I_RO, 1          # R, A
.equ I_XO, 2          # X, A: holds a ret instruction
.equ I_U, 3           # U, RW, A, D
.equ I_WO, 4          # W without R: reserved
.equ I_INVALID, 5     # V = 0
.equ I_AD, 6          # RW with A = D = 0 (set per test)
.equ I_SFENCE, 7      # RW, remapped by the SFENCE.VMA test
.equ I_UX, 8          # U, X, A: holds a ret instruction
.equ I_PBMT, 9        # RW with the Svpbmt field (bit 61) set: reserved here
.equ I_NAPOT, 10      # RW with the Svnapot N bit (bit 63) set: reserved here
.equ I_RSVD, 11       # RW with reserved bit 54 set
.equ VA_MEGA, 0x40200000
.equ VA_MEGA_BAD, 0x40400000
.equ VA_GIGA, 0xc0000000
.equ VA_GIGA_BAD, 0x100000000
.equ VA_TERA, 0x8000000000
.equ VA_TERA_BAD, 0x10000000000
.equ VA_PETA, 0x1000000000000
.equ VA_PETA_BAD, 0x2000000000000
.equ PA_MEGA, 0x80200000

# pt_l0[\index] = the page \label (a PA) with \flags.
.macro LEAF index, label, flags
    la t0, \label
    srli t0, t0, 12
    slli t0, t0, 10
    li t1, \flags
    or t0, t0, t1
    la t1, pt_l0
    sd t0, 8 * (\index)(t1)
.endm

# \table[\index] = (\pa >> 12) << 10 | \flags, with \pa a constant.
.macro PTE_CONST table, index, pa, flags
    li t0, ((\pa) >> 12 << 10) | (\flags)
    la t1, \table
    li t2, 8 * (\index)
    add t1, t1, t2
    sd t0, 0(t1)
.endm

# \table[\index] points to the next-level table \next.
.macro POINTER table, index, next
    la t0, \next
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, PTE_V
    la t1, \table
    li t2, 8 * (\index)
    add t1, t1, t2
    sd t0, 0(t1)
.endm

# Fails unless the current case's trap was a page fault \cause (to M-mode) with stval = \va.
.macro CHECK_FAULT cause, va
    CHECK_CAUSE \cause
    CHECK_TVAL \va
    CHECK_TRAP_MODE 3
.endm

# S-mode loads a doubleword from \va into a0; it must fault with a load page fault.
.macro S_LOAD_FAULTS va
    li a1, \va
    EXPECT_TRAP .Lresume\@
    ENTER_S
    ld a0, 0(a1)
.Lresume\@:
    ENTER_M
    CHECK_FAULT CAUSE_LOAD_PAGE_FAULT, \va
.endm

# S-mode stores a2 to \va; it must fault with a store page fault.
.macro S_STORE_FAULTS va
    li a1, \va
    EXPECT_TRAP .Lresume\@
    ENTER_S
    sd a2, 0(a1)
.Lresume\@:
    ENTER_M
    CHECK_FAULT CAUSE_STORE_PAGE_FAULT, \va
.endm

# S-mode loads a doubleword from \va into a0 without a trap.
.macro S_LOAD va
    li a1, \va
    EXPECT_TRAP .Lresume\@
    ENTER_S
    ld a0, 0(a1)
.Lresume\@:
    ENTER_M
    CHECK_NO_TRAP
.endm

# Runs the U-mode routine \entry (in .text.user) with ra = the return address; the routine ends
# at u_exit, which returns to M-mode and here.
.macro RUN_U entry
    li t6, MSTATUS_MPP
    csrc mstatus, t6
    la t6, \entry
    csrw mepc, t6
    la ra, .Lback\@
    mret
.Lback\@:
.endm

# The checks, for one paging mode: \base numbers the cases, \mode and \root make the satp value,
# \noncanonical a virtual address outside the mode's range, \tera and \peta say whether
# the mode has 512 GiB and 256 TiB pages.
.macro MODE_TESTS base, mode, root, noncanonical, tera, peta
    # Reset the pages that the tests change, then switch to the mode.
    LEAF I_AD, page_ad, PTE_V | PTE_R | PTE_W
    LEAF I_SFENCE, page_sf1, RWAD
    la t0, \root
    srli t0, t0, 12
    li t1, \mode
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    csrr a0, satp
    CHECK_SAME a0, t0

    CASE \base + 1, "S-mode reads and writes a 4 KiB page"
    la t0, page_rw
    li t1, 0x1111222233334444
    sd t1, 0(t0)
    li a1, VA_PAGES + 4096 * I_RW
    ENTER_S
    ld a0, 8(a1)
    ld a3, 0(a1)
    li a2, \base
    sd a2, 8(a1)
    ENTER_M
    CHECK a3, 0x1111222233334444
    la t0, page_rw
    ld a0, 8(t0)
    CHECK a0, \base

    CASE \base + 2, "read-only page: a load works, a store is a store page fault"
    S_LOAD VA_PAGES + 4096 * I_RO
    li a2, 5
    S_STORE_FAULTS VA_PAGES + 4096 * I_RO + 16

    CASE \base + 3, "read-only page: an AMO is a store page fault"
    li a1, VA_PAGES + 4096 * I_RO + 8
    EXPECT_TRAP 1f
    ENTER_S
    amoadd.d a0, a2, (a1)
1:  ENTER_M
    CHECK_FAULT CAUSE_STORE_PAGE_FAULT, VA_PAGES + 4096 * I_RO + 8

    CASE \base + 4, "execute-only page: fetch works, a load faults"
    li a1, VA_PAGES + 4096 * I_XO
    EXPECT_TRAP 1f
    ENTER_S
    jalr ra, 0(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    S_LOAD_FAULTS VA_PAGES + 4096 * I_XO + 8

    # MXR makes executable pages readable.
    CASE \base + 5, "MXR = 1: a load from an execute-only page works"
    li t0, MSTATUS_MXR
    csrs mstatus, t0
    S_LOAD VA_PAGES + 4096 * I_XO
    li t0, MSTATUS_MXR
    csrc mstatus, t0
    # The page starts with "ret" (0x00008067).
    CHECK a0, 0x00008067

    # MXR also takes effect at once: the same load faults again after MXR is cleared.
    CASE \base + 38, "clearing MXR applies to the very next access"
    li a1, VA_PAGES + 4096 * I_XO
    li t0, MSTATUS_MXR
    csrs mstatus, t0
    EXPECT_TRAP 1f
    ENTER_S
    ld a0, 0(a1)
    li t0, MSTATUS_MXR
    csrc sstatus, t0
    ld a0, 0(a1)
1:  ENTER_M
    CHECK_FAULT CAUSE_LOAD_PAGE_FAULT, VA_PAGES + 4096 * I_XO

    CASE \base + 6, "fetch from a page without X: fetch page fault, sepc = stval = the address"
    li a1, VA_PAGES + 4096 * I_RW + 0x40
    EXPECT_TRAP 1f
    ENTER_S
    jalr ra, 0(a1)
1:  ENTER_M
    CHECK_FAULT CAUSE_FETCH_PAGE_FAULT, VA_PAGES + 4096 * I_RW + 0x40
    LOAD_TRAP a0, TI_EPC
    CHECK a0, VA_PAGES + 4096 * I_RW + 0x40

    CASE \base + 7, "W without R is reserved: loads and stores fault"
    S_LOAD_FAULTS VA_PAGES + 4096 * I_WO
    S_STORE_FAULTS VA_PAGES + 4096 * I_WO + 8

    CASE \base + 8, "an invalid PTE faults"
    S_LOAD_FAULTS VA_PAGES + 4096 * I_INVALID + 0x123
    S_STORE_FAULTS VA_PAGES + 4096 * I_INVALID + 0x120

    CASE \base + 9, "reserved PTE bits (PBMT, N, bit 54) fault"
    S_LOAD_FAULTS VA_PAGES + 4096 * I_PBMT
    S_LOAD_FAULTS VA_PAGES + 4096 * I_NAPOT
    S_LOAD_FAULTS VA_PAGES + 4096 * I_RSVD

    # ---- the U bit ----
    CASE \base + 10, "S-mode with SUM = 0 cannot read or write a U page"
    li t0, MSTATUS_SUM
    csrc mstatus, t0
    S_LOAD_FAULTS VA_PAGES + 4096 * I_U
    S_STORE_FAULTS VA_PAGES + 4096 * I_U + 8

    CASE \base + 11, "S-mode with SUM = 1 reads and writes a U page"
    li t0, MSTATUS_SUM
    csrs mstatus, t0
    li a1, VA_PAGES + 4096 * I_U
    li a2, 0x5a
    EXPECT_TRAP 1f
    ENTER_S
    sd a2, 8(a1)
    ld a0, 8(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    CHECK a0, 0x5a

    # SUM takes effect at once, without an SFENCE.VMA: a translation used with SUM = 1 must not
    # let a load through once SUM is 0.
    CASE \base + 19, "clearing SUM applies to the very next access"
    li a1, VA_PAGES + 4096 * I_U + 8
    EXPECT_TRAP 1f
    ENTER_S
    ld a0, 0(a1)
    li t0, MSTATUS_SUM
    csrc sstatus, t0
    ld a0, 0(a1)
1:  ENTER_M
    CHECK_FAULT CAUSE_LOAD_PAGE_FAULT, VA_PAGES + 4096 * I_U + 8
    li t0, MSTATUS_SUM
    csrs mstatus, t0

    # SUM never allows S-mode to execute U pages.
    CASE \base + 12, "S-mode cannot execute a U page even with SUM = 1"
    li a1, VA_PAGES + 4096 * I_UX
    EXPECT_TRAP 1f
    ENTER_S
    jalr ra, 0(a1)
1:  ENTER_M
    CHECK_FAULT CAUSE_FETCH_PAGE_FAULT, VA_PAGES + 4096 * I_UX
    li t0, MSTATUS_SUM
    csrc mstatus, t0

    CASE \base + 13, "U-mode reads a U page"
    li a1, VA_PAGES + 4096 * I_U + 8
    EXPECT_TRAP u_exit
    RUN_U u_load
    CHECK_NO_TRAP
    CHECK a0, 0x5a

    CASE \base + 14, "U-mode cannot read a page without U"
    li a1, VA_PAGES + 4096 * I_RW
    EXPECT_TRAP u_exit
    RUN_U u_load
    CHECK_FAULT CAUSE_LOAD_PAGE_FAULT, VA_PAGES + 4096 * I_RW

    CASE \base + 15, "U-mode cannot write a page without U"
    li a1, VA_PAGES + 4096 * I_RW + 8
    EXPECT_TRAP u_exit
    RUN_U u_store
    CHECK_FAULT CAUSE_STORE_PAGE_FAULT, VA_PAGES + 4096 * I_RW + 8

    CASE \base + 16, "U-mode executes a U page"
    li a1, VA_PAGES + 4096 * I_UX
    EXPECT_TRAP u_exit
    RUN_U u_call
    CHECK_NO_TRAP

    CASE \base + 17, "U-mode cannot execute a page without U"
    li a1, VA_PAGES + 4096 * I_XO
    EXPECT_TRAP u_exit
    RUN_U u_call
    CHECK_FAULT CAUSE_FETCH_PAGE_FAULT, VA_PAGES + 4096 * I_XO

    # A 32-bit instruction whose first half ends the execute-only page and whose second half
    # starts the next page (page_u: no X for S-mode): stval is the address of the faulting half,
    # sepc the start of the instruction.
    CASE \base + 18, "an instruction straddling into a page without X"
    li a1, VA_PAGES + 4096 * I_XO + 4094
    EXPECT_TRAP 1f
    ENTER_S
    jalr ra, 0(a1)
1:  ENTER_M
    CHECK_FAULT CAUSE_FETCH_PAGE_FAULT, VA_PAGES + 4096 * I_U
    LOAD_TRAP a0, TI_EPC
    CHECK a0, VA_PAGES + 4096 * I_XO + 4094

    # ---- A and D ----
    # The PTE starts with A = D = 0: a load sets A, a store sets D.
    CASE \base + 20, "a load sets A and leaves D clear"
    S_LOAD VA_PAGES + 4096 * I_AD
    la t0, pt_l0
    ld a0, 8 * I_AD(t0)
    andi a0, a0, PTE_A | PTE_D
    CHECK a0, PTE_A

    CASE \base + 21, "a store sets D"
    li a1, VA_PAGES + 4096 * I_AD
    EXPECT_TRAP 1f
    ENTER_S
    sd a1, 0(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    la t0, pt_l0
    ld a0, 8 * I_AD(t0)
    andi a0, a0, PTE_A | PTE_D
    CHECK a0, PTE_A | PTE_D

    CASE \base + 22, "a store to a fresh page sets both A and D"
    LEAF I_AD, page_ad, PTE_V | PTE_R | PTE_W
    sfence.vma
    li a1, VA_PAGES + 4096 * I_AD + 16
    EXPECT_TRAP 1f
    ENTER_S
    sw a1, 0(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    la t0, pt_l0
    ld a0, 8 * I_AD(t0)
    andi a0, a0, PTE_A | PTE_D
    CHECK a0, PTE_A | PTE_D

    # ---- SFENCE.VMA ----
    CASE \base + 25, "after a PTE changes, sfence.vma makes the new mapping visible"
    la t0, page_sf1
    li t1, 0x1111
    sd t1, 0(t0)
    la t0, page_sf2
    li t1, 0x2222
    sd t1, 0(t0)
    S_LOAD VA_PAGES + 4096 * I_SFENCE
    CHECK a0, 0x1111
    LEAF I_SFENCE, page_sf2, RWAD
    li a1, VA_PAGES + 4096 * I_SFENCE
    EXPECT_TRAP 1f
    ENTER_S
    sfence.vma a1, zero
    ld a0, 0(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    CHECK a0, 0x2222

    # ---- superpages ----
    CASE \base + 30, "a 2 MiB page"
    li t0, PA_MEGA + 0x1238
    li t1, \base + 30
    sd t1, 0(t0)
    S_LOAD VA_MEGA + 0x1238
    CHECK a0, \base + 30

    CASE \base + 31, "a misaligned 2 MiB page is a page fault"
    S_LOAD_FAULTS VA_MEGA_BAD + 0x10

    CASE \base + 32, "a 1 GiB page"
    la t0, page_rw
    li t1, \base + 32
    sd t1, 16(t0)
    la t0, page_rw + 16
    li t1, VA_GIGA - 0x80000000
    add a1, t0, t1
    EXPECT_TRAP 1f
    ENTER_S
    ld a0, 0(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    CHECK a0, \base + 32

    CASE \base + 33, "a misaligned 1 GiB page is a page fault"
    S_LOAD_FAULTS VA_GIGA_BAD + 0x20

    .if \tera
    CASE \base + 34, "a 512 GiB page"
    la t0, page_rw + 24
    li t1, \base + 34
    sd t1, 0(t0)
    li t1, VA_TERA
    add a1, t0, t1
    EXPECT_TRAP 1f
    ENTER_S
    ld a0, 0(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    CHECK a0, \base + 34

    CASE \base + 35, "a misaligned 512 GiB page is a page fault"
    S_LOAD_FAULTS VA_TERA_BAD + 0x80000000
    .endif

    .if \peta
    CASE \base + 36, "a 256 TiB page"
    la t0, page_rw + 32
    li t1, \base + 36
    sd t1, 0(t0)
    li t1, VA_PETA
    add a1, t0, t1
    EXPECT_TRAP 1f
    ENTER_S
    ld a0, 0(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    CHECK a0, \base + 36

    CASE \base + 37, "a misaligned 256 TiB page is a page fault"
    S_LOAD_FAULTS VA_PETA_BAD + 0x80000000
    .endif

    # ---- non-canonical addresses: bits above the mode's range must copy its top bit ----
    CASE \base + 40, "a non-canonical load address is a load page fault"
    S_LOAD_FAULTS \noncanonical

    CASE \base + 41, "a non-canonical store address is a store page fault"
    S_STORE_FAULTS \noncanonical + 8

    CASE \base + 42, "a non-canonical fetch address is a fetch page fault"
    li a1, \noncanonical
    EXPECT_TRAP 1f
    ENTER_S
    jalr ra, 0(a1)
1:  ENTER_M
    CHECK_FAULT CAUSE_FETCH_PAGE_FAULT, \noncanonical

    # ---- MPRV: M-mode loads and stores translated with MPP's privilege ----
    CASE \base + 45, "MPRV with MPP = S: M-mode loads through the page tables"
    la t0, page_rw
    li t1, 0x4d505256
    sd t1, 40(t0)
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPRV | MSTATUS_MPP_S
    csrs mstatus, t0
    li a1, VA_PAGES + 4096 * I_RW + 40
    ld a0, 0(a1)
    li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK a0, 0x4d505256

    CASE \base + 46, "MPRV with MPP = U: a page without U faults"
    # Armed first: with MPRV set, the macro's own stores would be translated too.
    EXPECT_TRAP 1f
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    li a1, VA_PAGES + 4096 * I_RW + 40
    ld a0, 0(a1)
1:  li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK_FAULT CAUSE_LOAD_PAGE_FAULT, VA_PAGES + 4096 * I_RW + 40

    # Changing MPP changes the privilege of the next translated access at once.
    CASE \base + 48, "MPRV: switching MPP from S to U applies to the very next load"
    EXPECT_TRAP 1f
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPRV | MSTATUS_MPP_S
    csrs mstatus, t0
    li a1, VA_PAGES + 4096 * I_RW + 40
    ld a0, 0(a1)
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    ld a0, 0(a1)
1:  li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK_FAULT CAUSE_LOAD_PAGE_FAULT, VA_PAGES + 4096 * I_RW + 40

    # MPRV does not apply to fetches: M-mode code keeps running from physical addresses.
    CASE \base + 47, "M-mode ignores satp"
    la t0, page_rw
    li t1, 0x4d4d
    sd t1, 48(t0)
    ld a0, 48(t0)
    CHECK a0, 0x4d4d

    # ---- delegation ----
    CASE \base + 50, "a delegated load page fault goes to S-mode with stval"
    li t0, 1 << CAUSE_LOAD_PAGE_FAULT
    csrw medeleg, t0
    li a1, VA_PAGES + 4096 * I_INVALID + 0x18
    EXPECT_TRAP 1f
    ENTER_S
2:  ld a0, 0(a1)
1:  ENTER_M
    csrw medeleg, zero
    CHECK_CAUSE CAUSE_LOAD_PAGE_FAULT
    CHECK_TRAP_MODE 1
    CHECK_TVAL VA_PAGES + 4096 * I_INVALID + 0x18
    CHECK_EPC 2b
.endm

    .text
main:
    PMP_ALLOW_ALL
    jal build_tables

    MODE_TESTS 100, SATP_SV39, pt_l2, 0x4000000000, 0, 0
    MODE_TESTS 200, SATP_SV48, pt_l3, 0x800000000000, 1, 0
    MODE_TESTS 300, SATP_SV57, pt_l4, 0x100000000000000, 1, 1

    # ---- satp ----
    # Mode 5 is reserved: the write is ignored and satp keeps its value.
    CASE 400, "satp: a write with a reserved mode is ignored"
    csrr a1, satp
    li t0, 5 << 60
    csrw satp, t0
    csrr a0, satp
    CHECK_SAME a0, a1
    li t0, 15 << 60
    csrw satp, t0
    csrr a0, satp
    CHECK_SAME a0, a1

    # Bare: S-mode addresses are physical.
    CASE 401, "satp = 0: S-mode accesses are not translated"
    csrw satp, zero
    sfence.vma
    la a1, page_rw
    li t0, 0xba5e
    sd t0, 56(a1)
    ENTER_S
    ld a0, 56(a1)
    ENTER_M
    CHECK a0, 0xba5e

    PASS

# Builds the page tables (see the map at the top of the file).
build_tables:
    # Identity 4 KiB pages for the first 2 MiB of RAM, RWX, not U.
    li a0, 0x80000000
    la a1, pt_id0
    li a2, 512
1:  srli t0, a0, 12
    slli t0, t0, 10
    ori t0, t0, RWXAD
    sd t0, 0(a1)
    li t1, 4096
    add a0, a0, t1
    addi a1, a1, 8
    addi a2, a2, -1
    bnez a2, 1b
    # The .text.user pages: U, R, X.
    la a0, user_start
    la a3, user_end
2:  li t1, 0x80000000
    sub t0, a0, t1
    srli t0, t0, 12
    slli t0, t0, 3
    la a1, pt_id0
    add a1, a1, t0
    srli t0, a0, 12
    slli t0, t0, 10
    ori t0, t0, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A
    sd t0, 0(a1)
    li t1, 4096
    add a0, a0, t1
    bltu a0, a3, 2b
    # The rest of the first GiB of RAM: identity 2 MiB pages.
    POINTER pt_id1, 0, pt_id0
    li a0, 0x80200000
    la a1, pt_id1 + 8
    li a2, 511
3:  srli t0, a0, 12
    slli t0, t0, 10
    ori t0, t0, RWXAD
    sd t0, 0(a1)
    li t1, 0x200000
    add a0, a0, t1
    addi a1, a1, 8
    addi a2, a2, -1
    bnez a2, 3b
    # Level 2 (the Sv39 root).
    POINTER pt_l2, 1, pt_l1
    POINTER pt_l2, 2, pt_id1
    PTE_CONST pt_l2, 3, 0x80000000, RWAD
    PTE_CONST pt_l2, 4, PA_MEGA, RWAD
    # Level 1 for VA 0x4000_0000.
    POINTER pt_l1, 0, pt_l0
    PTE_CONST pt_l1, 1, PA_MEGA, RWAD
    PTE_CONST pt_l1, 2, PA_MEGA + 0x1000, RWAD
    # Level 0: the test pages.
    LEAF I_RW, page_rw, RWAD
    LEAF I_RO, page_ro, PTE_V | PTE_R | PTE_A
    LEAF I_XO, page_xo, PTE_V | PTE_X | PTE_A
    LEAF I_U, page_u, RWAD | PTE_U
    LEAF I_WO, page_wo, PTE_V | PTE_W | PTE_A | PTE_D
    LEAF I_INVALID, page_rw, RWAD & ~PTE_V
    LEAF I_AD, page_ad, PTE_V | PTE_R | PTE_W
    LEAF I_SFENCE, page_sf1, RWAD
    LEAF I_UX, page_ux, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A
    LEAF I_PBMT, page_rw, RWAD
    LEAF I_NAPOT, page_rw, RWAD
    LEAF I_RSVD, page_rw, RWAD
    la t1, pt_l0
    li t2, 1 << 61
    ld t0, 8 * I_PBMT(t1)
    or t0, t0, t2
    sd t0, 8 * I_PBMT(t1)
    li t2, 1 << 63
    ld t0, 8 * I_NAPOT(t1)
    or t0, t0, t2
    sd t0, 8 * I_NAPOT(t1)
    li t2, 1 << 54
    ld t0, 8 * I_RSVD(t1)
    or t0, t0, t2
    sd t0, 8 * I_RSVD(t1)
    # Level 3 (the Sv48 root): entry 0 to level 2, a 512 GiB page, a misaligned one.
    POINTER pt_l3, 0, pt_l2
    PTE_CONST pt_l3, 1, 0, RWAD
    PTE_CONST pt_l3, 2, 0x40000000, RWAD
    # Level 4 (the Sv57 root): entry 0 to level 3, a 256 TiB page, a misaligned one.
    POINTER pt_l4, 0, pt_l3
    PTE_CONST pt_l4, 1, 0, RWAD
    PTE_CONST pt_l4, 2, 0x8000000000, RWAD
    # The executable test pages start with ret.
    li t0, 0x00008067
    la t1, page_xo
    sw t0, 0(t1)
    la t1, page_ux
    sw t0, 0(t1)
    # addi a0, a0, 1 (0x00150513) split across the end of page_xo and the start of page_u.
    li t0, 0x0513
    la t1, page_xo + 4094
    sh t0, 0(t1)
    li t0, 0x0015
    la t1, page_u
    sh t0, 0(t1)
    fence.i
    ret

# ---- U-mode routines: on their own pages, which alone have the U bit ----
    .pushsection .text.user, "ax", @progbits
    .balign 4096
user_start:
# Expected traps resume here; back to M-mode, then to the caller of RUN_U.
u_exit:
    ENTER_M
    jr ra
# a0 = the doubleword at a1.
u_load:
    ld a0, 0(a1)
    j u_exit
# The doubleword at a1 = a2.
u_store:
    sd a2, 0(a1)
    j u_exit
# Calls the code at a1 (ra is kept in a4).
u_call:
    mv a4, ra
    jalr ra, 0(a1)
    mv ra, a4
    j u_exit
    .balign 4096
user_end:
    .popsection

# ---- page tables and pages ----
    .section .bss.paging, "aw", @nobits
    .balign 4096
pt_l4:    .skip 4096
pt_l3:    .skip 4096
pt_l2:    .skip 4096
pt_l1:    .skip 4096
pt_l0:    .skip 4096
pt_id1:   .skip 4096
pt_id0:   .skip 4096
page_rw:  .skip 4096
page_ro:  .skip 4096
page_xo:  .skip 4096
page_u:   .skip 4096
page_wo:  .skip 4096
page_ad:  .skip 4096
page_sf1: .skip 4096
page_sf2: .skip 4096
page_ux:  .skip 4096
