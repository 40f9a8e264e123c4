package jvirt.riscv;

import java.lang.invoke.VarHandle;

/**
 * A decoded instruction as the interpreter runs it: one small class per operation, its operands
 * extracted once. A block is an array of these; running it is one virtual call per instruction into
 * a handler that has nothing to decode and little to keep in registers (a single switch over packed
 * instructions made the JIT spill its whole state on every instruction).
 *
 * <p>Instances hold no position, so equal instructions are shared ({@link #of}); the pc-relative
 * ones (AUIPC and the instructions ending a block, {@link #end}) carry their offset in the block.
 */
abstract class Insn {
    /**
     * Recently made instructions, direct-mapped by their packed word: equal instructions share one
     * object. A lost race only costs the sharing; the objects are immutable.
     */
    private static final Insn[] SHARED = new Insn[1 << 16];

    /** The packed word (see {@link Op}) this instruction was made from, its position cleared. */
    private long word;

    /** Runs the instruction; {@code x} is the hart's register array. */
    abstract void run(Hart h, long[] x);

    /** The instruction for packed word {@code w}, which does not end its block. */
    static Insn of(long w) {
        long key = Op.op(w) == Op.AUIPC ? w : Op.at(w, 0); // only AUIPC depends on where it is
        int slot = (int) (key ^ key >>> 29 ^ key >>> 47) & (SHARED.length - 1);
        Insn shared = SHARED[slot];
        if (shared != null && shared.word == key) {
            return shared;
        }
        Insn made = create(w);
        made.word = key;
        SHARED[slot] = made;
        return made;
    }

    /**
     * The instruction ending a block: {@code w} is packed with its offset in the block, {@code
     * blockLength} is where the block's code ends (the fall-through), and {@code count} is the
     * number of guest instructions the block retires. It sets the hart's pc and instruction count.
     */
    static Insn end(long w, int blockLength, int count) {
        int at = 2 * Op.offset(w);
        int rd = Op.rd(w);
        int rs1 = Op.rs1(w);
        int rs2 = Op.rs2(w);
        long imm = Op.imm(w);
        return switch (Op.op(w)) {
            case Op.END -> new FallThrough(at, count);
            case Op.JAL -> new Jal(at, blockLength, count, rd, imm);
            case Op.JALR -> new Jalr(blockLength, count, rd, rs1, imm);
            case Op.BEQ -> new Beq(at, blockLength, count, rs1, rs2, imm);
            case Op.BNE -> new Bne(at, blockLength, count, rs1, rs2, imm);
            case Op.BLT -> new Blt(at, blockLength, count, rs1, rs2, imm);
            case Op.BGE -> new Bge(at, blockLength, count, rs1, rs2, imm);
            case Op.BLTU -> new Bltu(at, blockLength, count, rs1, rs2, imm);
            case Op.BGEU -> new Bgeu(at, blockLength, count, rs1, rs2, imm);
            default -> new SystemEnd(w, at, blockLength, count);
        };
    }

    private static Insn create(long w) {
        int rd = Op.rd(w);
        int rs1 = Op.rs1(w);
        int rs2 = Op.rs2(w);
        long imm = Op.imm(w);
        int op = Op.op(w);
        return switch (op) {
            case Op.LUI -> new Li(rd, imm);
            case Op.AUIPC -> new Auipc(rd, 2L * Op.offset(w) + imm);
            case Op.ADDI -> rs1 == 0 ? new Li(rd, imm) : new Addi(rd, rs1, imm);
            case Op.XORI -> new Xori(rd, rs1, imm);
            case Op.ORI -> new Ori(rd, rs1, imm);
            case Op.ANDI -> new Andi(rd, rs1, imm);
            case Op.SLLI -> new Slli(rd, rs1, (int) imm);
            case Op.SRLI -> new Srli(rd, rs1, (int) imm);
            case Op.SRAI -> new Srai(rd, rs1, (int) imm);
            case Op.ADD -> rs1 == 0 ? new Mv(rd, rs2) : new Add(rd, rs1, rs2);
            case Op.SUB -> new Sub(rd, rs1, rs2);
            case Op.SLL -> new Sll(rd, rs1, rs2);
            case Op.XOR -> new Xor(rd, rs1, rs2);
            case Op.SRL -> new Srl(rd, rs1, rs2);
            case Op.SRA -> new Sra(rd, rs1, rs2);
            case Op.OR -> new Or(rd, rs1, rs2);
            case Op.AND -> new And(rd, rs1, rs2);
            case Op.MUL -> new Mul(rd, rs1, rs2);
            case Op.MULH -> new Mulh(rd, rs1, rs2);
            case Op.MULHU -> new Mulhu(rd, rs1, rs2);
            case Op.ADDIW -> new Addiw(rd, rs1, imm);
            case Op.SLLIW -> new Slliw(rd, rs1, (int) imm);
            case Op.SRLIW -> new Srliw(rd, rs1, (int) imm);
            case Op.SRAIW -> new Sraiw(rd, rs1, (int) imm);
            case Op.ADDW -> new Addw(rd, rs1, rs2);
            case Op.SUBW -> new Subw(rd, rs1, rs2);
            case Op.SLLW -> new Sllw(rd, rs1, rs2);
            case Op.SRLW -> new Srlw(rd, rs1, rs2);
            case Op.SRAW -> new Sraw(rd, rs1, rs2);
            case Op.MULW -> new Mulw(rd, rs1, rs2);
            case Op.LB -> new Lb(rd, rs1, imm);
            case Op.LH -> new Lh(rd, rs1, imm);
            case Op.LW -> new Lw(rd, rs1, imm);
            case Op.LD -> new Ld(rd, rs1, imm);
            case Op.LBU -> new Lbu(rd, rs1, imm);
            case Op.LHU -> new Lhu(rd, rs1, imm);
            case Op.LWU -> new Lwu(rd, rs1, imm);
            case Op.SB -> new Sb(rs1, rs2, imm);
            case Op.SH -> new Sh(rs1, rs2, imm);
            case Op.SW -> new Sw(rs1, rs2, imm);
            case Op.SD -> new Sd(rs1, rs2, imm);
            case Op.FENCE -> new Fence();
            default -> {
                Alu alu = Alu.of(op);
                if (alu != null) {
                    yield Alu.immediateForm(op) ? new AluImmediate(alu, rd, rs1, imm) : new AluRegister(alu, rd, rs1, rs2);
                }
                yield new Slow(w); // F, D, A: rare enough for the interpreter's general path
            }
        };
    }

    // ---- the operations ----

    static final class Li extends Insn {
        final int rd;
        final long value;

        Li(int rd, long value) {
            this.rd = rd;
            this.value = value;
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = value;
        }
    }

    static final class Mv extends Insn {
        final int rd;
        final int rs;

        Mv(int rd, int rs) {
            this.rd = rd;
            this.rs = rs;
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs];
        }
    }

    /** {@code rd = pc + offset}: the hart's pc is the start of the running block. */
    static final class Auipc extends Insn {
        final int rd;
        final long fromBlockStart;

        Auipc(int rd, long fromBlockStart) {
            this.rd = rd;
            this.fromBlockStart = fromBlockStart;
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = h.pc + fromBlockStart;
        }
    }

    /** Operands shared by the register-immediate forms. */
    abstract static class Immediate extends Insn {
        final int rd;
        final int rs1;
        final long imm;

        Immediate(int rd, int rs1, long imm) {
            this.rd = rd;
            this.rs1 = rs1;
            this.imm = imm;
        }
    }

    /** Operands shared by the register-register forms. */
    abstract static class Register extends Insn {
        final int rd;
        final int rs1;
        final int rs2;

        Register(int rd, int rs1, int rs2) {
            this.rd = rd;
            this.rs1 = rs1;
            this.rs2 = rs2;
        }
    }

    /** Operands shared by the shifts by a constant. */
    abstract static class Shift extends Insn {
        final int rd;
        final int rs1;
        final int shamt;

        Shift(int rd, int rs1, int shamt) {
            this.rd = rd;
            this.rs1 = rs1;
            this.shamt = shamt;
        }
    }

    static final class Addi extends Immediate {
        Addi(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] + imm;
        }
    }

    static final class Xori extends Immediate {
        Xori(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] ^ imm;
        }
    }

    static final class Ori extends Immediate {
        Ori(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] | imm;
        }
    }

    static final class Andi extends Immediate {
        Andi(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] & imm;
        }
    }

    static final class Addiw extends Immediate {
        Addiw(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) (x[rs1] + imm);
        }
    }

    static final class Slli extends Shift {
        Slli(int rd, int rs1, int shamt) {
            super(rd, rs1, shamt);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] << shamt;
        }
    }

    static final class Srli extends Shift {
        Srli(int rd, int rs1, int shamt) {
            super(rd, rs1, shamt);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] >>> shamt;
        }
    }

    static final class Srai extends Shift {
        Srai(int rd, int rs1, int shamt) {
            super(rd, rs1, shamt);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] >> shamt;
        }
    }

    static final class Slliw extends Shift {
        Slliw(int rd, int rs1, int shamt) {
            super(rd, rs1, shamt);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) x[rs1] << shamt;
        }
    }

    static final class Srliw extends Shift {
        Srliw(int rd, int rs1, int shamt) {
            super(rd, rs1, shamt);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) x[rs1] >>> shamt;
        }
    }

    static final class Sraiw extends Shift {
        Sraiw(int rd, int rs1, int shamt) {
            super(rd, rs1, shamt);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) x[rs1] >> shamt;
        }
    }

    static final class Add extends Register {
        Add(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] + x[rs2];
        }
    }

    static final class Sub extends Register {
        Sub(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] - x[rs2];
        }
    }

    static final class Sll extends Register {
        Sll(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] << x[rs2];
        }
    }

    static final class Xor extends Register {
        Xor(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] ^ x[rs2];
        }
    }

    static final class Srl extends Register {
        Srl(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] >>> x[rs2];
        }
    }

    static final class Sra extends Register {
        Sra(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] >> x[rs2];
        }
    }

    static final class Or extends Register {
        Or(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] | x[rs2];
        }
    }

    static final class And extends Register {
        And(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] & x[rs2];
        }
    }

    static final class Mul extends Register {
        Mul(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = x[rs1] * x[rs2];
        }
    }

    static final class Mulh extends Register {
        Mulh(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = Math.multiplyHigh(x[rs1], x[rs2]);
        }
    }

    static final class Mulhu extends Register {
        Mulhu(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = Math.unsignedMultiplyHigh(x[rs1], x[rs2]);
        }
    }

    static final class Addw extends Register {
        Addw(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) x[rs1] + (int) x[rs2];
        }
    }

    static final class Subw extends Register {
        Subw(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) x[rs1] - (int) x[rs2];
        }
    }

    static final class Sllw extends Register {
        Sllw(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) x[rs1] << x[rs2];
        }
    }

    static final class Srlw extends Register {
        Srlw(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) x[rs1] >>> x[rs2];
        }
    }

    static final class Sraw extends Register {
        Sraw(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) x[rs1] >> x[rs2];
        }
    }

    static final class Mulw extends Register {
        Mulw(int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) x[rs1] * (int) x[rs2];
        }
    }

    /** A multi-step integer operation of {@link Alu} on two registers. */
    static final class AluRegister extends Register {
        final Alu alu;

        AluRegister(Alu alu, int rd, int rs1, int rs2) {
            super(rd, rs1, rs2);
            this.alu = alu;
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = alu.apply(x[rs1], x[rs2]);
        }
    }

    /** A multi-step integer operation of {@link Alu} on a register and an immediate. */
    static final class AluImmediate extends Immediate {
        final Alu alu;

        AluImmediate(Alu alu, int rd, int rs1, long imm) {
            super(rd, rs1, imm);
            this.alu = alu;
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = alu.apply(x[rs1], imm);
        }
    }

    static final class Lb extends Immediate {
        Lb(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (byte) h.load8(x[rs1] + imm);
        }
    }

    static final class Lh extends Immediate {
        Lh(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (short) h.load16(x[rs1] + imm);
        }
    }

    static final class Lw extends Immediate {
        Lw(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = (int) h.load32(x[rs1] + imm);
        }
    }

    static final class Ld extends Immediate {
        Ld(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = h.load64(x[rs1] + imm);
        }
    }

    static final class Lbu extends Immediate {
        Lbu(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = h.load8(x[rs1] + imm);
        }
    }

    static final class Lhu extends Immediate {
        Lhu(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = h.load16(x[rs1] + imm);
        }
    }

    static final class Lwu extends Immediate {
        Lwu(int rd, int rs1, long imm) {
            super(rd, rs1, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            x[rd] = h.load32(x[rs1] + imm);
        }
    }

    /** Operands of the stores: the address register, the value register, the offset. */
    abstract static class Store extends Insn {
        final int rs1;
        final int rs2;
        final long imm;

        Store(int rs1, int rs2, long imm) {
            this.rs1 = rs1;
            this.rs2 = rs2;
            this.imm = imm;
        }
    }

    static final class Sb extends Store {
        Sb(int rs1, int rs2, long imm) {
            super(rs1, rs2, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            h.store8(x[rs1] + imm, x[rs2]);
        }
    }

    static final class Sh extends Store {
        Sh(int rs1, int rs2, long imm) {
            super(rs1, rs2, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            h.store16(x[rs1] + imm, x[rs2]);
        }
    }

    static final class Sw extends Store {
        Sw(int rs1, int rs2, long imm) {
            super(rs1, rs2, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            h.store32(x[rs1] + imm, x[rs2]);
        }
    }

    static final class Sd extends Store {
        Sd(int rs1, int rs2, long imm) {
            super(rs1, rs2, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            h.store64(x[rs1] + imm, x[rs2]);
        }
    }

    static final class Fence extends Insn {
        @Override
        void run(Hart h, long[] x) {
            VarHandle.fullFence();
        }
    }

    /** Everything else that does not end a block (F, D, A): the hart's general path. */
    static final class Slow extends Insn {
        final long w;

        Slow(long w) {
            this.w = w;
        }

        @Override
        void run(Hart h, long[] x) {
            h.slowOp(w);
        }
    }

    // ---- the instructions that end a block: the hart's pc is the block's start until they run ----

    /** No control transfer: the block ended at a page end or its length limit. */
    static final class FallThrough extends Insn {
        final int blockLength;
        final int count;

        FallThrough(int blockLength, int count) {
            this.blockLength = blockLength;
            this.count = count;
        }

        @Override
        void run(Hart h, long[] x) {
            h.pc += blockLength;
            h.retired += count;
        }
    }

    static final class Jal extends Insn {
        final int at;
        final int next;
        final int count;
        final int rd;
        final long imm;

        Jal(int at, int next, int count, int rd, long imm) {
            this.at = at;
            this.next = next;
            this.count = count;
            this.rd = rd;
            this.imm = imm;
        }

        @Override
        void run(Hart h, long[] x) {
            long start = h.pc;
            x[rd] = start + next;
            h.pc = start + at + imm;
            h.retired += count;
        }
    }

    static final class Jalr extends Insn {
        final int next;
        final int count;
        final int rd;
        final int rs1;
        final long imm;

        Jalr(int next, int count, int rd, int rs1, long imm) {
            this.next = next;
            this.count = count;
            this.rd = rd;
            this.rs1 = rs1;
            this.imm = imm;
        }

        @Override
        void run(Hart h, long[] x) {
            long target = x[rs1] + imm & ~1L; // read before rd is written: they may be the same
            x[rd] = h.pc + next;
            h.pc = target;
            h.retired += count;
        }
    }

    /** Operands and both destinations of a conditional branch. */
    abstract static class Branch extends Insn {
        final long taken;
        final long notTaken;
        final int count;
        final int rs1;
        final int rs2;

        Branch(int at, int next, int count, int rs1, int rs2, long imm) {
            this.taken = at + imm;
            this.notTaken = next;
            this.count = count;
            this.rs1 = rs1;
            this.rs2 = rs2;
        }

        final void go(Hart h, boolean condition) {
            h.pc += condition ? taken : notTaken;
            h.retired += count;
        }
    }

    static final class Beq extends Branch {
        Beq(int at, int next, int count, int rs1, int rs2, long imm) {
            super(at, next, count, rs1, rs2, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            go(h, x[rs1] == x[rs2]);
        }
    }

    static final class Bne extends Branch {
        Bne(int at, int next, int count, int rs1, int rs2, long imm) {
            super(at, next, count, rs1, rs2, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            go(h, x[rs1] != x[rs2]);
        }
    }

    static final class Blt extends Branch {
        Blt(int at, int next, int count, int rs1, int rs2, long imm) {
            super(at, next, count, rs1, rs2, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            go(h, x[rs1] < x[rs2]);
        }
    }

    static final class Bge extends Branch {
        Bge(int at, int next, int count, int rs1, int rs2, long imm) {
            super(at, next, count, rs1, rs2, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            go(h, x[rs1] >= x[rs2]);
        }
    }

    static final class Bltu extends Branch {
        Bltu(int at, int next, int count, int rs1, int rs2, long imm) {
            super(at, next, count, rs1, rs2, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            go(h, Long.compareUnsigned(x[rs1], x[rs2]) < 0);
        }
    }

    static final class Bgeu extends Branch {
        Bgeu(int at, int next, int count, int rs1, int rs2, long imm) {
            super(at, next, count, rs1, rs2, imm);
        }

        @Override
        void run(Hart h, long[] x) {
            go(h, Long.compareUnsigned(x[rs1], x[rs2]) >= 0);
        }
    }

    /**
     * A system instruction (or an illegal one): pc and the count of what ran before it are set
     * first, so that a trap it raises is taken at the instruction itself.
     */
    static final class SystemEnd extends Insn {
        final long w;
        final int at;
        final int length;
        final int before;

        SystemEnd(long w, int at, int next, int count) {
            this.w = w;
            this.at = at;
            this.length = next - at;
            this.before = count - 1;
        }

        @Override
        void run(Hart h, long[] x) {
            h.retired += before;
            h.pc += at;
            h.executeSystem(w, length);
        }
    }
}
