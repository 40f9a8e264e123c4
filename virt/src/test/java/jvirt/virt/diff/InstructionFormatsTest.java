package jvirt.virt.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The encoder against GNU as (binutils 2.40, -march=rv64gc_zba_zbb_zbc_zbs): each format, with
 * immediates at the ends of their ranges, so that every scattered bit is checked.
 */
class InstructionFormatsTest {
    private record Case(Insn insn, int offset, int expected) {
    }

    private static Case c(Insn insn, int expected) {
        return new Case(insn, 0, expected);
    }

    private static Case c(Insn insn, int offset, int expected) {
        return new Case(insn, offset, expected);
    }

    @Test
    void encodingsMatchTheGnuAssembler() {
        List<Case> cases = List.of(
                c(Rv64.RegReg.ADD.of(1, 2, 3), 0x003100b3),
                c(Rv64.RegReg.SUB.of(31, 30, 29), 0x41df0fb3),
                c(Rv64.RegReg.MULHSU.of(5, 6, 7), 0x027322b3),
                c(Rv64.RegReg.SH3ADD_UW.of(8, 9, 10), 0x20a4e43b),
                c(Rv64.RegReg.CLMULR.of(11, 12, 13), 0x0ad625b3),
                c(Rv64.RegImm.ADDI.of(1, 2, -2048), 0x80010093),
                c(Rv64.RegImm.SLTIU.of(3, 4, 2047), 0x7ff23193),
                c(Rv64.ShiftImm.SRAI.of(5, 6, 63), 0x43f35293),
                c(Rv64.ShiftImm.RORIW.of(7, 8, 31), 0x61f4539b),
                c(Rv64.ShiftImm.BEXTI.of(9, 10, 37), 0x4a555493),
                c(Rv64.ShiftImm.SLLI_UW.of(11, 12, 63), 0x0bf6159b),
                c(Rv64.Unary.ORC_B.of(13, 14), 0x28775693),
                c(Rv64.Unary.REV8.of(15, 16), 0x6b885793),
                c(Rv64.Unary.ZEXT_H.of(17, 18), 0x080948bb),
                c(Rv64.lui(19, 0xfffff), 0xfffff9b7),
                c(Rv64.auipc(20, 0x80000), 0x80000a17),
                c(Rv64.Load.LW.of(21, 22, -1), 0xfffb2a83),
                c(Rv64.Load.FLD.of(3, 4, 2047), 0x7ff23187),
                c(Rv64.Store.SB.of(5, 6, -2048), 0x80530023),
                c(Rv64.Store.FSW.of(7, 8, 1234), 0x4c742927),
                c(Rv64.Branch.BEQ.skipping(1, 2, 0), 4094, 0x7e208fe3),
                c(Rv64.Branch.BGEU.skipping(3, 4, 0), -4096, 0x8041f063),
                c(Rv64.jal(5, 0), 1048574, 0x7ffff2ef),
                c(Rv64.jal(6, 0), -1048576, 0x8000036f),
                c(Rv64.jalr(7, 8, 0, -1, false), -1, 0xfff403e7),
                c(Rv64.Amo.MAXU.of(true, 9, 10, 11, true, true), 0xe6a5b4af),
                c(Rv64.Amo.LR.of(false, 12, 0, 13, true, false), 0x1406a62f),
                c(Rv64.Amo.SC.of(true, 14, 15, 16, false, true), 0x1af8372f),
                c(Rv64.Fma.FMADD.of(false, 1, 2, 3, 4, 4), 0x203140c3),
                c(Rv64.Fma.FNMSUB.of(true, 31, 30, 29, 28, 7), 0xe3df7fcb),
                c(Rv64.Fp.FCVT_LU_D.of(5, 6, 0, 1), 0xc23312d3),
                c(Rv64.Fp.FCVT_S_WU.of(7, 8, 0, 3), 0xd01433d3),
                c(Rv64.Fp.FSGNJX_D.of(9, 10, 11, 0), 0x22b524d3),
                c(Rv64.Fp.FCLASS_S.of(12, 13, 0, 0), 0xe0069653),
                c(Rv64.Fp.FMV_D_X.of(14, 15, 0, 0), 0xf2078753),
                c(Rv64.Fp.FLE_D.of(16, 17, 18, 0), 0xa3288853),
                c(Rv64.Fp.FSQRT_S.of(19, 20, 0, 2), 0x580a29d3),
                c(Rv64.csr(7, 21, Rv64.CSR_FCSR, 31), 0x003ffaf3),
                c(Rv64.csr(1, 22, Rv64.CSR_FRM, 23), 0x002b9b73),
                c(Rv64.fenceI(), 0x0000100f),
                c(Rv64.sfenceVma(24, 25), 0x139c0073),
                c(Rv64.cAddi4spn(9, 1020), 0x1fe4),
                c(Rv64.cFld(15, 8, 248), 0x3c7c),
                c(Rv64.cLw(10, 11, 124), 0x5de8),
                c(Rv64.cLd(12, 13, 8), 0x6690),
                c(Rv64.cFsd(8, 15, 0), 0xa380),
                c(Rv64.cSw(14, 9, 68), 0xc0f8),
                c(Rv64.cSd(11, 10, 200), 0xe56c),
                c(Rv64.cAddi(5, -32), 0x1281),
                c(Rv64.cAddiw(6, 31), 0x237d),
                c(Rv64.cLi(7, -1), 0x53fd),
                c(Rv64.cAddi16sp(-512), 0x7101),
                c(Rv64.cAddi16sp(496), 0x617d),
                c(Rv64.cLui(8, -32), 0x7401),
                c(Rv64.cLui(9, 31), 0x64fd),
                c(Rv64.cSrli(10, 63), 0x917d),
                c(Rv64.cSrai(11, 32), 0x9581),
                c(Rv64.cAndi(12, -1), 0x9a7d),
                c(Rv64.cArith(0, 13, 14), 0x8e99),
                c(Rv64.cArith(1, 15, 8), 0x8fa1),
                c(Rv64.cArith(2, 9, 10), 0x8cc9),
                c(Rv64.cArith(3, 11, 12), 0x8df1),
                c(Rv64.cArith(4, 13, 14), 0x9e99),
                c(Rv64.cArith(5, 15, 8), 0x9fa1),
                c(Rv64.cJ(0), -2048, 0xb001),
                c(Rv64.cJ(0), 2046, 0xaffd),
                c(Rv64.cBranch(false, 9, 0), -256, 0xd081),
                c(Rv64.cBranch(true, 10, 0), 254, 0xed7d),
                c(Rv64.cSlli(11, 63), 0x15fe),
                c(Rv64.cFldsp(12, 504), 0x367e),
                c(Rv64.cLwsp(13, 252), 0x56fe),
                c(Rv64.cLdsp(14, 8), 0x6722),
                c(Rv64.cJr(15), 0x8782),
                c(Rv64.cMv(16, 17), 0x8846),
                c(Rv64.cEbreak(), 0x9002),
                c(Rv64.cJalr(18), 0x9902),
                c(Rv64.cAdd(19, 20), 0x99d2),
                c(Rv64.cFsdsp(21, 504), 0xbfd6),
                c(Rv64.cSwsp(22, 252), 0xdfda),
                c(Rv64.cSdsp(23, 16), 0xe85e));
        for (Case k : cases) {
            assertThat(k.insn().bits(k.offset())).as(k.insn().text(k.offset()))
                    .isEqualTo(k.expected());
            assertThat(k.insn().length).as(k.insn().text(k.offset())).isEqualTo((k.expected() & 3) == 3 ? 4 : 2);
        }
    }
}
