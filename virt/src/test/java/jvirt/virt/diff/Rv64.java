package jvirt.virt.diff;

import static jvirt.virt.diff.InstructionFormats.b;
import static jvirt.virt.diff.InstructionFormats.ca;
import static jvirt.virt.diff.InstructionFormats.cb;
import static jvirt.virt.diff.InstructionFormats.ci;
import static jvirt.virt.diff.InstructionFormats.ciw;
import static jvirt.virt.diff.InstructionFormats.cj;
import static jvirt.virt.diff.InstructionFormats.cl;
import static jvirt.virt.diff.InstructionFormats.cr;
import static jvirt.virt.diff.InstructionFormats.cs;
import static jvirt.virt.diff.InstructionFormats.css;
import static jvirt.virt.diff.InstructionFormats.i;
import static jvirt.virt.diff.InstructionFormats.j;
import static jvirt.virt.diff.InstructionFormats.r;
import static jvirt.virt.diff.InstructionFormats.r4;
import static jvirt.virt.diff.InstructionFormats.s;
import static jvirt.virt.diff.InstructionFormats.u;

/**
 * The RV64GC (+ Zba, Zbb, Zbc, Zbs, Zicsr, Zifencei) instructions the generator emits, each as an
 * {@link Insn} with an objdump-style mnemonic (numeric register names). Operand ranges are the
 * caller's business: nothing here checks that an immediate fits.
 */
final class Rv64 {
    private Rv64() {
    }

    static final int OP_IMM = 0x13;
    static final int OP_IMM_32 = 0x1B;
    static final int OP = 0x33;
    static final int OP_32 = 0x3B;
    static final int LOAD = 0x03;
    static final int LOAD_FP = 0x07;
    static final int STORE = 0x23;
    static final int STORE_FP = 0x27;
    static final int BRANCH = 0x63;
    static final int AMO = 0x2F;
    static final int OP_FP = 0x53;
    static final int SYSTEM = 0x73;
    static final int MISC_MEM = 0x0F;

    static final String[] ROUNDING = {"rne", "rtz", "rdn", "rup", "rmm", "rm5", "rm6", "dyn"};

    static String x(int reg) {
        return "x" + reg;
    }

    static String f(int reg) {
        return "f" + reg;
    }

    private static String signed(int offset) {
        return offset < 0 ? "-" + -offset : "+" + offset;
    }

    // ---- integer register-register (OP, OP-32) ----

    enum RegReg {
        ADD("add", OP, 0, 0x00), SUB("sub", OP, 0, 0x20), SLL("sll", OP, 1, 0x00), SLT("slt", OP, 2, 0x00),
        SLTU("sltu", OP, 3, 0x00), XOR("xor", OP, 4, 0x00), SRL("srl", OP, 5, 0x00), SRA("sra", OP, 5, 0x20),
        OR("or", OP, 6, 0x00), AND("and", OP, 7, 0x00),
        ADDW("addw", OP_32, 0, 0x00), SUBW("subw", OP_32, 0, 0x20), SLLW("sllw", OP_32, 1, 0x00),
        SRLW("srlw", OP_32, 5, 0x00), SRAW("sraw", OP_32, 5, 0x20),
        MUL("mul", OP, 0, 0x01), MULH("mulh", OP, 1, 0x01), MULHSU("mulhsu", OP, 2, 0x01),
        MULHU("mulhu", OP, 3, 0x01), DIV("div", OP, 4, 0x01), DIVU("divu", OP, 5, 0x01), REM("rem", OP, 6, 0x01),
        REMU("remu", OP, 7, 0x01), MULW("mulw", OP_32, 0, 0x01), DIVW("divw", OP_32, 4, 0x01),
        DIVUW("divuw", OP_32, 5, 0x01), REMW("remw", OP_32, 6, 0x01), REMUW("remuw", OP_32, 7, 0x01),
        SH1ADD("sh1add", OP, 2, 0x10), SH2ADD("sh2add", OP, 4, 0x10), SH3ADD("sh3add", OP, 6, 0x10),
        ADD_UW("add.uw", OP_32, 0, 0x04), SH1ADD_UW("sh1add.uw", OP_32, 2, 0x10),
        SH2ADD_UW("sh2add.uw", OP_32, 4, 0x10), SH3ADD_UW("sh3add.uw", OP_32, 6, 0x10),
        ANDN("andn", OP, 7, 0x20), ORN("orn", OP, 6, 0x20), XNOR("xnor", OP, 4, 0x20),
        MAX("max", OP, 6, 0x05), MAXU("maxu", OP, 7, 0x05), MIN("min", OP, 4, 0x05), MINU("minu", OP, 5, 0x05),
        ROL("rol", OP, 1, 0x30), ROR("ror", OP, 5, 0x30), ROLW("rolw", OP_32, 1, 0x30), RORW("rorw", OP_32, 5, 0x30),
        CLMUL("clmul", OP, 1, 0x05), CLMULH("clmulh", OP, 3, 0x05), CLMULR("clmulr", OP, 2, 0x05),
        BCLR("bclr", OP, 1, 0x24), BEXT("bext", OP, 5, 0x24), BINV("binv", OP, 1, 0x34), BSET("bset", OP, 1, 0x14);

        final String name;
        final int opcode;
        final int funct3;
        final int funct7;

        RegReg(String name, int opcode, int funct3, int funct7) {
            this.name = name;
            this.opcode = opcode;
            this.funct3 = funct3;
            this.funct7 = funct7;
        }

        Insn of(int rd, int rs1, int rs2) {
            return Insn.fixed(r(opcode, rd, funct3, rs1, rs2, funct7), name + " " + x(rd) + ", " + x(rs1) + ", " + x(rs2));
        }
    }

    // ---- integer register-immediate ----

    enum RegImm {
        ADDI("addi", OP_IMM, 0), SLTI("slti", OP_IMM, 2), SLTIU("sltiu", OP_IMM, 3), XORI("xori", OP_IMM, 4),
        ORI("ori", OP_IMM, 6), ANDI("andi", OP_IMM, 7), ADDIW("addiw", OP_IMM_32, 0);

        final String name;
        final int opcode;
        final int funct3;

        RegImm(String name, int opcode, int funct3) {
            this.name = name;
            this.opcode = opcode;
            this.funct3 = funct3;
        }

        Insn of(int rd, int rs1, int imm) {
            return Insn.fixed(i(opcode, rd, funct3, rs1, imm), name + " " + x(rd) + ", " + x(rs1) + ", " + imm);
        }
    }

    /** Shifts and single-bit operations by an immediate: the field above the shift amount is fixed. */
    enum ShiftImm {
        SLLI("slli", OP_IMM, 1, 0x00, 6), SRLI("srli", OP_IMM, 5, 0x00, 6), SRAI("srai", OP_IMM, 5, 0x10, 6),
        RORI("rori", OP_IMM, 5, 0x18, 6), BCLRI("bclri", OP_IMM, 1, 0x12, 6), BSETI("bseti", OP_IMM, 1, 0x0A, 6),
        BINVI("binvi", OP_IMM, 1, 0x1A, 6), BEXTI("bexti", OP_IMM, 5, 0x12, 6),
        SLLI_UW("slli.uw", OP_IMM_32, 1, 0x02, 6),
        SLLIW("slliw", OP_IMM_32, 1, 0x00, 5), SRLIW("srliw", OP_IMM_32, 5, 0x00, 5),
        SRAIW("sraiw", OP_IMM_32, 5, 0x20, 5), RORIW("roriw", OP_IMM_32, 5, 0x30, 5);

        final String name;
        final int opcode;
        final int funct3;
        final int high;
        final int shamtBits;

        ShiftImm(String name, int opcode, int funct3, int high, int shamtBits) {
            this.name = name;
            this.opcode = opcode;
            this.funct3 = funct3;
            this.high = high;
            this.shamtBits = shamtBits;
        }

        Insn of(int rd, int rs1, int shamt) {
            return Insn.fixed(i(opcode, rd, funct3, rs1, high << shamtBits | shamt),
                    name + " " + x(rd) + ", " + x(rs1) + ", " + shamt);
        }
    }

    /** One-operand Zbb operations: I-type encodings whose immediate field is fixed. */
    enum Unary {
        CLZ("clz", OP_IMM, 1, 0x600), CTZ("ctz", OP_IMM, 1, 0x601), CPOP("cpop", OP_IMM, 1, 0x602),
        SEXT_B("sext.b", OP_IMM, 1, 0x604), SEXT_H("sext.h", OP_IMM, 1, 0x605),
        CLZW("clzw", OP_IMM_32, 1, 0x600), CTZW("ctzw", OP_IMM_32, 1, 0x601), CPOPW("cpopw", OP_IMM_32, 1, 0x602),
        ORC_B("orc.b", OP_IMM, 5, 0x287), REV8("rev8", OP_IMM, 5, 0x6B8),
        ZEXT_H("zext.h", OP_32, 4, 0x080);

        final String name;
        final int opcode;
        final int funct3;
        final int imm12;

        Unary(String name, int opcode, int funct3, int imm12) {
            this.name = name;
            this.opcode = opcode;
            this.funct3 = funct3;
            this.imm12 = imm12;
        }

        Insn of(int rd, int rs1) {
            return Insn.fixed(i(opcode, rd, funct3, rs1, imm12), name + " " + x(rd) + ", " + x(rs1));
        }
    }

    static Insn lui(int rd, int imm20) {
        return Insn.fixed(u(0x37, rd, imm20 & 0xFFFFF), "lui " + x(rd) + ", 0x" + Integer.toHexString(imm20 & 0xFFFFF));
    }

    static Insn auipc(int rd, int imm20) {
        return Insn.fixed(u(0x17, rd, imm20 & 0xFFFFF), "auipc " + x(rd) + ", 0x" + Integer.toHexString(imm20 & 0xFFFFF));
    }

    // ---- loads and stores ----

    enum Load {
        LB("lb", LOAD, 0, 1), LH("lh", LOAD, 1, 2), LW("lw", LOAD, 2, 4), LD("ld", LOAD, 3, 8),
        LBU("lbu", LOAD, 4, 1), LHU("lhu", LOAD, 5, 2), LWU("lwu", LOAD, 6, 4),
        FLW("flw", LOAD_FP, 2, 4), FLD("fld", LOAD_FP, 3, 8);

        final String name;
        final int opcode;
        final int funct3;
        final int size;

        Load(String name, int opcode, int funct3, int size) {
            this.name = name;
            this.opcode = opcode;
            this.funct3 = funct3;
            this.size = size;
        }

        boolean toFloat() {
            return opcode == LOAD_FP;
        }

        Insn of(int rd, int rs1, int imm) {
            return Insn.fixed(i(opcode, rd, funct3, rs1, imm),
                    name + " " + (toFloat() ? f(rd) : x(rd)) + ", " + imm + "(" + x(rs1) + ")");
        }
    }

    enum Store {
        SB("sb", STORE, 0, 1), SH("sh", STORE, 1, 2), SW("sw", STORE, 2, 4), SD("sd", STORE, 3, 8),
        FSW("fsw", STORE_FP, 2, 4), FSD("fsd", STORE_FP, 3, 8);

        final String name;
        final int opcode;
        final int funct3;
        final int size;

        Store(String name, int opcode, int funct3, int size) {
            this.name = name;
            this.opcode = opcode;
            this.funct3 = funct3;
            this.size = size;
        }

        boolean fromFloat() {
            return opcode == STORE_FP;
        }

        Insn of(int rs2, int rs1, int imm) {
            return Insn.fixed(s(opcode, funct3, rs1, rs2, imm),
                    name + " " + (fromFloat() ? f(rs2) : x(rs2)) + ", " + imm + "(" + x(rs1) + ")");
        }
    }

    // ---- control transfer (forward only) ----

    enum Branch {
        BEQ("beq", 0), BNE("bne", 1), BLT("blt", 4), BGE("bge", 5), BLTU("bltu", 6), BGEU("bgeu", 7);

        final String name;
        final int funct3;

        Branch(String name, int funct3) {
            this.name = name;
            this.funct3 = funct3;
        }

        Insn skipping(int rs1, int rs2, int skip) {
            return Insn.forward(4, skip, 0, offset -> b(BRANCH, funct3, rs1, rs2, offset),
                    offset -> name + " " + x(rs1) + ", " + x(rs2) + ", " + signed(offset));
        }
    }

    static Insn jal(int rd, int skip) {
        return Insn.forward(4, skip, 0, offset -> j(0x6F, rd, offset), offset -> "jal " + x(rd) + ", " + signed(offset));
    }

    /** jalr whose target is {@code skip} units on, relative to an auipc {@code -anchorDelta} places before it; {@code odd} adds 1 (jalr clears it). */
    static Insn jalr(int rd, int rs1, int skip, int anchorDelta, boolean odd) {
        int extra = odd ? 1 : 0;
        return Insn.forward(4, skip, anchorDelta, offset -> i(0x67, rd, 0, rs1, offset + extra),
                offset -> "jalr " + x(rd) + ", " + (offset + extra) + "(" + x(rs1) + ")");
    }

    /** addi whose immediate is the distance from an auipc {@code -anchorDelta} places before it to the target. */
    static Insn addiToTarget(int rd, int rs1, int skip, int anchorDelta) {
        return Insn.forward(4, skip, anchorDelta, offset -> i(OP_IMM, rd, 0, rs1, offset),
                offset -> "addi " + x(rd) + ", " + x(rs1) + ", " + offset);
    }

    // ---- A ----

    enum Amo {
        LR("lr", 0x02), SC("sc", 0x03), SWAP("amoswap", 0x01), ADD("amoadd", 0x00), XOR("amoxor", 0x04),
        AND("amoand", 0x0C), OR("amoor", 0x08), MIN("amomin", 0x10), MAX("amomax", 0x14),
        MINU("amominu", 0x18), MAXU("amomaxu", 0x1C);

        final String name;
        final int funct5;

        Amo(String name, int funct5) {
            this.name = name;
            this.funct5 = funct5;
        }

        Insn of(boolean dword, int rd, int rs2, int rs1, boolean aq, boolean rl) {
            int funct7 = funct5 << 2 | (aq ? 2 : 0) | (rl ? 1 : 0);
            String text = name + (dword ? ".d" : ".w") + (aq ? ".aq" : "") + (rl ? ".rl" : "") + " " + x(rd) + ", "
                    + (this == LR ? "" : x(rs2) + ", ") + "(" + x(rs1) + ")";
            return Insn.fixed(r(AMO, rd, dword ? 3 : 2, rs1, this == LR ? 0 : rs2, funct7), text);
        }
    }

    // ---- F and D ----

    /** Which register file an operand is in, and for float operands which format it is read as. */
    enum Kind {
        X, S, D
    }

    /** OP-FP instructions: rs2 is a register unless fixed, funct3 is the rounding mode unless fixed. */
    enum Fp {
        FADD_S("fadd.s", 0x00, -1, -1, Kind.S, Kind.S), FSUB_S("fsub.s", 0x04, -1, -1, Kind.S, Kind.S),
        FMUL_S("fmul.s", 0x08, -1, -1, Kind.S, Kind.S), FDIV_S("fdiv.s", 0x0C, -1, -1, Kind.S, Kind.S),
        FSQRT_S("fsqrt.s", 0x2C, 0, -1, Kind.S, Kind.S),
        FSGNJ_S("fsgnj.s", 0x10, -1, 0, Kind.S, Kind.S), FSGNJN_S("fsgnjn.s", 0x10, -1, 1, Kind.S, Kind.S),
        FSGNJX_S("fsgnjx.s", 0x10, -1, 2, Kind.S, Kind.S),
        FMIN_S("fmin.s", 0x14, -1, 0, Kind.S, Kind.S), FMAX_S("fmax.s", 0x14, -1, 1, Kind.S, Kind.S),
        FCVT_W_S("fcvt.w.s", 0x60, 0, -1, Kind.X, Kind.S), FCVT_WU_S("fcvt.wu.s", 0x60, 1, -1, Kind.X, Kind.S),
        FCVT_L_S("fcvt.l.s", 0x60, 2, -1, Kind.X, Kind.S), FCVT_LU_S("fcvt.lu.s", 0x60, 3, -1, Kind.X, Kind.S),
        FMV_X_W("fmv.x.w", 0x70, 0, 0, Kind.X, Kind.S), FCLASS_S("fclass.s", 0x70, 0, 1, Kind.X, Kind.S),
        FEQ_S("feq.s", 0x50, -1, 2, Kind.X, Kind.S), FLT_S("flt.s", 0x50, -1, 1, Kind.X, Kind.S),
        FLE_S("fle.s", 0x50, -1, 0, Kind.X, Kind.S),
        FCVT_S_W("fcvt.s.w", 0x68, 0, -1, Kind.S, Kind.X), FCVT_S_WU("fcvt.s.wu", 0x68, 1, -1, Kind.S, Kind.X),
        FCVT_S_L("fcvt.s.l", 0x68, 2, -1, Kind.S, Kind.X), FCVT_S_LU("fcvt.s.lu", 0x68, 3, -1, Kind.S, Kind.X),
        FMV_W_X("fmv.w.x", 0x78, 0, 0, Kind.S, Kind.X),
        FADD_D("fadd.d", 0x01, -1, -1, Kind.D, Kind.D), FSUB_D("fsub.d", 0x05, -1, -1, Kind.D, Kind.D),
        FMUL_D("fmul.d", 0x09, -1, -1, Kind.D, Kind.D), FDIV_D("fdiv.d", 0x0D, -1, -1, Kind.D, Kind.D),
        FSQRT_D("fsqrt.d", 0x2D, 0, -1, Kind.D, Kind.D),
        FSGNJ_D("fsgnj.d", 0x11, -1, 0, Kind.D, Kind.D), FSGNJN_D("fsgnjn.d", 0x11, -1, 1, Kind.D, Kind.D),
        FSGNJX_D("fsgnjx.d", 0x11, -1, 2, Kind.D, Kind.D),
        FMIN_D("fmin.d", 0x15, -1, 0, Kind.D, Kind.D), FMAX_D("fmax.d", 0x15, -1, 1, Kind.D, Kind.D),
        FCVT_W_D("fcvt.w.d", 0x61, 0, -1, Kind.X, Kind.D), FCVT_WU_D("fcvt.wu.d", 0x61, 1, -1, Kind.X, Kind.D),
        FCVT_L_D("fcvt.l.d", 0x61, 2, -1, Kind.X, Kind.D), FCVT_LU_D("fcvt.lu.d", 0x61, 3, -1, Kind.X, Kind.D),
        FMV_X_D("fmv.x.d", 0x71, 0, 0, Kind.X, Kind.D), FCLASS_D("fclass.d", 0x71, 0, 1, Kind.X, Kind.D),
        FEQ_D("feq.d", 0x51, -1, 2, Kind.X, Kind.D), FLT_D("flt.d", 0x51, -1, 1, Kind.X, Kind.D),
        FLE_D("fle.d", 0x51, -1, 0, Kind.X, Kind.D),
        FCVT_D_W("fcvt.d.w", 0x69, 0, -1, Kind.D, Kind.X), FCVT_D_WU("fcvt.d.wu", 0x69, 1, -1, Kind.D, Kind.X),
        FCVT_D_L("fcvt.d.l", 0x69, 2, -1, Kind.D, Kind.X), FCVT_D_LU("fcvt.d.lu", 0x69, 3, -1, Kind.D, Kind.X),
        FMV_D_X("fmv.d.x", 0x79, 0, 0, Kind.D, Kind.X),
        FCVT_S_D("fcvt.s.d", 0x20, 1, -1, Kind.S, Kind.D), FCVT_D_S("fcvt.d.s", 0x21, 0, -1, Kind.D, Kind.S);

        final String name;
        final int funct7;
        final int rs2;
        final int funct3;
        final Kind result;
        final Kind source;

        Fp(String name, int funct7, int rs2, int funct3, Kind result, Kind source) {
            this.name = name;
            this.funct7 = funct7;
            this.rs2 = rs2;
            this.funct3 = funct3;
            this.result = result;
            this.source = source;
        }

        boolean hasRs2() {
            return rs2 < 0;
        }

        boolean rounds() {
            return funct3 < 0;
        }

        /** {@code rm} is ignored unless the instruction rounds; {@code src2} unless it has an rs2. */
        Insn of(int rd, int src1, int src2, int rm) {
            int bits = r(OP_FP, rd, rounds() ? rm : funct3, src1, hasRs2() ? src2 : rs2, funct7);
            StringBuilder text = new StringBuilder(name).append(' ')
                    .append(result == Kind.X ? x(rd) : f(rd)).append(", ")
                    .append(source == Kind.X ? x(src1) : f(src1));
            if (hasRs2()) {
                text.append(", ").append(f(src2));
            }
            if (rounds()) {
                text.append(", ").append(ROUNDING[rm]);
            }
            return Insn.fixed(bits, text.toString());
        }
    }

    enum Fma {
        FMADD("fmadd", 0x43), FMSUB("fmsub", 0x47), FNMSUB("fnmsub", 0x4B), FNMADD("fnmadd", 0x4F);

        final String name;
        final int opcode;

        Fma(String name, int opcode) {
            this.name = name;
            this.opcode = opcode;
        }

        Insn of(boolean dbl, int rd, int rs1, int rs2, int rs3, int rm) {
            return Insn.fixed(r4(opcode, rd, rm, rs1, rs2, dbl ? 1 : 0, rs3), name + (dbl ? ".d " : ".s ")
                    + f(rd) + ", " + f(rs1) + ", " + f(rs2) + ", " + f(rs3) + ", " + ROUNDING[rm]);
        }
    }

    // ---- Zicsr, system, fences ----

    static final int CSR_FFLAGS = 0x001;
    static final int CSR_FRM = 0x002;
    static final int CSR_FCSR = 0x003;

    static String csrName(int csr) {
        return switch (csr) {
            case CSR_FFLAGS -> "fflags";
            case CSR_FRM -> "frm";
            case CSR_FCSR -> "fcsr";
            case 0x300 -> "mstatus";
            case 0x305 -> "mtvec";
            case 0x340 -> "mscratch";
            case 0x341 -> "mepc";
            case 0x342 -> "mcause";
            case 0x343 -> "mtval";
            default -> "0x" + Integer.toHexString(csr);
        };
    }

    private static final String[] CSR_OPS = {null, "csrrw", "csrrs", "csrrc", null, "csrrwi", "csrrsi", "csrrci"};

    /** funct3 1-3: csrrw/s/c with register {@code source}; 5-7: the immediate forms with uimm {@code source}. */
    static Insn csr(int funct3, int rd, int csr, int source) {
        String operand = funct3 >= 5 ? Integer.toString(source) : x(source);
        return Insn.fixed(i(SYSTEM, rd, funct3, source, csr),
                CSR_OPS[funct3] + " " + x(rd) + ", " + csrName(csr) + ", " + operand);
    }

    static Insn ecall() {
        return Insn.fixed(0x00000073, "ecall");
    }

    static Insn ebreak() {
        return Insn.fixed(0x00100073, "ebreak");
    }

    static Insn mret() {
        return Insn.fixed(0x30200073, "mret");
    }

    static Insn fence(int fm, int pred, int succ) {
        return Insn.fixed(i(MISC_MEM, 0, 0, 0, fm << 8 | pred << 4 | succ),
                "fence fm=" + fm + " pred=" + pred + " succ=" + succ);
    }

    static Insn fenceI() {
        return Insn.fixed(i(MISC_MEM, 0, 1, 0, 0), "fence.i");
    }

    static Insn sfenceVma(int rs1, int rs2) {
        return Insn.fixed(r(SYSTEM, 0, 0, rs1, rs2, 0x09), "sfence.vma " + x(rs1) + ", " + x(rs2));
    }

    /** Any bits, shown as a raw word: for deliberately illegal or reserved encodings. */
    static Insn raw(int bits, String why) {
        return Insn.fixed(bits, ((bits & 3) == 3 ? ".word 0x" : ".half 0x") + Integer.toHexString(bits) + "  # " + why);
    }

    // ---- C: quadrant 0 ----

    static Insn cAddi4spn(int rdp, int nzuimm) {
        int field = (nzuimm >> 4 & 3) << 6 | (nzuimm >> 6 & 0xF) << 2 | (nzuimm >> 2 & 1) << 1 | (nzuimm >> 3 & 1);
        return Insn.fixed(ciw(0, 0, field, rdp), "c.addi4spn " + x(rdp) + ", x2, " + nzuimm);
    }

    /** C.LW/C.SW: uimm[5:3] in bits 12:10, uimm[2|6] in bits 6:5. */
    private static int wordLow(int uimm) {
        return (uimm >> 2 & 1) << 1 | (uimm >> 6 & 1);
    }

    static Insn cFld(int rdp, int rs1p, int uimm) {
        return Insn.fixed(cl(0, 1, uimm >> 3, rs1p, uimm >> 6, rdp), "c.fld " + f(rdp) + ", " + uimm + "(" + x(rs1p) + ")");
    }

    static Insn cLw(int rdp, int rs1p, int uimm) {
        return Insn.fixed(cl(0, 2, uimm >> 3, rs1p, wordLow(uimm), rdp), "c.lw " + x(rdp) + ", " + uimm + "(" + x(rs1p) + ")");
    }

    static Insn cLd(int rdp, int rs1p, int uimm) {
        return Insn.fixed(cl(0, 3, uimm >> 3, rs1p, uimm >> 6, rdp), "c.ld " + x(rdp) + ", " + uimm + "(" + x(rs1p) + ")");
    }

    static Insn cFsd(int rs2p, int rs1p, int uimm) {
        return Insn.fixed(cs(0, 5, uimm >> 3, rs1p, uimm >> 6, rs2p), "c.fsd " + f(rs2p) + ", " + uimm + "(" + x(rs1p) + ")");
    }

    static Insn cSw(int rs2p, int rs1p, int uimm) {
        return Insn.fixed(cs(0, 6, uimm >> 3, rs1p, wordLow(uimm), rs2p), "c.sw " + x(rs2p) + ", " + uimm + "(" + x(rs1p) + ")");
    }

    static Insn cSd(int rs2p, int rs1p, int uimm) {
        return Insn.fixed(cs(0, 7, uimm >> 3, rs1p, uimm >> 6, rs2p), "c.sd " + x(rs2p) + ", " + uimm + "(" + x(rs1p) + ")");
    }

    // ---- C: quadrant 1 ----

    static Insn cAddi(int rd, int imm) {
        return Insn.fixed(ci(1, 0, rd, imm), rd == 0 && imm == 0 ? "c.nop" : "c.addi " + x(rd) + ", " + imm);
    }

    static Insn cAddiw(int rd, int imm) {
        return Insn.fixed(ci(1, 1, rd, imm), "c.addiw " + x(rd) + ", " + imm);
    }

    static Insn cLi(int rd, int imm) {
        return Insn.fixed(ci(1, 2, rd, imm), "c.li " + x(rd) + ", " + imm);
    }

    /** nzimm[9] in bit 12, nzimm[4|6|8:7|5] in bits 6:2. */
    static Insn cAddi16sp(int nzimm) {
        int field = (nzimm >> 9 & 1) << 5 | (nzimm >> 4 & 1) << 4 | (nzimm >> 6 & 1) << 3 | (nzimm >> 7 & 3) << 1
                | (nzimm >> 5 & 1);
        return Insn.fixed(ci(1, 3, 2, field), "c.addi16sp x2, " + nzimm);
    }

    /** {@code imm6} is nzimm[17:12]. */
    static Insn cLui(int rd, int imm6) {
        return Insn.fixed(ci(1, 3, rd, imm6), "c.lui " + x(rd) + ", 0x" + Integer.toHexString(imm6 & 0xFFFFF));
    }

    static Insn cSrli(int rdp, int shamt) {
        return Insn.fixed(cb(1, 4, (shamt >> 5) << 2, rdp, shamt), "c.srli " + x(rdp) + ", " + shamt);
    }

    static Insn cSrai(int rdp, int shamt) {
        return Insn.fixed(cb(1, 4, (shamt >> 5) << 2 | 1, rdp, shamt), "c.srai " + x(rdp) + ", " + shamt);
    }

    static Insn cAndi(int rdp, int imm) {
        return Insn.fixed(cb(1, 4, (imm >> 5 & 1) << 2 | 2, rdp, imm), "c.andi " + x(rdp) + ", " + imm);
    }

    private static final String[] CA_NAMES = {"c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"};

    /** {@code which}: 0 sub, 1 xor, 2 or, 3 and, 4 subw, 5 addw. */
    static Insn cArith(int which, int rdp, int rs2p) {
        int funct6 = which < 4 ? 0x23 : 0x27;
        return Insn.fixed(ca(1, funct6, rdp, which & 3, rs2p), CA_NAMES[which] + " " + x(rdp) + ", " + x(rs2p));
    }

    /** offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2. */
    private static int cjField(int offset) {
        return (offset >> 11 & 1) << 10 | (offset >> 4 & 1) << 9 | (offset >> 8 & 3) << 7 | (offset >> 10 & 1) << 6
                | (offset >> 6 & 1) << 5 | (offset >> 7 & 1) << 4 | (offset >> 1 & 7) << 1 | (offset >> 5 & 1);
    }

    static Insn cJ(int skip) {
        return Insn.forward(2, skip, 0, offset -> cj(1, 5, cjField(offset)), offset -> "c.j " + signed(offset));
    }

    /** offset[8|4:3] in bits 12:10, offset[7:6|2:1|5] in bits 6:2. */
    static Insn cBranch(boolean notZero, int rs1p, int skip) {
        return Insn.forward(2, skip, 0,
                offset -> cb(1, notZero ? 7 : 6, (offset >> 8 & 1) << 2 | (offset >> 3 & 3), rs1p,
                        (offset >> 6 & 3) << 3 | (offset >> 1 & 3) << 1 | (offset >> 5 & 1)),
                offset -> (notZero ? "c.bnez " : "c.beqz ") + x(rs1p) + ", " + signed(offset));
    }

    // ---- C: quadrant 2 ----

    static Insn cSlli(int rd, int shamt) {
        return Insn.fixed(ci(2, 0, rd, shamt), "c.slli " + x(rd) + ", " + shamt);
    }

    /** C.FLDSP/C.LDSP: uimm[5] in bit 12, uimm[4:3|8:6] in bits 6:2. */
    private static int doubleSpField(int uimm) {
        return (uimm >> 5 & 1) << 5 | (uimm >> 3 & 3) << 3 | (uimm >> 6 & 7);
    }

    static Insn cFldsp(int rd, int uimm) {
        return Insn.fixed(ci(2, 1, rd, doubleSpField(uimm)), "c.fldsp " + f(rd) + ", " + uimm + "(x2)");
    }

    /** uimm[5] in bit 12, uimm[4:2|7:6] in bits 6:2. */
    static Insn cLwsp(int rd, int uimm) {
        int field = (uimm >> 5 & 1) << 5 | (uimm >> 2 & 7) << 2 | (uimm >> 6 & 3);
        return Insn.fixed(ci(2, 2, rd, field), "c.lwsp " + x(rd) + ", " + uimm + "(x2)");
    }

    static Insn cLdsp(int rd, int uimm) {
        return Insn.fixed(ci(2, 3, rd, doubleSpField(uimm)), "c.ldsp " + x(rd) + ", " + uimm + "(x2)");
    }

    static Insn cJr(int rs1) {
        return Insn.fixed(cr(2, 8, rs1, 0), "c.jr " + x(rs1));
    }

    static Insn cJalr(int rs1) {
        return Insn.fixed(cr(2, 9, rs1, 0), "c.jalr " + x(rs1));
    }

    static Insn cMv(int rd, int rs2) {
        return Insn.fixed(cr(2, 8, rd, rs2), "c.mv " + x(rd) + ", " + x(rs2));
    }

    static Insn cAdd(int rd, int rs2) {
        return Insn.fixed(cr(2, 9, rd, rs2), "c.add " + x(rd) + ", " + x(rs2));
    }

    static Insn cEbreak() {
        return Insn.fixed(cr(2, 9, 0, 0), "c.ebreak");
    }

    /** C.FSDSP/C.SDSP: uimm[5:3|8:6] in bits 12:7. */
    private static int doubleSpStoreField(int uimm) {
        return (uimm >> 3 & 7) << 3 | (uimm >> 6 & 7);
    }

    static Insn cFsdsp(int rs2, int uimm) {
        return Insn.fixed(css(2, 5, doubleSpStoreField(uimm), rs2), "c.fsdsp " + f(rs2) + ", " + uimm + "(x2)");
    }

    /** uimm[5:2|7:6] in bits 12:7. */
    static Insn cSwsp(int rs2, int uimm) {
        return Insn.fixed(css(2, 6, (uimm >> 2 & 0xF) << 2 | (uimm >> 6 & 3), rs2), "c.swsp " + x(rs2) + ", " + uimm + "(x2)");
    }

    static Insn cSdsp(int rs2, int uimm) {
        return Insn.fixed(css(2, 7, doubleSpStoreField(uimm), rs2), "c.sdsp " + x(rs2) + ", " + uimm + "(x2)");
    }
}
