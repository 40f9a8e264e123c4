package jvirt.virt.diff;

import static jvirt.virt.diff.InstructionFormats.ca;
import static jvirt.virt.diff.InstructionFormats.i;
import static jvirt.virt.diff.InstructionFormats.r;
import static jvirt.virt.diff.InstructionFormats.r4;
import static jvirt.virt.diff.Rv64.AMO;
import static jvirt.virt.diff.Rv64.BRANCH;
import static jvirt.virt.diff.Rv64.LOAD;
import static jvirt.virt.diff.Rv64.OP;
import static jvirt.virt.diff.Rv64.OP_32;
import static jvirt.virt.diff.Rv64.OP_FP;
import static jvirt.virt.diff.Rv64.OP_IMM;
import static jvirt.virt.diff.Rv64.OP_IMM_32;
import static jvirt.virt.diff.Rv64.STORE;
import static jvirt.virt.diff.Rv64.SYSTEM;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Encodings that must raise an illegal-instruction exception (with the instruction bits in mtval)
 * on both peers: reserved encodings of RV64GC, and extensions that neither jvirt nor QEMU 7.2's
 * default CPU implements. Left out on purpose: anything the H extension of QEMU's CPU gives a
 * meaning (the SYSTEM opcode's funct3 4, hfence), cache-block operations (QEMU 7.2 has Zicbom and
 * Zicboz) and encodings of 48 bits or more (whose length the peers need not agree on).
 */
final class IllegalEncodings {
    private IllegalEncodings() {
    }

    private interface Maker {
        Insn make(int rd, int rs1, int rs2);
    }

    private static final List<Maker> MAKERS = List.of(
            (rd, a, b) -> Rv64.raw(0x0000, "all-zero halfword"),
            (rd, a, b) -> Rv64.raw(0x0004 | (1 + a % 7) << 2, "c.addi4spn with zero immediate"),
            (rd, a, b) -> Rv64.raw(0x6001 | 5 << 7, "c.lui with zero immediate"),
            (rd, a, b) -> Rv64.raw(0x6101, "c.addi16sp with zero immediate"),
            (rd, a, b) -> Rv64.raw(0x2005, "c.addiw to x0"),
            (rd, a, b) -> Rv64.raw(0x4002 | (a & 0x1F) << 2, "c.lwsp to x0"),
            (rd, a, b) -> Rv64.raw(0x6002 | (a & 0x1F) << 2, "c.ldsp to x0"),
            (rd, a, b) -> Rv64.raw(0x8002, "c.jr x0"),
            (rd, a, b) -> Rv64.raw(0x8000 | (a & 0x7) << 2, "reserved quadrant-0 funct3 100"),
            (rd, a, b) -> Rv64.raw(ca(1, 0x27, 8 + a % 8, 2 + b % 2, 8 + rd % 8), "reserved CA funct2 (RV64)"),
            (rd, a, b) -> Rv64.raw(r(0x0B, rd, 0, a, b, 0), "custom-0"),
            (rd, a, b) -> Rv64.raw(r(0x2B, rd, 1, a, b, 0), "custom-1"),
            (rd, a, b) -> Rv64.raw(r(0x5B, rd, 2, a, b, 0), "custom-2"),
            (rd, a, b) -> Rv64.raw(r(0x7B, rd, 3, a, b, 0), "custom-3"),
            (rd, a, b) -> Rv64.raw(r(OP, rd, 0, a, b, 0x02), "OP funct7 0000010"),
            (rd, a, b) -> Rv64.raw(r(OP, rd, 4, a, 1 + b % 31, 0x04), "pack (Zbkb)"),
            (rd, a, b) -> Rv64.raw(r(OP, rd, 7, a, b, 0x04), "packh (Zbkb)"),
            (rd, a, b) -> Rv64.raw(r(OP_32, rd, 4, a, 1 + b % 31, 0x04), "packw (Zbkb)"),
            (rd, a, b) -> Rv64.raw(i(OP_IMM, rd, 5, a, 0x687), "brev8 (Zbkb)"),
            (rd, a, b) -> Rv64.raw(i(OP_IMM, rd, 5, a, 0x698), "rev8 of RV32"),
            (rd, a, b) -> Rv64.raw(i(OP_IMM, rd, 1, a, 0x08F), "zip (RV32 Zbkb)"),
            (rd, a, b) -> Rv64.raw(r(OP, rd, 2, a, b, 0x14), "xperm4 (Zbkx)"),
            (rd, a, b) -> Rv64.raw(i(OP_IMM, rd, 1, a, 0x040 | b), "slli with funct6 000001"),
            (rd, a, b) -> Rv64.raw(i(OP_IMM, rd, 5, a, 0x440 | b), "srai with funct6 010001"),
            (rd, a, b) -> Rv64.raw(i(OP_IMM_32, rd, 1, a, 0x020 | b % 32), "slliw with shamt[5] set"),
            (rd, a, b) -> Rv64.raw(i(OP_IMM_32, rd, 5, a, 0x420 | b % 32), "sraiw with shamt[5] set"),
            (rd, a, b) -> Rv64.raw(i(OP_IMM, rd, 1, a, 0x603), "Zbb count funct 00011"),
            (rd, a, b) -> Rv64.raw(r(OP_32, rd, 1, a, b, 0x01), "OP-32 M funct3 001"),
            (rd, a, b) -> Rv64.raw(i(LOAD, rd, 7, a, b), "load funct3 111"),
            (rd, a, b) -> Rv64.raw(InstructionFormats.s(STORE, 4 + rd % 4, a, b, rd), "store funct3 1xx"),
            (rd, a, b) -> Rv64.raw(i(0x67, rd, 1 + b % 7, a, 0), "jalr funct3 != 0"),
            (rd, a, b) -> Rv64.raw(InstructionFormats.b(BRANCH, 2 + rd % 2, a, b, 8), "branch funct3 01x"),
            (rd, a, b) -> Rv64.raw(r(AMO, rd, 2, a, 1 + b % 31, 0x02 << 2), "lr.w with rs2 != 0"),
            (rd, a, b) -> Rv64.raw(r(AMO, rd, 3, a, b, 0x05 << 2), "AMO funct5 00101"),
            (rd, a, b) -> Rv64.raw(r(AMO, rd, 4, a, b, 0x01 << 2), "AMO of 128 bits"),
            (rd, a, b) -> Rv64.raw(r(AMO, rd, 0, a, b, 0x00 << 2), "AMO of 8 bits (Zabha)"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 0, a, b, 0x02), "fadd.h (Zfh)"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 0, a, b, 0x03), "fadd.q (Q)"),
            (rd, a, b) -> Rv64.raw(r4(0x43, rd, 0, a, b, 2, rd), "fmadd.h (Zfh)"),
            (rd, a, b) -> Rv64.raw(r4(0x4F, rd, 1, a, b, 3, rd), "fnmadd.q (Q)"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 5 + b % 2, a, b, 0x01), "fadd.d with rm 101/110"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 5 + b % 2, a, 0, 0x2C), "fsqrt.s with rm 101/110"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 5 + b % 2, a, 0, 0x69), "fcvt.d.w with rm 101/110"),
            (rd, a, b) -> Rv64.raw(r4(0x47, rd, 5 + b % 2, a, b, 1, rd), "fmsub.d with rm 101/110"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 3, a, b, 0x10), "fsgnj.s funct3 011"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 2, a, b, 0x15), "fmin.d funct3 010"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 3, a, b, 0x51), "fle.d funct3 011"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 0, a, 1 + b % 31, 0x2D), "fsqrt.d with rs2 != 0"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 0, a, 4 + b % 4, 0x60), "fcvt.?.s with rs2 01xx"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 0, a, 1 + b % 31, 0x70), "fmv.x.w with rs2 != 0"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 2, a, 0, 0x71), "fmv.x.d funct3 010"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 1, a, 0, 0x78), "fmv.w.x funct3 001"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 0, a, 2, 0x20), "fcvt.s.? with rs2 00010"),
            (rd, a, b) -> Rv64.raw(r(OP_FP, rd, 0, a, 0, 0x20), "fcvt.s.s"),
            (rd, a, b) -> Rv64.raw(i(SYSTEM, rd, 1 + b % 3, a, 0x004), "CSR 0x004 (does not exist)"),
            (rd, a, b) -> Rv64.raw(i(SYSTEM, rd, 2, a, 0x0FF), "CSR 0x0ff (does not exist)"),
            (rd, a, b) -> Rv64.raw(i(SYSTEM, rd, 5 + b % 3, a, 0x8FF), "CSR 0x8ff (custom, absent)"),
            (rd, a, b) -> Rv64.raw(i(SYSTEM, rd, 1, a, 0xBFF), "CSR 0xbff (custom, absent)"),
            (rd, a, b) -> Rv64.raw(i(SYSTEM, rd, 1, a, 0xC00), "csrrw to cycle (read-only)"),
            (rd, a, b) -> Rv64.raw(i(SYSTEM, rd, 6, 1 + a % 31, 0xF11), "csrrsi to mvendorid (read-only)"));

    static Insn pick(SplittableRandom rnd, int rd, int rs1, int rs2) {
        return MAKERS.get(rnd.nextInt(MAKERS.size())).make(rd, rs1, rs2);
    }

    /** All of them once, with fixed operands: for checking that both peers trap on each. */
    static List<Insn> all() {
        return MAKERS.stream().map(m -> m.make(5, 6, 7)).toList();
    }
}
