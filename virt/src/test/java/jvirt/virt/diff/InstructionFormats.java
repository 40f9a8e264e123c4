package jvirt.virt.diff;

/**
 * The RISC-V instruction formats, as bit layouts (unprivileged ISA manual: "Base Instruction
 * Formats", "Immediate Encoding Variants", R4 in the F chapter and "Compressed Instruction Formats").
 *
 * <p>The 32-bit formats take immediates as values and scatter their bits. The compressed formats
 * give every instruction its own immediate permutation, so their methods take the raw contents of
 * the immediate fields (as they appear in the instruction, high field bit first) and {@link Rv64}
 * does each instruction's permutation. Register numbers of the 3-bit fields (rd', rs1', rs2') are
 * the full numbers x8..x15 / f8..f15.
 */
final class InstructionFormats {
    private InstructionFormats() {
    }

    static int r(int opcode, int rd, int funct3, int rs1, int rs2, int funct7) {
        return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
    }

    /** R4 (fused multiply-add): funct2 is the format, funct3 the rounding mode. */
    static int r4(int opcode, int rd, int funct3, int rs1, int rs2, int funct2, int rs3) {
        return rs3 << 27 | funct2 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
    }

    /** I: imm[11:0] in bits 31:20. */
    static int i(int opcode, int rd, int funct3, int rs1, int imm) {
        return (imm & 0xFFF) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode;
    }

    /** S: imm[11:5] in bits 31:25, imm[4:0] in bits 11:7. */
    static int s(int opcode, int funct3, int rs1, int rs2, int imm) {
        return (imm >> 5 & 0x7F) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (imm & 0x1F) << 7 | opcode;
    }

    /** B: offset[12|10:5] in bits 31:25, offset[4:1|11] in bits 11:7. */
    static int b(int opcode, int funct3, int rs1, int rs2, int offset) {
        return (offset >> 12 & 1) << 31 | (offset >> 5 & 0x3F) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12
                | (offset >> 1 & 0xF) << 8 | (offset >> 11 & 1) << 7 | opcode;
    }

    /** U: imm[31:12] in bits 31:12; {@code imm20} is that 20-bit field. */
    static int u(int opcode, int rd, int imm20) {
        return imm20 << 12 | rd << 7 | opcode;
    }

    /** J: offset[20|10:1|11|19:12] in bits 31:12. */
    static int j(int opcode, int rd, int offset) {
        return (offset >> 20 & 1) << 31 | (offset >> 1 & 0x3FF) << 21 | (offset >> 11 & 1) << 20
                | (offset >> 12 & 0xFF) << 12 | rd << 7 | opcode;
    }

    // ---- compressed (16-bit) ----

    /** CR: funct4 | rd/rs1 | rs2 | op. */
    static int cr(int op, int funct4, int rdRs1, int rs2) {
        return funct4 << 12 | rdRs1 << 7 | rs2 << 2 | op;
    }

    /** CI: funct3 | imm (bit 12) | rd/rs1 | imm (bits 6:2); {@code imm6} is those six bits. */
    static int ci(int op, int funct3, int rdRs1, int imm6) {
        return funct3 << 13 | (imm6 >> 5 & 1) << 12 | rdRs1 << 7 | (imm6 & 0x1F) << 2 | op;
    }

    /** CSS: funct3 | imm (bits 12:7) | rs2 | op. */
    static int css(int op, int funct3, int imm6, int rs2) {
        return funct3 << 13 | (imm6 & 0x3F) << 7 | rs2 << 2 | op;
    }

    /** CIW: funct3 | imm (bits 12:5) | rd' | op. */
    static int ciw(int op, int funct3, int imm8, int rdPrime) {
        return funct3 << 13 | (imm8 & 0xFF) << 5 | prime(rdPrime) << 2 | op;
    }

    /** CL: funct3 | imm (bits 12:10) | rs1' | imm (bits 6:5) | rd' | op. */
    static int cl(int op, int funct3, int imm3, int rs1Prime, int imm2, int rdPrime) {
        return funct3 << 13 | (imm3 & 7) << 10 | prime(rs1Prime) << 7 | (imm2 & 3) << 5 | prime(rdPrime) << 2 | op;
    }

    /** CS: funct3 | imm (bits 12:10) | rs1' | imm (bits 6:5) | rs2' | op. */
    static int cs(int op, int funct3, int imm3, int rs1Prime, int imm2, int rs2Prime) {
        return cl(op, funct3, imm3, rs1Prime, imm2, rs2Prime);
    }

    /** CA: funct6 | rd'/rs1' | funct2 | rs2' | op. */
    static int ca(int op, int funct6, int rdRs1Prime, int funct2, int rs2Prime) {
        return funct6 << 10 | prime(rdRs1Prime) << 7 | funct2 << 5 | prime(rs2Prime) << 2 | op;
    }

    /** CB: funct3 | offset or funct2 and shift (bits 12:10) | rs1' | offset or imm (bits 6:2) | op. */
    static int cb(int op, int funct3, int high3, int rs1Prime, int low5) {
        return funct3 << 13 | (high3 & 7) << 10 | prime(rs1Prime) << 7 | (low5 & 0x1F) << 2 | op;
    }

    /** CJ: funct3 | jump target (bits 12:2) | op. */
    static int cj(int op, int funct3, int target11) {
        return funct3 << 13 | (target11 & 0x7FF) << 2 | op;
    }

    /** The 3-bit field of a register among x8..x15 (or f8..f15). */
    private static int prime(int reg) {
        if (reg < 8 || reg > 15) {
            throw new IllegalArgumentException("not a compressed register: " + reg);
        }
        return reg - 8;
    }
}
