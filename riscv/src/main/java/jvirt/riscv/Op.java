package jvirt.riscv;

/**
 * The pre-decoded instruction format. Each instruction is one {@code long}:
 *
 * <pre>
 *  63            32 31    24 23  19 18  14 13   8 7      0
 * +----------------+--------+------+------+------+--------+
 * |  imm (signed)  | offset | rs2  | rs1  |  rd  |   op   |
 * +----------------+--------+------+------+------+--------+
 * </pre>
 *
 * {@code offset} is the instruction's distance from the start of its block in halfwords; integer
 * destination x0 is stored as 32, a register nobody reads, so no instruction tests for it. The
 * floating-point group keeps its sub-operation, rounding mode and rs3 in {@code imm} (see
 * {@link #fp}). Control transfers and system instructions end a block; a block that ends for any
 * other reason (page end, length limit) ends with {@link #END}.
 */
final class Op {
    private Op() {
    }

    static final int ZERO_SINK = 32;

    // Block terminators (pc-changing or system).
    static final int END = 0;
    static final int JAL = 1;
    static final int JALR = 2;
    static final int BEQ = 3;
    static final int BNE = 4;
    static final int BLT = 5;
    static final int BGE = 6;
    static final int BLTU = 7;
    static final int BGEU = 8;
    static final int ECALL = 9;
    static final int EBREAK = 10;
    static final int MRET = 11;
    static final int SRET = 12;
    static final int WFI = 13;
    static final int SFENCE_VMA = 14;
    static final int FENCE_I = 15;
    static final int CSRRW = 16;
    static final int CSRRS = 17;
    static final int CSRRC = 18;
    static final int CSRRWI = 19;
    static final int CSRRSI = 20;
    static final int CSRRCI = 21;
    static final int ILLEGAL = 22;

    // Integer, RV64I.
    static final int LUI = 30;
    static final int AUIPC = 31;
    static final int LB = 32;
    static final int LH = 33;
    static final int LW = 34;
    static final int LD = 35;
    static final int LBU = 36;
    static final int LHU = 37;
    static final int LWU = 38;
    static final int SB = 39;
    static final int SH = 40;
    static final int SW = 41;
    static final int SD = 42;
    static final int ADDI = 43;
    static final int SLTI = 44;
    static final int SLTIU = 45;
    static final int XORI = 46;
    static final int ORI = 47;
    static final int ANDI = 48;
    static final int SLLI = 49;
    static final int SRLI = 50;
    static final int SRAI = 51;
    static final int ADD = 52;
    static final int SUB = 53;
    static final int SLL = 54;
    static final int SLT = 55;
    static final int SLTU = 56;
    static final int XOR = 57;
    static final int SRL = 58;
    static final int SRA = 59;
    static final int OR = 60;
    static final int AND = 61;
    static final int ADDIW = 62;
    static final int SLLIW = 63;
    static final int SRLIW = 64;
    static final int SRAIW = 65;
    static final int ADDW = 66;
    static final int SUBW = 67;
    static final int SLLW = 68;
    static final int SRLW = 69;
    static final int SRAW = 70;
    static final int FENCE = 71;

    // M.
    static final int MUL = 72;
    static final int MULH = 73;
    static final int MULHSU = 74;
    static final int MULHU = 75;
    static final int DIV = 76;
    static final int DIVU = 77;
    static final int REM = 78;
    static final int REMU = 79;
    static final int MULW = 80;
    static final int DIVW = 81;
    static final int DIVUW = 82;
    static final int REMW = 83;
    static final int REMUW = 84;

    // Zba.
    static final int SH1ADD = 85;
    static final int SH2ADD = 86;
    static final int SH3ADD = 87;
    static final int ADD_UW = 88;
    static final int SH1ADD_UW = 89;
    static final int SH2ADD_UW = 90;
    static final int SH3ADD_UW = 91;
    static final int SLLI_UW = 92;

    // Zbb.
    static final int ANDN = 93;
    static final int ORN = 94;
    static final int XNOR = 95;
    static final int CLZ = 96;
    static final int CLZW = 97;
    static final int CTZ = 98;
    static final int CTZW = 99;
    static final int CPOP = 100;
    static final int CPOPW = 101;
    static final int MAX = 102;
    static final int MAXU = 103;
    static final int MIN = 104;
    static final int MINU = 105;
    static final int SEXT_B = 106;
    static final int SEXT_H = 107;
    static final int ZEXT_H = 108;
    static final int ROL = 109;
    static final int ROLW = 110;
    static final int ROR = 111;
    static final int RORI = 112;
    static final int RORIW = 113;
    static final int RORW = 114;
    static final int ORC_B = 115;
    static final int REV8 = 116;

    // Zbc.
    static final int CLMUL = 117;
    static final int CLMULH = 118;
    static final int CLMULR = 119;

    // Zbs.
    static final int BCLR = 120;
    static final int BCLRI = 121;
    static final int BEXT = 122;
    static final int BEXTI = 123;
    static final int BINV = 124;
    static final int BINVI = 125;
    static final int BSET = 126;
    static final int BSETI = 127;

    // A: imm holds the AMO function (funct5).
    static final int LR_W = 128;
    static final int LR_D = 129;
    static final int SC_W = 130;
    static final int SC_D = 131;
    static final int AMO_W = 132;
    static final int AMO_D = 133;

    // F and D.
    static final int FLW = 134;
    static final int FLD = 135;
    static final int FSW = 136;
    static final int FSD = 137;
    /** Any other F/D instruction; see {@link #fp}. */
    static final int FP = 138;

    /** Packs an instruction. */
    static long pack(int op, int rd, int rs1, int rs2, long imm) {
        return (op & 0xFFL) | (long) (rd & 0x3F) << 8 | (long) (rs1 & 0x1F) << 14 | (long) (rs2 & 0x1F) << 19
                | imm << 32;
    }

    /** The same instruction placed at {@code halfwords} from its block's start. */
    static long at(long insn, int halfwords) {
        return insn & ~(0xFFL << 24) | (long) (halfwords & 0xFF) << 24;
    }

    static int op(long w) {
        return (int) w & 0xFF;
    }

    static int rd(long w) {
        return (int) (w >>> 8) & 0x3F;
    }

    static int rs1(long w) {
        return (int) (w >>> 14) & 0x1F;
    }

    static int rs2(long w) {
        return (int) (w >>> 19) & 0x1F;
    }

    static int offset(long w) {
        return (int) (w >>> 24) & 0xFF;
    }

    static long imm(long w) {
        return w >> 32;
    }

    /** Floating-point immediate: sub-operation (8 bits), rounding mode (3 bits), rs3 (5 bits). */
    static long fp(int subop, int rm, int rs3) {
        return subop | rm << 8 | rs3 << 11;
    }

    static int fpSubop(long w) {
        return (int) (w >>> 32) & 0xFF;
    }

    static int fpRm(long w) {
        return (int) (w >>> 40) & 0x7;
    }

    static int fpRs3(long w) {
        return (int) (w >>> 43) & 0x1F;
    }

    /** Whether this op ends a block. */
    static boolean endsBlock(int op) {
        return op <= ILLEGAL;
    }
}
