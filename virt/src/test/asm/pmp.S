# Physical memory protection: NAPOT, TOR and NA4 regions; R, W and X checked for S- and U-mode
# accesses with instruction, load and store/AMO access faults (causes 1, 5, 7, mtval = the
# address); the lowest-numbered matching entry decides, and it must match every byte of the
# access; an access that no entry matches is denied to S and U; M-mode ignores unlocked entries,
# except through MPRV; PMP also checks the page-table walk; locked entries bind M-mode and cannot
# be changed (these come last, since nothing but a reset unlocks them).
#
# Entry 15 is a NAPOT region over the whole address space with RWX: the lowest-priority
# catch-all that lets S- and U-mode code run and reach everything the tests do not protect with
# entries 0 to 3.
    .include "test.inc"

.equ PMP_R, 1
.equ PMP_W, 2
.equ PMP_X, 4
.equ PMP_TOR, 1 << 3
.equ PMP_NA4, 2 << 3
.equ PMP_NAPOT, 3 << 3
.equ PMP_L, 0x80

# Entry \n (0..7) = NAPOT region of \size bytes (a power of two, at least 8) at \base, with \cfg.
.macro NAPOT n, base, size, cfg
    la t0, \base
    srli t0, t0, 2
    li t1, ((\size) >> 3) - 1
    or t0, t0, t1
    csrw pmpaddr\n, t0
    CFG \n, PMP_NAPOT | (\cfg)
.endm

# Sets the configuration byte of entry \n (0..7) to \cfg.
.macro CFG n, cfg
    li t0, 0xff << (8 * (\n))
    csrc pmpcfg0, t0
    li t0, (\cfg) << (8 * (\n))
    csrs pmpcfg0, t0
.endm

# Turns entries 0 to 7 off.
.macro PMP_RESET
    csrw pmpcfg0, zero
.endm

# In privilege mode \mode, \insn (using a1 as the address) must raise \cause with mtval = a1.
.macro DENIED n, mode, cause, desc, insn:vararg
    CASE \n, "\desc"
    EXPECT_TRAP .Lresume\@
    ENTER_MODE \mode
    \insn
.Lresume\@:
    ENTER_M
    CHECK_CAUSE \cause
    LOAD_TRAP t5, TI_TVAL
    CHECK_SAME t5, a1
.endm

# In privilege mode \mode, \insn must not trap.
.macro ALLOWED n, mode, desc, insn:vararg
    CASE \n, "\desc"
    EXPECT_TRAP .Lresume\@
    ENTER_MODE \mode
    \insn
.Lresume\@:
    ENTER_M
    CHECK_NO_TRAP
.endm

    .text
main:
    # The catch-all, entry 15.
    li t0, -1
    csrw pmpaddr15, t0
    li t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56
    csrw pmpcfg2, t0
    PMP_RESET
    # Each 4 KiB region starts with "ret" so that it can be called.
    li t0, 0x00008067
    la t1, region_a
    sw t0, 0(t1)
    la t1, region_b
    sw t0, 0(t1)
    fence.i

    # ---- NAPOT ----
    NAPOT 0, region_a, 4096, PMP_R
    la a1, region_a + 8
    ALLOWED 1, 0, "U-mode loads from an R region", ld a0, 0(a1)
    DENIED 2, 0, CAUSE_STORE_ACCESS, "U-mode store to an R region: store access fault", sd a0, 0(a1)
    DENIED 3, 1, CAUSE_STORE_ACCESS, "S-mode store to an R region", sw a0, 0(a1)
    DENIED 4, 1, CAUSE_STORE_ACCESS, "S-mode AMO to an R region", amoadd.w a0, a0, (a1)
    la a1, region_a
    DENIED 5, 0, CAUSE_FETCH_ACCESS, "U-mode fetch from an R region: instruction access fault", jalr ra, 0(a1)

    # The region's last byte and the byte after it.
    la a1, region_a + 4095
    DENIED 6, 1, CAUSE_STORE_ACCESS, "the last byte of the region is protected", sb a0, 0(a1)
    la a1, region_a + 4096
    ALLOWED 7, 1, "the byte after the region is not", sb a0, 0(a1)
    la a1, region_a - 8
    ALLOWED 8, 1, "the doubleword before the region is not", sd a0, 0(a1)

    NAPOT 0, region_a, 4096, PMP_X
    la a1, region_a
    ALLOWED 9, 0, "U-mode calls into an X region", jalr ra, 0(a1)
    DENIED 10, 0, CAUSE_LOAD_ACCESS, "U-mode load from an X region: load access fault", lw a0, 0(a1)

    NAPOT 0, region_a, 4096, 0
    la a1, region_a + 0x100
    DENIED 11, 1, CAUSE_LOAD_ACCESS, "S-mode load from a region without permissions", lbu a0, 0(a1)

    NAPOT 0, region_a, 4096, PMP_R | PMP_W
    ALLOWED 12, 1, "S-mode store to an RW region", sd a0, 0(a1)

    # An 8-byte NAPOT region: pmpaddr = base >> 2 with no trailing ones.
    NAPOT 0, region_a + 64, 8, 0
    la a1, region_a + 64
    DENIED 13, 0, CAUSE_LOAD_ACCESS, "an 8-byte NAPOT region", ld a0, 0(a1)
    la a1, region_a + 72
    ALLOWED 14, 0, "the doubleword after the 8-byte region", ld a0, 0(a1)

    # ---- NA4: four bytes ----
    PMP_RESET
    la t0, region_a + 0x200
    srli t0, t0, 2
    csrw pmpaddr0, t0
    CFG 0, PMP_NA4
    la a1, region_a + 0x200
    DENIED 20, 0, CAUSE_LOAD_ACCESS, "NA4: the word itself is protected", lw a0, 0(a1)
    la a1, region_a + 0x203
    DENIED 21, 0, CAUSE_STORE_ACCESS, "NA4: its last byte", sb a0, 0(a1)
    la a1, region_a + 0x204
    ALLOWED 22, 0, "NA4: the next word is not", lw a0, 0(a1)
    la a1, region_a + 0x1fc
    ALLOWED 23, 0, "NA4: the previous word is not", lw a0, 0(a1)
    # An access that the first matching entry covers only in part fails, whatever the others say.
    la a1, region_a + 0x200
    DENIED 24, 0, CAUSE_LOAD_ACCESS, "a doubleword half inside the NA4 region fails", ld a0, 0(a1)
    # The same entry with RW: still a partial match, still denied.
    CFG 0, PMP_NA4 | PMP_R | PMP_W
    DENIED 25, 1, CAUSE_STORE_ACCESS, "a partial match fails even when the entry allows it", sd a0, 0(a1)
    # M-mode too: a partial match fails for every mode.
    CASE 26, "a partial match fails for M-mode as well"
    EXPECT_TRAP 1f
    ld a0, 0(a1)
1:  CHECK_CAUSE CAUSE_LOAD_ACCESS

    # ---- TOR: entry 1 covers [pmpaddr0, pmpaddr1) ----
    PMP_RESET
    la t0, region_b + 0x100
    srli t0, t0, 2
    csrw pmpaddr0, t0
    la t0, region_b + 0x300
    srli t0, t0, 2
    csrw pmpaddr1, t0
    CFG 1, PMP_TOR | PMP_R
    la a1, region_b + 0x100
    ALLOWED 30, 0, "TOR: a load at the bottom", ld a0, 0(a1)
    DENIED 31, 0, CAUSE_STORE_ACCESS, "TOR: a store at the bottom", sd a0, 0(a1)
    la a1, region_b + 0x2f8
    DENIED 32, 0, CAUSE_STORE_ACCESS, "TOR: a store at the top", sd a0, 0(a1)
    la a1, region_b + 0x300
    ALLOWED 33, 0, "TOR: the top bound is excluded", sd a0, 0(a1)
    la a1, region_b + 0xf8
    ALLOWED 34, 0, "TOR: below the bottom bound", sd a0, 0(a1)

    # TOR in entry 0 runs from address 0: here up to region_b + 0x10, code included, so it
    # keeps X (and R) and takes W away.
    PMP_RESET
    la t0, region_b + 0x10
    srli t0, t0, 2
    csrw pmpaddr0, t0
    CFG 0, PMP_TOR | PMP_R | PMP_X
    la a1, region_b + 8
    DENIED 35, 1, CAUSE_STORE_ACCESS, "TOR in entry 0 starts at address 0", sd a0, 0(a1)
    la a1, region_b + 0x10
    ALLOWED 36, 1, "TOR in entry 0: its top bound", sd a0, 0(a1)

    # A TOR entry whose top is not above its bottom matches nothing.
    PMP_RESET
    la t0, region_b + 0x200
    srli t0, t0, 2
    csrw pmpaddr0, t0
    la t0, region_b + 0x100
    srli t0, t0, 2
    csrw pmpaddr1, t0
    CFG 1, PMP_TOR
    la a1, region_b + 0x180
    ALLOWED 37, 1, "an empty TOR range matches nothing", ld a0, 0(a1)

    # ---- priority: the lowest-numbered matching entry wins ----
    PMP_RESET
    NAPOT 0, region_a, 4096, 0
    NAPOT 1, region_a, 8192, PMP_R | PMP_W
    la a1, region_a + 16
    DENIED 40, 1, CAUSE_LOAD_ACCESS, "entry 0 (no access) beats entry 1 (RW)", ld a0, 0(a1)
    la a1, region_b + 16
    ALLOWED 41, 1, "entry 1 covers the other half", ld a0, 0(a1)
    PMP_RESET
    NAPOT 0, region_a, 8192, PMP_R | PMP_W
    NAPOT 1, region_a, 4096, 0
    la a1, region_a + 16
    ALLOWED 42, 1, "entry 0 (RW) beats entry 1 (no access)", ld a0, 0(a1)

    # ---- M-mode ----
    PMP_RESET
    NAPOT 0, region_a, 4096, 0
    CASE 50, "M-mode ignores an unlocked entry"
    la a1, region_a + 8
    li t0, 0x4d
    sd t0, 0(a1)
    ld a0, 0(a1)
    CHECK a0, 0x4d

    # With MPRV = 1 and MPP = U, M-mode loads and stores are checked as U-mode's.
    CASE 51, "MPRV with MPP = U applies PMP to M-mode loads"
    EXPECT_TRAP 1f
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPRV
    csrs mstatus, t0
    ld a0, 0(a1)
1:  li t0, MSTATUS_MPRV
    csrc mstatus, t0
    CHECK_CAUSE CAUSE_LOAD_ACCESS
    CHECK_TVAL_ADDR region_a + 8

    # ---- no matching entry ----
    # With entries configured but none matching, S- and U-mode accesses fail: here the only
    # entry is region_a, so the very first fetch after mret is denied.
    # The trap resumes in S-mode at region_exit, inside region_a, which goes back to M-mode.
    CASE 60, "no matching entry: S-mode fetch is denied"
    csrw pmpcfg2, zero
    NAPOT 0, region_a, 4096, PMP_R | PMP_W | PMP_X
    EXPECT_TRAP region_exit
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S
    csrs mstatus, t0
    la t0, 2f
    csrw mepc, t0
    la ra, 1f
    mret
2:  FAIL
1:  CHECK_CAUSE CAUSE_FETCH_ACCESS
    CHECK_TVAL_ADDR 2b
    CHECK_EPC 2b
    CHECK_TRAP_MODE 3
    li t0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56
    csrw pmpcfg2, t0
    PMP_RESET

    # ---- PMP checks the page-table walk ----
    # Sv39: the root (pt_root) maps the program with a 1 GiB identity page (VPN[2] = 2) and points
    # VPN[2] = 1 to a level-1 table in region_b, whose entry 0 maps VA 0x4000_0000 to the start
    # of RAM with a 2 MiB page. With region_b readable the load works; with region_b denied to
    # S-mode the walk itself fails: a load access fault (not a page fault) at the virtual address.
    CASE 70, "PMP allows the page-table walk: the load works"
    la t0, pt_root
    li t1, (0x80000000 >> 12 << 10) | 0xcf
    sd t1, 16(t0)
    la t1, region_b
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sd t1, 8(t0)
    la t1, region_b
    li t2, (0x80000000 >> 12 << 10) | 0xc7
    sd t2, 0(t1)
    srli t0, t0, 12
    li t1, 8 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    NAPOT 0, region_b, 4096, PMP_R
    la t0, pattern
    li t1, 0x7a7b
    sd t1, 0(t0)
    li t1, 0x80000000 - 0x40000000
    sub a1, t0, t1
    EXPECT_TRAP 1f
    ENTER_S
    ld a0, 0(a1)
1:  ENTER_M
    CHECK_NO_TRAP
    CHECK a0, 0x7a7b

    CASE 71, "PMP denies the page-table walk: load access fault"
    NAPOT 0, region_b, 4096, 0
    EXPECT_TRAP 1f
    ENTER_S
    ld a0, 0(a1)
1:  ENTER_M
    CHECK_CAUSE CAUSE_LOAD_ACCESS
    LOAD_TRAP t5, TI_TVAL
    CHECK_SAME t5, a1
    csrw satp, zero
    sfence.vma
    PMP_RESET

    # ---- registers ----
    CASE 80, "pmpaddr and pmpcfg hold what is written"
    li t0, 0x123456789
    csrw pmpaddr5, t0
    csrr a0, pmpaddr5
    CHECK a0, 0x123456789
    li t0, 0x0f1f
    csrw pmpcfg0, t0
    csrr a0, pmpcfg0
    CHECK a0, 0x0f1f
    csrr a0, pmpcfg2
    CHECK a0, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56
    PMP_RESET

    # ---- locked entries (last: they stay locked) ----
    # Entry 0 locked, NA4 over locked_word, R only: it now applies to M-mode as well.
    CASE 90, "a locked R entry lets M-mode load"
    la a1, locked_word
    li t0, 0x10c
    sw t0, 0(a1)
    srli t0, a1, 2
    csrw pmpaddr0, t0
    CFG 0, PMP_L | PMP_NA4 | PMP_R
    lw a0, 0(a1)
    CHECK a0, 0x10c

    CASE 91, "a locked R entry denies M-mode stores"
    EXPECT_TRAP 1f
    sw a0, 0(a1)
1:  CHECK_CAUSE CAUSE_STORE_ACCESS
    CHECK_TVAL_ADDR locked_word

    CASE 92, "a locked entry's pmpcfg and pmpaddr ignore writes"
    csrr a2, pmpaddr0
    li t0, -1
    csrw pmpaddr0, t0
    csrr a0, pmpaddr0
    CHECK_SAME a0, a2
    csrr a2, pmpcfg0
    li t0, 0xff
    csrc pmpcfg0, t0
    csrr a0, pmpcfg0
    CHECK_SAME a0, a2
    EXPECT_TRAP 1f
    sw a0, 0(a1)
1:  CHECK_CAUSE CAUSE_STORE_ACCESS

    # The entries after a locked one stay writable.
    CASE 93, "the next entry is still writable"
    li t0, 0x4321
    csrw pmpaddr1, t0
    csrr a0, pmpaddr1
    CHECK a0, 0x4321

    # A locked TOR entry also locks the pmpaddr below it (its bottom bound).
    CASE 94, "a locked TOR entry locks the previous pmpaddr"
    la t0, locked_tor_end
    srli t0, t0, 2
    csrw pmpaddr3, t0
    la t0, locked_tor
    srli t0, t0, 2
    csrw pmpaddr2, t0
    CFG 3, PMP_L | PMP_TOR | PMP_R | PMP_W
    csrr a2, pmpaddr2
    li t0, 0x777
    csrw pmpaddr2, t0
    csrr a0, pmpaddr2
    CHECK_SAME a0, a2

    CASE 95, "a locked RW TOR entry lets M-mode read and write, but not execute"
    la a1, locked_tor
    li t0, 0x00008067
    sw t0, 0(a1)
    lw a0, 0(a1)
    CHECK a0, 0x00008067
    EXPECT_TRAP 1f
    jalr ra, 0(a1)
1:  CHECK_CAUSE CAUSE_FETCH_ACCESS
    CHECK_TVAL_ADDR locked_tor

    PASS

    .section .data.pmp, "aw", @progbits
    .balign 8192
region_a:
    .skip 0x800
# Returns to M-mode, then to ra.
region_exit:
    li a7, MAGIC_GO_M
    ecall
    jr ra
    .balign 4096
region_b:
    .skip 4096
    .balign 64
locked_word:
    .word 0, 0
locked_tor:
    .skip 64
locked_tor_end:
pattern:
    .dword 0
    .balign 4096
pt_root:
    .skip 4096
