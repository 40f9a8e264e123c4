# Zicsr: the six CSR instructions and their x0 rules, read-only and missing CSRs, the privilege
# needed for a CSR, and the views and write rules of the registers that the hart implements
# (sstatus as a view of mstatus, sie/sip through mideleg, mie/mip/mideleg writable bits, the
# reserved mtvec modes, fcsr = frm:fflags, menvcfg.STCE).
#
# The x0 rules (Zicsr): CSRRW with rd = x0 does not read; CSRRS and CSRRC with rs1 = x0, and
# CSRRSI and CSRRCI with uimm = 0, do not write, so they may read a read-only CSR. Any write
# attempt to a read-only CSR (number bits 11:10 = 3) is an illegal instruction, even if it would
# not change the value; mtval then holds the instruction's bits.
    .include "test.inc"

# \insn (encoded as \bits) must raise an illegal-instruction exception with mtval = \bits.
.macro ILLEGAL n, bits, desc, insn:vararg
    CASE \n, "\desc"
    EXPECT_TRAP .Lresume\@
    .option push
    .option norvc
.Linsn\@:
    \insn
    .option pop
.Lresume\@:
    CHECK_CAUSE CAUSE_ILLEGAL
    CHECK_TVAL \bits
    CHECK_EPC .Linsn\@
.endm

    .text
main:
    # ---- the six instructions on mscratch (read/write, no side effects) ----
    CASE 1, "csrrw returns the old value and writes the new one"
    li a1, 0x0123456789abcdef
    csrw mscratch, a1
    li a2, 0xfedcba9876543210
    csrrw a0, mscratch, a2
    CHECK a0, 0x0123456789abcdef
    csrr a0, mscratch
    CHECK a0, 0xfedcba9876543210

    CASE 2, "csrrs sets the bits of rs1"
    li a1, 0xf0
    csrw mscratch, a1
    li a2, 0x0f00000000000001
    csrrs a0, mscratch, a2
    CHECK a0, 0xf0
    csrr a0, mscratch
    CHECK a0, 0x0f000000000000f1

    CASE 3, "csrrc clears the bits of rs1"
    li a1, -1
    csrw mscratch, a1
    li a2, 0x8000000000000ff0
    csrrc a0, mscratch, a2
    CHECK a0, -1
    csrr a0, mscratch
    CHECK a0, 0x7ffffffffffff00f

    # The immediate forms take a 5-bit zero-extended uimm from the rs1 field.
    CASE 4, "csrrwi writes the zero-extended 5-bit immediate"
    li a1, -1
    csrw mscratch, a1
    csrrwi a0, mscratch, 31
    CHECK a0, -1
    csrr a0, mscratch
    CHECK a0, 31

    CASE 5, "csrrsi sets immediate bits"
    csrw mscratch, zero
    csrrsi a0, mscratch, 0x14
    CHECK a0, 0
    csrrsi a0, mscratch, 0x3
    CHECK a0, 0x14
    csrr a0, mscratch
    CHECK a0, 0x17

    CASE 6, "csrrci clears immediate bits"
    li a1, 0xff
    csrw mscratch, a1
    csrrci a0, mscratch, 0x11
    CHECK a0, 0xff
    csrr a0, mscratch
    CHECK a0, 0xee

    # rd = rs1: the old CSR value lands in the register after its old value was written.
    CASE 7, "csrrw with rd = rs1 swaps"
    li a1, 111
    csrw mscratch, a1
    li a0, 222
    csrrw a0, mscratch, a0
    CHECK a0, 111
    csrr a1, mscratch
    CHECK a1, 222

    CASE 8, "csrrs/csrrc with rs1 = x0 and zero immediates only read"
    li a1, 0x5a5a
    csrw mscratch, a1
    csrrs a0, mscratch, zero
    CHECK a0, 0x5a5a
    csrrc a0, mscratch, zero
    CHECK a0, 0x5a5a
    csrrsi a0, mscratch, 0
    CHECK a0, 0x5a5a
    csrrci a0, mscratch, 0
    CHECK a0, 0x5a5a
    csrr a0, mscratch
    CHECK a0, 0x5a5a

    # A register holding 0 is still a write (nothing changes, but it is performed).
    CASE 9, "csrrs with a nonzero rs1 holding 0 changes nothing"
    li a2, 0
    csrrs a0, mscratch, a2
    CHECK a0, 0x5a5a
    csrr a0, mscratch
    CHECK a0, 0x5a5a

    # ---- read-only CSRs ----
    CASE 10, "mhartid reads 0 on hart 0, with every read form"
    csrr a0, mhartid
    CHECK a0, 0
    li a0, 5
    csrrs a0, mhartid, zero
    CHECK a0, 0
    li a0, 5
    csrrc a0, mhartid, zero
    CHECK a0, 0
    li a0, 5
    csrrsi a0, mhartid, 0
    CHECK a0, 0
    li a0, 5
    csrrci a0, mhartid, 0
    CHECK a0, 0

    CASE 11, "mvendorid, marchid, mimpid, mconfigptr and cycle can be read"
    csrr a0, mvendorid
    csrr a0, marchid
    csrr a0, mimpid
    csrr a0, 0xf15
    csrr a0, cycle

    # csrrw zero, mhartid, zero = 0xf1401073
    ILLEGAL 12, 0xf1401073, "csrw to mhartid is illegal", csrw mhartid, zero
    # csrrs zero, mhartid, a1 = 0xf145a073 (a1 = x11). With a1 = 0 it would be illegal too; that
    # case is in csr_warl.S since QEMU 7.2 gets it wrong.
    li a1, 1
    ILLEGAL 13, 0xf145a073, "csrrs mhartid with rs1 != x0 is illegal", csrrs zero, mhartid, a1
    # csrrsi a0, mhartid, 1 = 0xf140e573
    ILLEGAL 14, 0xf140e573, "csrrsi mhartid with uimm != 0 is illegal", csrrsi a0, mhartid, 1
    # csrrci a0, mvendorid, 2 = 0xf1117573
    ILLEGAL 15, 0xf1117573, "csrrci mvendorid with uimm != 0 is illegal", csrrci a0, mvendorid, 2
    # csrrw a0, cycle, a1 = 0xc0059573
    ILLEGAL 16, 0xc0059573, "csrrw to cycle is illegal", csrrw a0, cycle, a1
    # csrrc a0, instret, a2 = 0xc0263573 (a2 = x12)
    li a2, 4
    ILLEGAL 17, 0xc0263573, "csrrc instret with rs1 != x0 is illegal", csrrc a0, instret, a2

    # The destination register is not written when the instruction traps.
    CASE 18, "a trapping CSR instruction leaves rd unchanged"
    li a0, 1234
    EXPECT_TRAP 1f
    csrrw a0, mhartid, a1
1:  CHECK_CAUSE CAUSE_ILLEGAL
    CHECK a0, 1234

    # ---- CSRs that do not exist ----
    # csrrs a0, 0x800, zero = 0x80002573 (0x800 is a custom user CSR nobody implements here).
    ILLEGAL 20, 0x80002573, "reading a missing CSR is illegal", csrr a0, 0x800
    # csrrw zero, 0x7ff, a0 = 0x7ff51073
    ILLEGAL 21, 0x7ff51073, "writing a missing CSR is illegal", csrw 0x7ff, a0
    # Odd pmpcfg registers exist only on RV32: csrrs a0, pmpcfg1, zero = 0x3a102573
    ILLEGAL 22, 0x3a102573, "pmpcfg1 does not exist on RV64", csrr a0, 0x3a1

    # ---- privilege: bits 9:8 of the CSR number ----
    PMP_ALLOW_ALL
    CASE 30, "S-mode reads an S-mode CSR"
    li a1, 0x77
    csrw sscratch, a1
    ENTER_S
    csrr a0, sscratch
    ENTER_M
    CHECK a0, 0x77

    CASE 31, "S-mode access to an M-mode CSR is illegal"
    ENTER_S
    EXPECT_TRAP 1f
    .option push
    .option norvc
2:  csrr a0, mscratch
    .option pop
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL
    # csrrs a0, mscratch, zero = 0x34002573
    CHECK_TVAL 0x34002573
    CHECK_EPC 2b
    CHECK_TRAP_MODE 3

    CASE 32, "U-mode access to an S-mode CSR is illegal"
    ENTER_U
    EXPECT_TRAP 1f
    csrw sscratch, a1
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL

    CASE 33, "U-mode access to an M-mode CSR is illegal"
    ENTER_U
    EXPECT_TRAP 1f
    csrr a0, mstatus
1:  ENTER_M
    CHECK_CAUSE CAUSE_ILLEGAL

    # ---- misa ----
    # MXL = 2 (64-bit) and the letters I, M, A, F, D, C, S, U.
    CASE 40, "misa: RV64 with I, M, A, F, D, C, S, U"
    csrr a0, misa
    srli a1, a0, 62
    CHECK a1, 2
    li a2, (1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 2) | (1 << 18) | (1 << 20)
    and a1, a0, a2
    CHECK_SAME a1, a2

    # ---- mstatus and sstatus ----
    # UXL and SXL are read-only 2 (64-bit): bits 33:32 and 35:34.
    CASE 41, "mstatus.UXL = mstatus.SXL = 2"
    csrr a0, mstatus
    srli a0, a0, 32
    andi a0, a0, 0xf
    CHECK a0, 0xa

    CASE 42, "sstatus shows UXL but not SXL"
    csrr a0, sstatus
    srli a0, a0, 32
    andi a0, a0, 0xf
    CHECK a0, 0x2

    # SIE written through sstatus appears in mstatus, and back.
    CASE 43, "sstatus.SIE is mstatus.SIE"
    csrci mstatus, MSTATUS_SIE
    csrsi sstatus, MSTATUS_SIE
    csrr a0, mstatus
    andi a0, a0, MSTATUS_SIE
    CHECK a0, MSTATUS_SIE
    csrci mstatus, MSTATUS_SIE
    csrr a0, sstatus
    andi a0, a0, MSTATUS_SIE
    CHECK a0, 0

    # sstatus hides M-mode fields: MIE, MPIE, MPP, MPRV, TVM, TW, TSR.
    CASE 44, "sstatus hides and ignores the M-mode fields"
    li a1, MSTATUS_MPIE | MSTATUS_MPP
    csrs mstatus, a1
    csrr a0, sstatus
    li a2, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
    and a0, a0, a2
    CHECK a0, 0
    csrw mstatus, zero
    li a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_FS
    csrs sstatus, a1
    csrr a0, mstatus
    and a0, a0, a2
    CHECK a0, 0
    # SUM, MXR, SPP, SPIE, SIE and FS did change.
    csrr a0, mstatus
    li a2, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_FS
    and a0, a0, a2
    CHECK_SAME a0, a2
    li a1, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE
    csrc mstatus, a1

    # SD (bit 63) summarizes FS = Dirty.
    CASE 45, "mstatus.SD is set while FS is Dirty"
    li a1, MSTATUS_FS
    csrs mstatus, a1
    csrr a0, mstatus
    bgez a0, 1f
    csrr a0, sstatus
    bgez a0, 1f
    li a1, MSTATUS_FS
    csrc mstatus, a1
    li a1, MSTATUS_FS_INITIAL
    csrs mstatus, a1
    csrr a0, mstatus
    bltz a0, 1f
    j 2f
1:  FAIL
2:

    # ---- delegation and interrupt-enable registers ----
    # Only the supervisor interrupts (SSIP 1, STIP 5, SEIP 9) can be delegated.
    CASE 50, "mideleg: S bits writable, M bits read-only zero"
    li a1, -1
    csrw mideleg, a1
    csrr a0, mideleg
    li t0, 0xaaa
    and a0, a0, t0
    CHECK a0, 0x222
    csrw mideleg, zero

    CASE 51, "mie: all six standard bits writable"
    li a1, -1
    csrw mie, a1
    csrr a0, mie
    li t0, 0xaaa
    and a0, a0, t0
    CHECK a0, 0xaaa
    csrw mie, zero

    # sie is mie masked by mideleg: with nothing delegated it reads 0 and ignores writes.
    CASE 52, "sie without delegation reads 0 and ignores writes"
    li a1, MIP_SSIP | MIP_STIP | MIP_SEIP
    csrw mie, a1
    csrr a0, sie
    CHECK a0, 0
    csrw sie, zero
    csrr a0, mie
    CHECK a0, MIP_SSIP | MIP_STIP | MIP_SEIP
    csrw mie, zero

    CASE 53, "sie with SSIP delegated shows and writes mie.SSIE only"
    li a1, MIP_SSIP
    csrw mideleg, a1
    li a1, MIP_STIP | MIP_SSIP
    csrw mie, a1
    csrr a0, sie
    CHECK a0, MIP_SSIP
    csrw sie, zero
    csrr a0, mie
    CHECK a0, MIP_STIP
    csrsi sie, MIP_SSIP
    csrr a0, mie
    CHECK a0, MIP_STIP | MIP_SSIP
    csrw mie, zero
    csrw mideleg, zero

    # mip: MSIP, MTIP and MEIP are read-only (driven by the CLINT and PLIC); SSIP, STIP and SEIP
    # are writable in M-mode while Sstc is off. Nothing is enabled, so nothing is taken.
    CASE 54, "mip: M bits read-only, S bits writable"
    li a1, CLINT_MTIMECMP
    li a2, -1
    sd a2, 0(a1)
    li a1, -1
    csrw mip, a1
    csrr a0, mip
    li t0, 0x888
    and a1, a0, t0
    CHECK a1, 0
    andi a1, a0, 0x222
    CHECK a1, 0x222
    csrw mip, zero
    csrr a0, mip
    li t0, 0xaaa
    and a0, a0, t0
    CHECK a0, 0

    CASE 55, "sip writes SSIP only when delegated"
    csrw sip, MIP_SSIP
    csrr a0, mip
    andi a0, a0, MIP_SSIP
    CHECK a0, 0
    li a1, MIP_SSIP
    csrw mideleg, a1
    csrsi sip, MIP_SSIP
    csrr a0, mip
    andi a0, a0, MIP_SSIP
    CHECK a0, MIP_SSIP
    csrr a0, sip
    CHECK a0, MIP_SSIP
    csrci sip, MIP_SSIP
    csrr a0, mip
    andi a0, a0, MIP_SSIP
    CHECK a0, 0
    csrw mideleg, zero

    CASE 56, "medeleg: the delegable exceptions are writable"
    li a1, 0xb3ff
    csrw medeleg, a1
    csrr a0, medeleg
    and a0, a0, a1
    CHECK a0, 0xb3ff
    csrw medeleg, zero
    csrr a0, medeleg
    CHECK a0, 0

    # ---- trap vectors: modes 2 and 3 are reserved, the base keeps its bits ----
    CASE 60, "mtvec: direct and vectored modes are kept, a reserved mode is not"
    csrr s0, mtvec
    la a1, vector_table
    csrw mtvec, a1
    csrr a0, mtvec
    CHECK_ADDR a0, vector_table
    ori a2, a1, 1
    csrw mtvec, a2
    csrr a0, mtvec
    CHECK_SAME a0, a2
    ori a3, a1, 2
    csrw mtvec, a3
    csrr a0, mtvec
    andi a0, a0, 3
    li t6, 2
    beq a0, t6, 1f
    ori a3, a1, 3
    csrw mtvec, a3
    csrr a0, mtvec
    andi a0, a0, 3
    li t6, 3
    beq a0, t6, 1f
    j 2f
1:  FAIL
2:  csrw mtvec, s0

    CASE 61, "stvec: direct and vectored modes are kept, a reserved mode is not"
    csrr s0, stvec
    la a1, vector_table
    ori a2, a1, 1
    csrw stvec, a2
    csrr a0, stvec
    CHECK_SAME a0, a2
    ori a3, a1, 2
    csrw stvec, a3
    csrr a0, stvec
    andi a0, a0, 3
    li t6, 2
    beq a0, t6, 1f
    j 2f
1:  FAIL
2:  csrw stvec, s0

    # ---- trap registers hold what is written ----
    CASE 62, "mcause, mtval, scause, stval, sscratch are read/write"
    li a1, 0x8000000000000005
    csrw mcause, a1
    csrr a0, mcause
    CHECK_SAME a0, a1
    li a1, 0x0123456789abcdef
    csrw mtval, a1
    csrr a0, mtval
    CHECK_SAME a0, a1
    li a1, 13
    csrw scause, a1
    csrr a0, scause
    CHECK a0, 13
    li a1, 0xfedcba9876543210
    csrw stval, a1
    csrr a0, stval
    CHECK_SAME a0, a1
    csrw sscratch, a1
    csrr a0, sscratch
    CHECK_SAME a0, a1

    CASE 63, "mepc and sepc hold an even address"
    li a1, 0x80001234
    csrw mepc, a1
    csrr a0, mepc
    CHECK a0, 0x80001234
    li a1, 0x8000000000000002
    csrw sepc, a1
    csrr a0, sepc
    CHECK a0, 0x8000000000000002

    # ---- floating-point CSRs: fcsr = frm (bits 7:5) : fflags (bits 4:0) ----
    CASE 70, "fcsr holds frm and fflags"
    li a1, 0xff
    csrw fcsr, a1
    csrr a0, frm
    CHECK a0, 7
    csrr a0, fflags
    CHECK a0, 0x1f
    csrr a0, fcsr
    CHECK a0, 0xff

    CASE 71, "fcsr bits above 7 are zero"
    li a1, 0x3ff
    csrw fcsr, a1
    csrr a0, fcsr
    CHECK a0, 0xff

    CASE 72, "writing frm leaves fflags, writing fflags leaves frm"
    csrwi frm, 2
    csrr a0, fcsr
    CHECK a0, 0x5f
    csrwi fflags, 0x5
    csrr a0, fcsr
    CHECK a0, 0x45
    csrrwi a0, fflags, 0
    CHECK a0, 0x5
    csrrwi a0, frm, 0
    CHECK a0, 2
    csrr a0, fcsr
    CHECK a0, 0

    # ---- menvcfg ----
    CASE 80, "menvcfg.STCE and FIOM are writable"
    li a1, (1 << 63) | 1
    csrw menvcfg, a1
    csrr a0, menvcfg
    and a0, a0, a1
    CHECK_SAME a0, a1
    csrw menvcfg, zero
    csrr a0, menvcfg
    CHECK a0, 0

    CASE 81, "senvcfg.FIOM is writable"
    csrwi senvcfg, 1
    csrr a0, senvcfg
    andi a0, a0, 1
    CHECK a0, 1
    csrwi senvcfg, 0

    PASS

    .balign 64
vector_table:
    .skip 64
