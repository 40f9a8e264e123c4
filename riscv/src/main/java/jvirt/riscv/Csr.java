package jvirt.riscv;

import static jvirt.riscv.Hart.M;
import static jvirt.riscv.Hart.S;
import static jvirt.riscv.Hart.U;

/**
 * The control and status registers and the Zicsr instructions: numbers, access rules (privilege
 * in bits 9:8, read-only in bits 11:10, counter enables, FS, TVM, Sstc) and each register's WARL
 * behaviour.
 */
final class Csr {
    private Csr() {
    }

    static final int FFLAGS = 0x001;
    static final int FRM = 0x002;
    static final int FCSR = 0x003;
    static final int CYCLE = 0xC00;
    static final int TIME = 0xC01;
    static final int INSTRET = 0xC02;
    static final int HPMCOUNTER31 = 0xC1F;

    static final int SSTATUS = 0x100;
    static final int SIE = 0x104;
    static final int STVEC = 0x105;
    static final int SCOUNTEREN = 0x106;
    static final int SENVCFG = 0x10A;
    static final int SSCRATCH = 0x140;
    static final int SEPC = 0x141;
    static final int SCAUSE = 0x142;
    static final int STVAL = 0x143;
    static final int SIP = 0x144;
    static final int STIMECMP = 0x14D;
    static final int SATP = 0x180;

    static final int MVENDORID = 0xF11;
    static final int MARCHID = 0xF12;
    static final int MIMPID = 0xF13;
    static final int MHARTID = 0xF14;
    static final int MCONFIGPTR = 0xF15;
    static final int MSTATUS = 0x300;
    static final int MISA = 0x301;
    static final int MEDELEG = 0x302;
    static final int MIDELEG = 0x303;
    static final int MIE = 0x304;
    static final int MTVEC = 0x305;
    static final int MCOUNTEREN = 0x306;
    static final int MENVCFG = 0x30A;
    static final int MCOUNTINHIBIT = 0x320;
    static final int MHPMEVENT3 = 0x323;
    static final int MHPMEVENT31 = 0x33F;
    static final int MSCRATCH = 0x340;
    static final int MEPC = 0x341;
    static final int MCAUSE = 0x342;
    static final int MTVAL = 0x343;
    static final int MIP = 0x344;
    static final int PMPCFG0 = 0x3A0;
    static final int PMPCFG15 = 0x3AF;
    static final int PMPADDR0 = 0x3B0;
    static final int PMPADDR63 = 0x3EF;
    static final int MCYCLE = 0xB00;
    static final int MINSTRET = 0xB02;
    static final int MHPMCOUNTER3 = 0xB03;
    static final int MHPMCOUNTER31 = 0xB1F;

    /** RV64 with A, C, D, F, I, M, S, U. */
    static final long MISA_VALUE = 2L << 62 | 1 << ('A' - 'A') | 1 << ('C' - 'A') | 1 << ('D' - 'A')
            | 1 << ('F' - 'A') | 1 << ('I' - 'A') | 1 << ('M' - 'A') | 1 << ('S' - 'A') | 1 << ('U' - 'A');

    private static final long MSTATUS_WRITABLE = Hart.MSTATUS_SIE | Hart.MSTATUS_MIE | Hart.MSTATUS_SPIE
            | Hart.MSTATUS_MPIE | Hart.MSTATUS_SPP | Hart.MSTATUS_MPP | Hart.MSTATUS_FS | Hart.MSTATUS_MPRV
            | Hart.MSTATUS_SUM | Hart.MSTATUS_MXR | Hart.MSTATUS_TVM | Hart.MSTATUS_TW | Hart.MSTATUS_TSR;
    private static final long SSTATUS_WRITABLE = Hart.MSTATUS_SIE | Hart.MSTATUS_SPIE | Hart.MSTATUS_SPP
            | Hart.MSTATUS_FS | Hart.MSTATUS_SUM | Hart.MSTATUS_MXR;
    private static final long SSTATUS_VISIBLE = SSTATUS_WRITABLE | 3L << 32 | Hart.MSTATUS_SD;
    /** Exceptions that may be delegated: all but ecall from M-mode and the reserved 10 and 14. */
    private static final long MEDELEG_WRITABLE = 0xB3FF;
    private static final long S_INTERRUPTS = Hart.MIP_SSIP | Hart.MIP_STIP | Hart.MIP_SEIP;
    private static final long MIE_WRITABLE = S_INTERRUPTS | Hart.MIP_MSIP | Hart.MIP_MTIP | Hart.MIP_MEIP;
    private static final long MENVCFG_FIOM = 1;
    private static final int INHIBIT_CY = 1;
    private static final int INHIBIT_IR = 4;

    /** Executes a CSRRW/CSRRS/CSRRC (or immediate form) instruction. */
    static void execute(Hart h, long w) {
        int op = Op.op(w);
        int csr = (int) (Op.imm(w) >>> 20) & 0xFFF;
        int rs1 = Op.rs1(w);
        int kind = (op - Op.CSRRW) % 3; // 0: write, 1: set bits, 2: clear bits
        long operand = op >= Op.CSRRWI ? rs1 : h.x[rs1];
        boolean writes = kind == 0 || rs1 != 0;
        if ((csr >>> 8 & 3) > h.priv || (writes && csr >>> 10 == 3)) {
            throw h.illegalInstruction();
        }
        long old = read(h, csr);
        if (writes) {
            // mip's read-modify-write sees only the software-writable SEIP, not the PLIC's wire.
            long base = csr == MIP && kind != 0 ? old & ~Hart.MIP_SEIP | h.mipSoftware & Hart.MIP_SEIP : old;
            write(h, csr, kind == 0 ? operand : kind == 1 ? base | operand : base & ~operand);
        }
        h.x[Op.rd(w)] = old;
    }

    static long readMstatus(Hart h) {
        long st = h.mstatus;
        return (st & Hart.MSTATUS_FS) == Hart.MSTATUS_FS ? st | Hart.MSTATUS_SD : st;
    }

    private static long read(Hart h, int csr) {
        if (csr >= CYCLE && csr <= HPMCOUNTER31) {
            requireCounter(h, csr & 0x1F);
            return switch (csr) {
                case CYCLE -> cycle(h);
                case TIME -> h.clock.ticks();
                case INSTRET -> instret(h);
                default -> 0; // hpmcounter3..31 are hard-wired to zero
            };
        }
        if (csr >= PMPCFG0 && csr <= PMPCFG15) {
            if ((csr & 1) != 0) {
                throw h.illegalInstruction(); // odd pmpcfg registers do not exist on RV64
            }
            return h.mmu.pmp.readCfg(csr - PMPCFG0);
        }
        if (csr >= PMPADDR0 && csr <= PMPADDR63) {
            int i = csr - PMPADDR0;
            return i < Pmp.ENTRIES ? h.mmu.pmp.readAddr(i) : 0;
        }
        if ((csr >= MHPMCOUNTER3 && csr <= MHPMCOUNTER31) || (csr >= MHPMEVENT3 && csr <= MHPMEVENT31)) {
            return 0;
        }
        return switch (csr) {
            case FFLAGS -> {
                h.requireFs();
                yield h.fpu.flags;
            }
            case FRM -> {
                h.requireFs();
                yield h.frm;
            }
            case FCSR -> {
                h.requireFs();
                yield h.frm << 5 | h.fpu.flags;
            }
            case SSTATUS -> readMstatus(h) & SSTATUS_VISIBLE;
            case SIE -> h.mie & h.mideleg;
            case STVEC -> h.stvec;
            case SCOUNTEREN -> h.scounteren;
            case SENVCFG -> h.senvcfg;
            case SSCRATCH -> h.sscratch;
            case SEPC -> h.sepc;
            case SCAUSE -> h.scause;
            case STVAL -> h.stval;
            case SIP -> (h.mipSoftware | h.mipLines) & h.mideleg;
            case STIMECMP -> {
                requireStimecmp(h);
                yield h.stimecmp;
            }
            case SATP -> {
                requireSatp(h);
                yield h.mmu.satp();
            }
            case MVENDORID, MARCHID, MIMPID, MCONFIGPTR -> 0;
            case MHARTID -> h.hartId;
            case MSTATUS -> readMstatus(h);
            case MISA -> MISA_VALUE;
            case MEDELEG -> h.medeleg;
            case MIDELEG -> h.mideleg;
            case MIE -> h.mie;
            case MTVEC -> h.mtvec;
            case MCOUNTEREN -> h.mcounteren;
            case MENVCFG -> h.menvcfg;
            case MCOUNTINHIBIT -> h.mcountinhibit;
            case MSCRATCH -> h.mscratch;
            case MEPC -> h.mepc;
            case MCAUSE -> h.mcause;
            case MTVAL -> h.mtval;
            case MIP -> h.mipSoftware | h.mipLines;
            case MCYCLE -> cycle(h);
            case MINSTRET -> instret(h);
            default -> throw h.illegalInstruction();
        };
    }

    private static void write(Hart h, int csr, long v) {
        if (csr >= PMPCFG0 && csr <= PMPCFG15) {
            h.mmu.pmp.writeCfg(csr - PMPCFG0, v);
            h.mmu.flushAll();
            return;
        }
        if (csr >= PMPADDR0 && csr <= PMPADDR63) {
            int i = csr - PMPADDR0;
            if (i < Pmp.ENTRIES) {
                h.mmu.pmp.writeAddr(i, v);
                h.mmu.flushAll();
            }
            return;
        }
        switch (csr) {
            case FFLAGS -> {
                h.fpu.flags = (int) v & 0x1F;
                h.dirtyFs();
            }
            case FRM -> {
                h.frm = (int) v & 7;
                h.dirtyFs();
            }
            case FCSR -> {
                h.fpu.flags = (int) v & 0x1F;
                h.frm = (int) v >>> 5 & 7;
                h.dirtyFs();
            }
            case SSTATUS -> writeMstatus(h, h.mstatus & ~SSTATUS_WRITABLE | v & SSTATUS_WRITABLE);
            case SIE -> h.mie = h.mie & ~h.mideleg | v & h.mideleg & S_INTERRUPTS;
            case STVEC -> h.stvec = legalTvec(h.stvec, v);
            case SCOUNTEREN -> h.scounteren = v & 0xFFFFFFFFL;
            case SENVCFG -> h.senvcfg = v & MENVCFG_FIOM;
            case SSCRATCH -> h.sscratch = v;
            case SEPC -> h.sepc = v & ~1L;
            case SCAUSE -> h.scause = v;
            case STVAL -> h.stval = v;
            case SIP -> {
                long writable = Hart.MIP_SSIP & h.mideleg;
                h.mipSoftware = h.mipSoftware & ~writable | v & writable;
            }
            case STIMECMP -> {
                h.stimecmp = v;
                h.evaluateSupervisorTimer();
            }
            case SATP -> h.mmu.writeSatp(v);
            case MSTATUS -> writeMstatus(h, v);
            case MISA, MHARTID -> {
                // Read-only here (misa is WARL: writes are ignored).
            }
            case MEDELEG -> h.medeleg = v & MEDELEG_WRITABLE;
            case MIDELEG -> h.mideleg = v & S_INTERRUPTS;
            case MIE -> h.mie = v & MIE_WRITABLE;
            case MTVEC -> h.mtvec = legalTvec(h.mtvec, v);
            case MCOUNTEREN -> h.mcounteren = v & 0xFFFFFFFFL;
            case MENVCFG -> {
                h.menvcfg = v & (MENVCFG_FIOM | Hart.MENVCFG_STCE);
                if ((h.menvcfg & Hart.MENVCFG_STCE) != 0) {
                    // With Sstc on, STIP is time >= stimecmp alone: a software-written STIP goes.
                    h.mipSoftware &= ~Hart.MIP_STIP;
                }
                h.evaluateSupervisorTimer();
            }
            case MCOUNTINHIBIT -> writeInhibit(h, v & (INHIBIT_CY | INHIBIT_IR | 0xFFFFFFF8L));
            case MSCRATCH -> h.mscratch = v;
            case MEPC -> h.mepc = v & ~1L;
            case MCAUSE -> h.mcause = v;
            case MTVAL -> h.mtval = v;
            case MIP -> {
                long writable = Hart.MIP_SSIP | Hart.MIP_SEIP | ((h.menvcfg & Hart.MENVCFG_STCE) == 0 ? Hart.MIP_STIP : 0);
                h.mipSoftware = h.mipSoftware & ~writable | v & writable;
            }
            // The write takes effect after the writing instruction retires, which counts itself.
            case MCYCLE -> h.cycleOffset = (h.mcountinhibit & INHIBIT_CY) != 0 ? v : v - h.retired - 1;
            case MINSTRET -> h.instretOffset = (h.mcountinhibit & INHIBIT_IR) != 0 ? v : v - h.retired - 1;
            default -> {
                // hpm counters and events: hard-wired to zero.
            }
        }
    }

    private static void writeMstatus(Hart h, long v) {
        long old = h.mstatus;
        long st = old & ~MSTATUS_WRITABLE | v & MSTATUS_WRITABLE;
        if ((st & Hart.MSTATUS_MPP) == 2L << Hart.MSTATUS_MPP_SHIFT) {
            st = st & ~Hart.MSTATUS_MPP | old & Hart.MSTATUS_MPP; // no H-mode: keep the legal old value
        }
        h.mstatus = st;
        // SUM selects a TLB of its own (Hart.updateContext); MXR changes what loads may read.
        if (((old ^ st) & Hart.MSTATUS_MXR) != 0) {
            h.mmu.flushTranslated();
        }
    }

    private static long legalTvec(long old, long v) {
        return (v & 3) >= 2 ? old : v; // modes 2 and 3 are reserved: keep the old value
    }

    private static long cycle(Hart h) {
        return (h.mcountinhibit & INHIBIT_CY) != 0 ? h.cycleOffset : h.retired + h.cycleOffset;
    }

    private static long instret(Hart h) {
        return (h.mcountinhibit & INHIBIT_IR) != 0 ? h.instretOffset : h.retired + h.instretOffset;
    }

    /** While a counter is inhibited its offset holds its frozen value. */
    private static void writeInhibit(Hart h, long v) {
        long changed = h.mcountinhibit ^ v;
        if ((changed & INHIBIT_CY) != 0) {
            h.cycleOffset = (v & INHIBIT_CY) != 0 ? h.retired + h.cycleOffset : h.cycleOffset - h.retired;
        }
        if ((changed & INHIBIT_IR) != 0) {
            h.instretOffset = (v & INHIBIT_IR) != 0 ? h.retired + h.instretOffset : h.instretOffset - h.retired;
        }
        h.mcountinhibit = v;
    }

    /** cycle, time, instret and hpmcounterN below M-mode need their bit in mcounteren (and scounteren for U). */
    private static void requireCounter(Hart h, int bit) {
        if ((h.priv < M && (h.mcounteren >>> bit & 1) == 0) || (h.priv == U && (h.scounteren >>> bit & 1) == 0)) {
            throw h.illegalInstruction();
        }
    }

    private static void requireStimecmp(Hart h) {
        if (h.priv < M && ((h.menvcfg & Hart.MENVCFG_STCE) == 0 || (h.mcounteren & 2) == 0)) {
            throw h.illegalInstruction();
        }
    }

    private static void requireSatp(Hart h) {
        if (h.priv == S && (h.mstatus & Hart.MSTATUS_TVM) != 0) {
            throw h.illegalInstruction();
        }
    }
}
