package jvirt.riscv;

import static jvirt.riscv.Op.pack;

/**
 * Decodes RV64GC instructions (and Zba/Zbb/Zbc/Zbs) into the packed form of {@link Op}. Compressed
 * instructions expand to their 32-bit equivalents. Anything reserved or unknown decodes to
 * {@link Op#ILLEGAL} with the raw instruction bits as its immediate (they become {@code mtval}).
 */
final class Decoder {
    private Decoder() {
    }

    /** Length in bytes of the instruction whose first halfword is {@code low16}. */
    static int length(int low16) {
        return (low16 & 3) == 3 ? 4 : 2;
    }

    /** Decodes a 32-bit instruction. */
    static long decode32(int insn) {
        int rd = (insn >>> 7) & 0x1F;
        int rs1 = (insn >>> 15) & 0x1F;
        int rs2 = (insn >>> 20) & 0x1F;
        int funct3 = (insn >>> 12) & 7;
        int funct7 = insn >>> 25;
        long immI = insn >> 20;
        return switch (insn & 0x7F) {
            case 0x37 -> pack(Op.LUI, xd(rd), 0, 0, insn & 0xFFFFF000);
            case 0x17 -> pack(Op.AUIPC, xd(rd), 0, 0, insn & 0xFFFFF000);
            case 0x6F -> pack(Op.JAL, xd(rd), 0, 0, immJ(insn));
            case 0x67 -> funct3 == 0 ? pack(Op.JALR, xd(rd), rs1, 0, immI) : illegal(insn);
            case 0x63 -> branch(insn, funct3, rs1, rs2);
            case 0x03 -> load(insn, funct3, rd, rs1, immI);
            case 0x23 -> store(insn, funct3, rs1, rs2);
            case 0x13 -> opImm(insn, funct3, rd, rs1, immI);
            case 0x1B -> opImm32(insn, funct3, rd, rs1, immI);
            case 0x33 -> op(insn, funct3, funct7, rd, rs1, rs2);
            case 0x3B -> op32(insn, funct3, funct7, rd, rs1, rs2);
            case 0x0F -> funct3 == 0 ? pack(Op.FENCE, 0, 0, 0, 0)
                    : funct3 == 1 ? pack(Op.FENCE_I, 0, 0, 0, 0) : illegal(insn);
            case 0x73 -> system(insn, funct3, rd, rs1);
            case 0x2F -> amo(insn, funct3, rd, rs1, rs2);
            case 0x07 -> funct3 == 2 ? pack(Op.FLW, rd, rs1, 0, immI)
                    : funct3 == 3 ? pack(Op.FLD, rd, rs1, 0, immI) : illegal(insn);
            case 0x27 -> funct3 == 2 ? pack(Op.FSW, 0, rs1, rs2, immS(insn))
                    : funct3 == 3 ? pack(Op.FSD, 0, rs1, rs2, immS(insn)) : illegal(insn);
            case 0x43, 0x47, 0x4B, 0x4F -> fusedMultiplyAdd(insn, rd, rs1, rs2, funct3);
            case 0x53 -> opFp(insn, funct3, funct7, rd, rs1, rs2);
            default -> illegal(insn);
        };
    }

    /** Integer destination: x0 writes go to a sink register. */
    private static int xd(int rd) {
        return rd == 0 ? Op.ZERO_SINK : rd;
    }

    static long illegal(int insn) {
        return pack(Op.ILLEGAL, 0, 0, 0, insn);
    }

    private static long immS(int insn) {
        return (insn >> 25) << 5 | (insn >>> 7) & 0x1F;
    }

    private static long immB(int insn) {
        return (insn >> 31) << 12 | (insn >>> 7 & 1) << 11 | (insn >>> 25 & 0x3F) << 5 | (insn >>> 8 & 0xF) << 1;
    }

    private static long immJ(int insn) {
        return (insn >> 31) << 20 | (insn & 0xFF000) | (insn >>> 20 & 1) << 11 | (insn >>> 21 & 0x3FF) << 1;
    }

    private static long branch(int insn, int funct3, int rs1, int rs2) {
        int op = switch (funct3) {
            case 0 -> Op.BEQ;
            case 1 -> Op.BNE;
            case 4 -> Op.BLT;
            case 5 -> Op.BGE;
            case 6 -> Op.BLTU;
            case 7 -> Op.BGEU;
            default -> -1;
        };
        return op < 0 ? illegal(insn) : pack(op, 0, rs1, rs2, immB(insn));
    }

    private static long load(int insn, int funct3, int rd, int rs1, long imm) {
        int op = switch (funct3) {
            case 0 -> Op.LB;
            case 1 -> Op.LH;
            case 2 -> Op.LW;
            case 3 -> Op.LD;
            case 4 -> Op.LBU;
            case 5 -> Op.LHU;
            case 6 -> Op.LWU;
            default -> -1;
        };
        return op < 0 ? illegal(insn) : pack(op, xd(rd), rs1, 0, imm);
    }

    private static long store(int insn, int funct3, int rs1, int rs2) {
        int op = switch (funct3) {
            case 0 -> Op.SB;
            case 1 -> Op.SH;
            case 2 -> Op.SW;
            case 3 -> Op.SD;
            default -> -1;
        };
        return op < 0 ? illegal(insn) : pack(op, 0, rs1, rs2, immS(insn));
    }

    private static long opImm(int insn, int funct3, int rd, int rs1, long imm) {
        int shamt = (insn >>> 20) & 0x3F;
        int funct6 = insn >>> 26;
        int imm12 = (insn >>> 20) & 0xFFF;
        int op = switch (funct3) {
            case 0 -> Op.ADDI;
            case 2 -> Op.SLTI;
            case 3 -> Op.SLTIU;
            case 4 -> Op.XORI;
            case 6 -> Op.ORI;
            case 7 -> Op.ANDI;
            case 1 -> switch (funct6) {
                case 0x00 -> Op.SLLI;
                case 0x0A -> Op.BSETI;
                case 0x12 -> Op.BCLRI;
                case 0x1A -> Op.BINVI;
                case 0x18 -> switch (imm12) {
                    case 0x600 -> Op.CLZ;
                    case 0x601 -> Op.CTZ;
                    case 0x602 -> Op.CPOP;
                    case 0x604 -> Op.SEXT_B;
                    case 0x605 -> Op.SEXT_H;
                    default -> -1;
                };
                default -> -1;
            };
            case 5 -> switch (funct6) {
                case 0x00 -> Op.SRLI;
                case 0x10 -> Op.SRAI;
                case 0x18 -> Op.RORI;
                case 0x12 -> Op.BEXTI;
                default -> imm12 == 0x287 ? Op.ORC_B : imm12 == 0x6B8 ? Op.REV8 : -1;
            };
            default -> -1;
        };
        if (op < 0) {
            return illegal(insn);
        }
        boolean shift = funct3 == 1 || funct3 == 5;
        return pack(op, xd(rd), rs1, 0, shift ? shamt : imm);
    }

    private static long opImm32(int insn, int funct3, int rd, int rs1, long imm) {
        int shamt = (insn >>> 20) & 0x1F;
        int funct7 = insn >>> 25;
        int imm12 = (insn >>> 20) & 0xFFF;
        int op = switch (funct3) {
            case 0 -> Op.ADDIW;
            case 1 -> switch (funct7) {
                case 0x00 -> Op.SLLIW;
                case 0x30 -> switch (imm12) {
                    case 0x600 -> Op.CLZW;
                    case 0x601 -> Op.CTZW;
                    case 0x602 -> Op.CPOPW;
                    default -> -1;
                };
                default -> (insn >>> 26) == 0x02 ? Op.SLLI_UW : -1;
            };
            case 5 -> switch (funct7) {
                case 0x00 -> Op.SRLIW;
                case 0x20 -> Op.SRAIW;
                case 0x30 -> Op.RORIW;
                default -> -1;
            };
            default -> -1;
        };
        if (op < 0) {
            return illegal(insn);
        }
        long operand = switch (op) {
            case Op.ADDIW -> imm;
            case Op.SLLI_UW -> (insn >>> 20) & 0x3F;
            default -> shamt;
        };
        return pack(op, xd(rd), rs1, 0, operand);
    }

    private static long op(int insn, int funct3, int funct7, int rd, int rs1, int rs2) {
        int op = switch (funct7) {
            case 0x00 -> switch (funct3) {
                case 0 -> Op.ADD;
                case 1 -> Op.SLL;
                case 2 -> Op.SLT;
                case 3 -> Op.SLTU;
                case 4 -> Op.XOR;
                case 5 -> Op.SRL;
                case 6 -> Op.OR;
                default -> Op.AND;
            };
            case 0x20 -> switch (funct3) {
                case 0 -> Op.SUB;
                case 5 -> Op.SRA;
                case 4 -> Op.XNOR;
                case 6 -> Op.ORN;
                case 7 -> Op.ANDN;
                default -> -1;
            };
            case 0x01 -> Op.MUL + funct3;
            case 0x05 -> switch (funct3) {
                case 1 -> Op.CLMUL;
                case 2 -> Op.CLMULR;
                case 3 -> Op.CLMULH;
                case 4 -> Op.MIN;
                case 5 -> Op.MINU;
                case 6 -> Op.MAX;
                case 7 -> Op.MAXU;
                default -> -1;
            };
            case 0x10 -> switch (funct3) {
                case 2 -> Op.SH1ADD;
                case 4 -> Op.SH2ADD;
                case 6 -> Op.SH3ADD;
                default -> -1;
            };
            case 0x30 -> funct3 == 1 ? Op.ROL : funct3 == 5 ? Op.ROR : -1;
            case 0x14 -> funct3 == 1 ? Op.BSET : -1;
            case 0x24 -> funct3 == 1 ? Op.BCLR : funct3 == 5 ? Op.BEXT : -1;
            case 0x34 -> funct3 == 1 ? Op.BINV : -1;
            default -> -1;
        };
        return op < 0 ? illegal(insn) : pack(op, xd(rd), rs1, rs2, 0);
    }

    private static long op32(int insn, int funct3, int funct7, int rd, int rs1, int rs2) {
        int op = switch (funct7) {
            case 0x00 -> funct3 == 0 ? Op.ADDW : funct3 == 1 ? Op.SLLW : funct3 == 5 ? Op.SRLW : -1;
            case 0x20 -> funct3 == 0 ? Op.SUBW : funct3 == 5 ? Op.SRAW : -1;
            case 0x01 -> switch (funct3) {
                case 0 -> Op.MULW;
                case 4 -> Op.DIVW;
                case 5 -> Op.DIVUW;
                case 6 -> Op.REMW;
                case 7 -> Op.REMUW;
                default -> -1;
            };
            case 0x04 -> funct3 == 0 ? Op.ADD_UW : funct3 == 4 && rs2 == 0 ? Op.ZEXT_H : -1;
            case 0x10 -> switch (funct3) {
                case 2 -> Op.SH1ADD_UW;
                case 4 -> Op.SH2ADD_UW;
                case 6 -> Op.SH3ADD_UW;
                default -> -1;
            };
            case 0x30 -> funct3 == 1 ? Op.ROLW : funct3 == 5 ? Op.RORW : -1;
            default -> -1;
        };
        return op < 0 ? illegal(insn) : pack(op, xd(rd), rs1, rs2, 0);
    }

    private static long system(int insn, int funct3, int rd, int rs1) {
        return switch (funct3) {
            case 0 -> switch (insn) {
                case 0x00000073 -> pack(Op.ECALL, 0, 0, 0, 0);
                case 0x00100073 -> pack(Op.EBREAK, 0, 0, 0, 0);
                case 0x30200073 -> pack(Op.MRET, 0, 0, 0, 0);
                case 0x10200073 -> pack(Op.SRET, 0, 0, 0, 0);
                case 0x10500073 -> pack(Op.WFI, 0, 0, 0, 0);
                default -> (insn >>> 25) == 0x09 && rd == 0
                        ? pack(Op.SFENCE_VMA, 0, rs1, (insn >>> 20) & 0x1F, insn) : illegal(insn);
            };
            // imm keeps the whole instruction (the CSR number is its top 12 bits): it is mtval if the access traps.
            case 1, 2, 3, 5, 6, 7 -> pack(Op.CSRRW + (funct3 & 3) - 1 + (funct3 >= 5 ? 3 : 0), xd(rd), rs1, 0, insn);
            default -> illegal(insn);
        };
    }

    private static long amo(int insn, int funct3, int rd, int rs1, int rs2) {
        if (funct3 != 2 && funct3 != 3) {
            return illegal(insn);
        }
        boolean dword = funct3 == 3;
        int funct5 = insn >>> 27;
        return switch (funct5) {
            case 0x02 -> rs2 == 0 ? pack(dword ? Op.LR_D : Op.LR_W, xd(rd), rs1, 0, 0) : illegal(insn);
            case 0x03 -> pack(dword ? Op.SC_D : Op.SC_W, xd(rd), rs1, rs2, 0);
            case 0x00, 0x01, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C ->
                    pack(dword ? Op.AMO_D : Op.AMO_W, xd(rd), rs1, rs2, funct5);
            default -> illegal(insn);
        };
    }

    private static boolean validRm(int rm) {
        return rm != 5 && rm != 6;
    }

    private static long fusedMultiplyAdd(int insn, int rd, int rs1, int rs2, int rm) {
        int fmt = (insn >>> 25) & 3;
        if (fmt > 1 || !validRm(rm)) {
            return illegal(insn);
        }
        int subop = FpOp.FMADD_S + ((insn & 0x7F) - 0x43) / 4 + (fmt == 1 ? FpOp.DOUBLE : 0);
        return pack(Op.FP, rd, rs1, rs2, Op.fp(subop, rm, insn >>> 27));
    }

    private static long opFp(int insn, int funct3, int funct7, int rd, int rs1, int rs2) {
        int dbl = (funct7 & 1) == 1 ? FpOp.DOUBLE : 0;
        boolean rmOk = validRm(funct3);
        int subop = switch (funct7) {
            case 0x00, 0x01 -> rmOk ? FpOp.FADD_S + dbl : -1;
            case 0x04, 0x05 -> rmOk ? FpOp.FSUB_S + dbl : -1;
            case 0x08, 0x09 -> rmOk ? FpOp.FMUL_S + dbl : -1;
            case 0x0C, 0x0D -> rmOk ? FpOp.FDIV_S + dbl : -1;
            case 0x2C, 0x2D -> rmOk && rs2 == 0 ? FpOp.FSQRT_S + dbl : -1;
            case 0x10, 0x11 -> funct3 <= 2 ? FpOp.FSGNJ_S + funct3 + dbl : -1;
            case 0x14, 0x15 -> funct3 <= 1 ? FpOp.FMIN_S + funct3 + dbl : -1;
            case 0x20 -> rmOk && rs2 == 1 ? FpOp.FCVT_S_D : -1;
            case 0x21 -> rmOk && rs2 == 0 ? FpOp.FCVT_D_S : -1;
            case 0x50, 0x51 -> switch (funct3) {
                case 0 -> FpOp.FLE_S + dbl;
                case 1 -> FpOp.FLT_S + dbl;
                case 2 -> FpOp.FEQ_S + dbl;
                default -> -1;
            };
            case 0x60, 0x61 -> rmOk && rs2 <= 3 ? FpOp.FCVT_W_S + rs2 + dbl : -1;
            case 0x68, 0x69 -> rmOk && rs2 <= 3 ? FpOp.FCVT_S_W + rs2 + dbl : -1;
            case 0x70, 0x71 -> rs2 != 0 ? -1
                    : funct3 == 0 ? FpOp.FMV_X_W + dbl : funct3 == 1 ? FpOp.FCLASS_S + dbl : -1;
            case 0x78, 0x79 -> rs2 == 0 && funct3 == 0 ? FpOp.FMV_W_X + dbl : -1;
            default -> -1;
        };
        if (subop < 0) {
            return illegal(insn);
        }
        int dest = FpOp.writesInteger(subop) ? xd(rd) : rd;
        return pack(Op.FP, dest, rs1, rs2, Op.fp(subop, funct3, 0));
    }

    /** Decodes a 16-bit (C extension) instruction into its 32-bit equivalent. */
    static long decode16(int insn) {
        int funct3 = (insn >>> 13) & 7;
        int rdFull = (insn >>> 7) & 0x1F;
        int rs2Full = (insn >>> 2) & 0x1F;
        int rdp = 8 + ((insn >>> 2) & 7);
        int rs1p = 8 + ((insn >>> 7) & 7);
        return switch (insn & 3) {
            case 0 -> switch (funct3) {
                case 0 -> {
                    int imm = (insn >>> 7 & 0xF) << 6 | (insn >>> 11 & 3) << 4 | (insn >>> 5 & 1) << 3
                            | (insn >>> 6 & 1) << 2;
                    yield imm == 0 ? illegal(insn) : pack(Op.ADDI, rdp, 2, 0, imm);
                }
                case 1 -> pack(Op.FLD, rdp, rs1p, 0, uimmD(insn));
                case 2 -> pack(Op.LW, rdp, rs1p, 0, uimmW(insn));
                case 3 -> pack(Op.LD, rdp, rs1p, 0, uimmD(insn));
                case 5 -> pack(Op.FSD, 0, rs1p, rdp, uimmD(insn));
                case 6 -> pack(Op.SW, 0, rs1p, rdp, uimmW(insn));
                case 7 -> pack(Op.SD, 0, rs1p, rdp, uimmD(insn));
                default -> illegal(insn);
            };
            case 1 -> quadrant1(insn, funct3, rdFull, rdp, rs1p);
            default -> quadrant2(insn, funct3, rdFull, rs2Full);
        };
    }

    /** C.LW/C.SW offset: uimm[5:3] from bits 12:10, uimm[2] from bit 6, uimm[6] from bit 5. */
    private static long uimmW(int insn) {
        return (insn >>> 10 & 7) << 3 | (insn >>> 6 & 1) << 2 | (insn >>> 5 & 1) << 6;
    }

    /** C.LD/C.SD/C.FLD/C.FSD offset: uimm[5:3] from bits 12:10, uimm[7:6] from bits 6:5. */
    private static long uimmD(int insn) {
        return (insn >>> 10 & 7) << 3 | (insn >>> 5 & 3) << 6;
    }

    /** The 6-bit signed immediate of CI-format instructions: imm[5] from bit 12, imm[4:0] from bits 6:2. */
    private static int immCI(int insn) {
        return ((insn << 19) >> 26) & ~0x1F | (insn >>> 2 & 0x1F);
    }

    private static long quadrant1(int insn, int funct3, int rd, int rdp, int rs1p) {
        int imm6 = immCI(insn);
        return switch (funct3) {
            case 0 -> pack(Op.ADDI, xd(rd), rd, 0, imm6);
            case 1 -> rd == 0 ? illegal(insn) : pack(Op.ADDIW, rd, rd, 0, imm6);
            case 2 -> pack(Op.ADDI, xd(rd), 0, 0, imm6);
            case 3 -> {
                if (rd == 2) {
                    int imm = (insn << 19 >> 31) << 9 | (insn >>> 3 & 3) << 7 | (insn >>> 5 & 1) << 6
                            | (insn >>> 2 & 1) << 5 | (insn >>> 6 & 1) << 4;
                    yield imm == 0 ? illegal(insn) : pack(Op.ADDI, 2, 2, 0, imm);
                }
                yield imm6 == 0 ? illegal(insn) : pack(Op.LUI, xd(rd), 0, 0, (long) imm6 << 12);
            }
            case 4 -> {
                int funct2 = (insn >>> 10) & 3;
                int shamt = (insn >>> 7 & 0x20) | (insn >>> 2 & 0x1F);
                yield switch (funct2) {
                    case 0 -> pack(Op.SRLI, rs1p, rs1p, 0, shamt);
                    case 1 -> pack(Op.SRAI, rs1p, rs1p, 0, shamt);
                    case 2 -> pack(Op.ANDI, rs1p, rs1p, 0, imm6);
                    default -> {
                        int rs2p = 8 + ((insn >>> 2) & 7);
                        int sel = (insn >>> 5) & 3;
                        if ((insn & 0x1000) == 0) {
                            int op = switch (sel) {
                                case 0 -> Op.SUB;
                                case 1 -> Op.XOR;
                                case 2 -> Op.OR;
                                default -> Op.AND;
                            };
                            yield pack(op, rs1p, rs1p, rs2p, 0);
                        }
                        yield sel == 0 ? pack(Op.SUBW, rs1p, rs1p, rs2p, 0)
                                : sel == 1 ? pack(Op.ADDW, rs1p, rs1p, rs2p, 0) : illegal(insn);
                    }
                };
            }
            case 5 -> pack(Op.JAL, Op.ZERO_SINK, 0, 0, immCJ(insn));
            case 6 -> pack(Op.BEQ, 0, rs1p, 0, immCB(insn));
            default -> pack(Op.BNE, 0, rs1p, 0, immCB(insn));
        };
    }

    /** C.J offset: imm[11|4|9:8|10|6|7|3:1|5] from bits 12|11|10:9|8|7|6|5:3|2. */
    private static long immCJ(int insn) {
        return (insn << 19 >> 31) << 11 | (insn >>> 11 & 1) << 4 | (insn >>> 9 & 3) << 8 | (insn >>> 8 & 1) << 10
                | (insn >>> 7 & 1) << 6 | (insn >>> 6 & 1) << 7 | (insn >>> 3 & 7) << 1 | (insn >>> 2 & 1) << 5;
    }

    /** C.BEQZ/C.BNEZ offset: imm[8|4:3] from bits 12|11:10, imm[7:6|2:1|5] from bits 6:5|4:3|2. */
    private static long immCB(int insn) {
        return (insn << 19 >> 31) << 8 | (insn >>> 10 & 3) << 3 | (insn >>> 5 & 3) << 6 | (insn >>> 3 & 3) << 1
                | (insn >>> 2 & 1) << 5;
    }

    private static long quadrant2(int insn, int funct3, int rd, int rs2) {
        int shamt = (insn >>> 7 & 0x20) | (insn >>> 2 & 0x1F);
        boolean bit12 = (insn & 0x1000) != 0;
        return switch (funct3) {
            case 0 -> pack(Op.SLLI, xd(rd), rd, 0, shamt);
            case 1 -> pack(Op.FLD, rd, 2, 0, (insn >>> 7 & 0x20) | (insn >>> 2 & 0x18) | (insn << 4 & 0x1C0));
            case 2 -> rd == 0 ? illegal(insn)
                    : pack(Op.LW, rd, 2, 0, (insn >>> 7 & 0x20) | (insn >>> 2 & 0x1C) | (insn << 4 & 0xC0));
            case 3 -> rd == 0 ? illegal(insn)
                    : pack(Op.LD, rd, 2, 0, (insn >>> 7 & 0x20) | (insn >>> 2 & 0x18) | (insn << 4 & 0x1C0));
            case 4 -> {
                if (!bit12) {
                    if (rs2 == 0) {
                        yield rd == 0 ? illegal(insn) : pack(Op.JALR, Op.ZERO_SINK, rd, 0, 0);
                    }
                    yield pack(Op.ADD, xd(rd), 0, rs2, 0);
                }
                if (rs2 == 0) {
                    yield rd == 0 ? pack(Op.EBREAK, 0, 0, 0, 0) : pack(Op.JALR, 1, rd, 0, 0);
                }
                yield pack(Op.ADD, xd(rd), rd, rs2, 0);
            }
            case 5 -> pack(Op.FSD, 0, 2, rs2, (insn >>> 7 & 0x38) | (insn >>> 1 & 0x1C0));
            case 6 -> pack(Op.SW, 0, 2, rs2, (insn >>> 7 & 0x3C) | (insn >>> 1 & 0xC0));
            default -> pack(Op.SD, 0, 2, rs2, (insn >>> 7 & 0x38) | (insn >>> 1 & 0x1C0));
        };
    }
}
