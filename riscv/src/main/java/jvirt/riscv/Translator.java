package jvirt.riscv;

import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.instruction.SwitchCase;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates the hot blocks of one page into one JVM method, so that the JIT compiles guest code
 * instead of the interpreter dispatching it instruction by instruction.
 *
 * <p>The method ({@link CompiledRegion#run}) is entered at any of its blocks. Guest registers live
 * in JVM locals while it runs; a branch to another block of the region is a JVM {@code goto}, so a
 * guest loop becomes a JVM loop. Everything else leaves the region: a jump elsewhere writes the
 * registers back and sets {@code pc}; a trap does the same for the faulting instruction and takes
 * the trap; a system instruction runs through the interpreter's own code and ends the region's
 * run. Every jump inside the region first looks at {@link Hart#attention}, so interrupts and stop
 * requests are seen as promptly as between interpreted blocks.
 *
 * <p>Loads and stores call the hart's TLB fast paths and the instructions not expanded here call
 * {@link Hart#slowOp} with the registers it uses written back around the call: one definition of
 * each instruction's meaning serves both execution engines.
 */
final class Translator {
    /** Executions of a block before its page is translated, unless the board says otherwise. */
    static final int DEFAULT_THRESHOLD = 300_000;
    /**
     * Estimated bytecode per region: HotSpot does not compile methods over 8000 bytes, and smaller
     * methods compile sooner.
     */
    static final int MAX_BYTECODE = Integer.getInteger("jvirt.translate.maxBytecode", 2000);

    private static final ClassDesc CD_HART = ClassDesc.of("jvirt.riscv.Hart");
    private static final ClassDesc CD_REGION = ClassDesc.of("jvirt.riscv.CompiledRegion");
    private static final ClassDesc CD_TRAP = ClassDesc.of("jvirt.riscv.TrapException");
    private static final ClassDesc CD_ALU = ClassDesc.of("jvirt.riscv.Alu");
    private static final ClassDesc CD_LONG_ARRAY = CD_long.arrayType();
    private static final MethodTypeDesc MTD_RUN = MethodTypeDesc.of(CD_void, CD_HART, CD_int);
    private static final MethodTypeDesc MTD_LOAD = MethodTypeDesc.of(CD_long, CD_long);
    private static final MethodTypeDesc MTD_STORE = MethodTypeDesc.of(CD_void, CD_long, CD_long);
    private static final MethodTypeDesc MTD_BINARY = MethodTypeDesc.of(CD_long, CD_long, CD_long);
    private static final MethodTypeDesc MTD_COMPARE = MethodTypeDesc.of(CD_int, CD_long, CD_long);
    private static final MethodTypeDesc MTD_SLOW_OP = MethodTypeDesc.of(CD_void, CD_long);
    private static final MethodTypeDesc MTD_SYSTEM = MethodTypeDesc.of(CD_void, CD_long, CD_int);
    private static final MethodTypeDesc MTD_TRAP = MethodTypeDesc.of(CD_void, CD_long, CD_long);
    private static final MethodTypeDesc MTD_VOID = MethodTypeDesc.of(CD_void);
    private static final MethodTypeDesc MTD_ATTENTION = MethodTypeDesc.of(CD_boolean);

    // Local variable slots of run(Hart, int).
    private static final int HART = 1;
    private static final int ENTRY = 2;
    private static final int REGISTERS = 3; // x1 at 3, x2 at 5, ..., x31 at 63
    private static final int VPAGE = 65;
    private static final int ICOUNT = 67;
    private static final int TRAP_INFO = 69;
    private static final int XS = 70;
    private static final int NEXT_PC = 71;
    private static final int TRAP = 73;
    private static final int SYSTEM_INSN = 74;
    private static final int SYSTEM_LENGTH = 76;
    private static final int SYSTEM_BEFORE = 77;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private Translator() {
    }

    private static int slot(int reg) {
        return REGISTERS + 2 * (reg - 1);
    }

    /**
     * Blocks of one page worth translating together: {@code hot}, then the others at least an
     * eighth as hot, hottest first, while the estimated method stays small; sorted by page offset.
     */
    static List<Block> select(Iterable<Block> pageBlocks, Block hot) {
        int warm = Math.max(1, hot.hits / 8);
        List<Block> candidates = new ArrayList<>();
        for (Block b : pageBlocks) {
            // A page-straddling instruction is checked against its second page on every use: not in regions.
            if (b != hot && b.hits >= warm && b.tailOffset < 0) {
                candidates.add(b);
            }
        }
        candidates.sort((a, b) -> Integer.compare(b.hits, a.hits));
        List<Block> chosen = new ArrayList<>(List.of(hot));
        int size = estimate(hot);
        for (Block b : candidates) {
            int more = estimate(b);
            if (size + more <= MAX_BYTECODE) {
                chosen.add(b);
                size += more;
            }
        }
        chosen.sort((a, b) -> Long.compare(a.ramOffset, b.ramOffset));
        return chosen;
    }

    /** Roughly the bytecode a block becomes (a bound, not an exact count). */
    private static int estimate(Block b) {
        int bytes = 16; // the block's label, switch case and dispatch entry
        for (long w : b.code) {
            int op = Op.op(w);
            bytes += switch (op) {
                case Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU, Op.SB, Op.SH, Op.SW, Op.SD -> 24;
                case Op.FLW, Op.FLD, Op.FSW, Op.FSD, Op.FP, Op.LR_W, Op.LR_D, Op.SC_W, Op.SC_D, Op.AMO_W, Op.AMO_D -> 48;
                default -> Op.endsBlock(op) ? 48 : Alu.of(op) != null ? 16 : 12;
            };
        }
        return bytes;
    }

    /** Compiles {@code blocks} (all from one page, with distinct start offsets) into one region. */
    static CompiledRegion translate(List<Block> blocks) {
        byte[] bytes = ClassFile.of().build(ClassDesc.of("jvirt.riscv.Region"), cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cb.withInterfaceSymbols(CD_REGION);
            cb.withMethodBody(ConstantDescs.INIT_NAME, MTD_VOID, ClassFile.ACC_PUBLIC, code -> {
                code.aload(0);
                code.invokespecial(CD_Object, ConstantDescs.INIT_NAME, MTD_VOID);
                code.return_();
            });
            cb.withMethodBody("run", MTD_RUN, ClassFile.ACC_PUBLIC, code -> new Emitter(code, blocks).emit());
        });
        try {
            Class<?> c = LOOKUP.defineHiddenClass(bytes, true).lookupClass();
            return (CompiledRegion) c.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("translated code was refused", e);
        }
    }

    /** Writes the body of one region's run method. */
    private static final class Emitter {
        private final CodeBuilder code;
        private final List<Block> blocks;
        private final Map<Integer, Label> labels = new HashMap<>();
        private final BitSet used = new BitSet(32);
        private final BitSet written = new BitSet(32);
        private final Label exit;
        private final Label dispatch;
        private final Label system;

        Emitter(CodeBuilder code, List<Block> blocks) {
            this.code = code;
            this.blocks = blocks;
            this.exit = code.newLabel();
            this.dispatch = code.newLabel();
            this.system = code.newLabel();
            for (Block b : blocks) {
                labels.put(pageOffset(b), code.newLabel());
                for (int i = 0; i < b.code.length; i++) {
                    note(b.code[i]);
                }
            }
        }

        private static int pageOffset(Block b) {
            return (int) (b.ramOffset & 0xFFF);
        }

        /** Records the registers an instruction reads and writes. */
        private void note(long w) {
            int op = Op.op(w);
            if (op == Op.END || Op.endsBlock(op) && op > Op.BGEU) {
                return; // system instructions see registers through the array
            }
            use(Op.rs1(w));
            use(Op.rs2(w));
            int rd = Op.rd(w);
            if (rd != 0 && rd != Op.ZERO_SINK) {
                use(rd);
                written.set(rd);
            }
        }

        private void use(int reg) {
            if (reg != 0) {
                used.set(reg);
            }
        }

        void emit() {
            code.aload(HART);
            code.getfield(CD_HART, "x", CD_LONG_ARRAY);
            code.astore(XS);
            for (int r = used.nextSetBit(0); r >= 0; r = used.nextSetBit(r + 1)) {
                code.aload(XS);
                code.loadConstant(r);
                code.laload();
                code.lstore(slot(r));
            }
            code.aload(HART);
            code.getfield(CD_HART, "pc", CD_long);
            code.loadConstant(~0xFFFL);
            code.land();
            code.lstore(VPAGE);
            code.loadConstant(0L);
            code.lstore(ICOUNT);
            code.loadConstant(0L);
            code.lstore(NEXT_PC);
            code.loadConstant(0);
            code.istore(TRAP_INFO);
            code.loadConstant(0L);
            code.lstore(SYSTEM_INSN);
            code.loadConstant(0);
            code.istore(SYSTEM_LENGTH);
            code.loadConstant(0);
            code.istore(SYSTEM_BEFORE);

            Label start = code.newLabel();
            Label end = code.newLabel();
            Label handler = code.newLabel();
            code.labelBinding(start);
            List<SwitchCase> cases = new ArrayList<>();
            for (int i = 0; i < blocks.size(); i++) {
                cases.add(SwitchCase.of(i, labels.get(pageOffset(blocks.get(i)))));
            }
            code.iload(ENTRY);
            code.tableswitch(0, blocks.size() - 1, labels.get(pageOffset(blocks.get(0))), cases);
            for (Block b : blocks) {
                code.labelBinding(labels.get(pageOffset(b)));
                emitBlock(b);
            }
            emitDispatch();
            emitSystem();
            code.labelBinding(end);
            code.exceptionCatch(start, end, handler, CD_TRAP);

            code.labelBinding(exit);
            writeBack();
            code.aload(HART);
            code.lload(NEXT_PC);
            code.putfield(CD_HART, "pc", CD_long);
            addRetired(ICOUNT, 0);
            code.return_();

            code.labelBinding(handler);
            code.astore(TRAP);
            writeBack();
            pcFromTrapInfo();
            code.aload(HART);
            code.dup();
            code.getfield(CD_HART, "retired", CD_long);
            code.lload(ICOUNT);
            code.ladd();
            code.iload(TRAP_INFO);
            code.loadConstant(12);
            code.iushr();
            code.i2l();
            code.ladd();
            code.putfield(CD_HART, "retired", CD_long);
            code.aload(HART);
            code.aload(TRAP);
            code.getfield(CD_TRAP, "cause", CD_long);
            code.aload(TRAP);
            code.getfield(CD_TRAP, "tval", CD_long);
            code.invokevirtual(CD_HART, "takeTrap", MTD_TRAP);
            code.return_();
        }

        private void writeBack() {
            for (int r = written.nextSetBit(0); r >= 0; r = written.nextSetBit(r + 1)) {
                flush(r);
            }
        }

        private void flush(int r) {
            if (r != 0 && r != Op.ZERO_SINK && used.get(r)) {
                code.aload(XS);
                code.loadConstant(r);
                code.lload(slot(r));
                code.lastore();
            }
        }

        private void reload(int r) {
            if (r != 0 && r != Op.ZERO_SINK) {
                code.aload(XS);
                code.loadConstant(r);
                code.laload();
                code.lstore(slot(r));
            }
        }

        /** h.pc = the address of the instruction {@code TRAP_INFO} names. */
        private void pcFromTrapInfo() {
            code.aload(HART);
            code.lload(VPAGE);
            code.iload(TRAP_INFO);
            code.loadConstant(0xFFF);
            code.iand();
            code.i2l();
            code.ladd();
            code.putfield(CD_HART, "pc", CD_long);
        }

        /** h.retired += local + constant. */
        private void addRetired(int local, long constant) {
            code.aload(HART);
            code.dup();
            code.getfield(CD_HART, "retired", CD_long);
            code.lload(local);
            code.ladd();
            if (constant != 0) {
                code.loadConstant(constant);
                code.ladd();
            }
            code.putfield(CD_HART, "retired", CD_long);
        }

        private void read(int reg) {
            if (reg == 0) {
                code.loadConstant(0L);
            } else {
                code.lload(slot(reg));
            }
        }

        private void write(int rd) {
            if (rd == 0 || rd == Op.ZERO_SINK) {
                code.pop2();
            } else {
                code.lstore(slot(rd));
            }
        }

        /** Where a trap at this instruction resumes: its page offset, and instructions before it in its block. */
        private void trapInfo(int pageOffset, int before) {
            code.loadConstant(pageOffset | before << 12);
            code.istore(TRAP_INFO);
        }

        private void emitBlock(Block b) {
            int base = pageOffset(b);
            int blockEnd = base + b.byteLength;
            for (int k = 0; k < b.code.length; k++) {
                long w = b.code[k];
                int at = base + 2 * Op.offset(w);
                if (!instruction(w, at, k, blockEnd, b.count)) {
                    return;
                }
            }
        }

        /** Emits one instruction; false when it ended the block. */
        private boolean instruction(long w, int at, int k, int blockEnd, int count) {
            int op = Op.op(w);
            int rd = Op.rd(w);
            int rs1 = Op.rs1(w);
            int rs2 = Op.rs2(w);
            long imm = Op.imm(w);
            switch (op) {
                case Op.END -> {
                    transfer(at, count);
                    return false;
                }
                case Op.JAL -> {
                    pageAddress(blockEnd);
                    write(rd);
                    transfer(at + imm, count);
                    return false;
                }
                case Op.JALR -> {
                    read(rs1);
                    code.loadConstant(imm);
                    code.ladd();
                    code.loadConstant(~1L);
                    code.land();
                    code.lstore(NEXT_PC);
                    pageAddress(blockEnd);
                    write(rd);
                    addIcount(count);
                    code.goto_(dispatch);
                    return false;
                }
                case Op.BEQ, Op.BNE, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU -> {
                    Label taken = code.newLabel();
                    read(rs1);
                    read(rs2);
                    if (op == Op.BLTU || op == Op.BGEU) {
                        code.invokestatic(ConstantDescs.CD_Long, "compareUnsigned", MTD_COMPARE);
                    } else {
                        code.lcmp();
                    }
                    switch (op) {
                        case Op.BEQ -> code.ifeq(taken);
                        case Op.BNE -> code.ifne(taken);
                        case Op.BLT, Op.BLTU -> code.iflt(taken);
                        default -> code.ifge(taken);
                    }
                    transfer(blockEnd, count);
                    code.labelBinding(taken);
                    transfer(at + imm, count);
                    return false;
                }
                default -> {
                    if (Op.endsBlock(op)) {
                        system(w, at, k, blockEnd - at);
                        return false;
                    }
                    simple(w, op, rd, rs1, rs2, imm, at, k);
                    return true;
                }
            }
        }

        /** The guest virtual address at a page offset. */
        private void pageAddress(long offset) {
            code.lload(VPAGE);
            code.loadConstant(offset);
            code.ladd();
        }

        private void addIcount(int count) {
            code.lload(ICOUNT);
            code.loadConstant((long) count);
            code.ladd();
            code.lstore(ICOUNT);
        }

        /** Control passes to page offset {@code target} after a block of {@code count} instructions. */
        private void transfer(long target, int count) {
            addIcount(count);
            Label inside = target >= 0 && target < 0x1000 ? labels.get((int) target) : null;
            if (inside != null) {
                code.aload(HART);
                code.invokevirtual(CD_HART, "attentionRequested", MTD_ATTENTION);
                code.ifeq(inside);
            }
            pageAddress(target);
            code.lstore(NEXT_PC);
            code.goto_(exit);
        }

        /**
         * The shared tail of indirect jumps to {@code NEXT_PC}: a return or computed jump that lands
         * on a block of this region stays inside it; anything else leaves.
         */
        private void emitDispatch() {
            code.labelBinding(dispatch);
            code.lload(NEXT_PC);
            code.loadConstant(~0xFFFL);
            code.land();
            code.lload(VPAGE);
            code.lcmp();
            code.ifne(exit);
            code.aload(HART);
            code.invokevirtual(CD_HART, "attentionRequested", MTD_ATTENTION);
            code.ifne(exit);
            List<SwitchCase> cases = new ArrayList<>();
            labels.forEach((offset, label) -> cases.add(SwitchCase.of(offset, label)));
            cases.sort((a, b) -> Integer.compare(a.caseValue(), b.caseValue()));
            code.lload(NEXT_PC);
            code.l2i();
            code.loadConstant(0xFFF);
            code.iand();
            code.lookupswitch(exit, cases);
        }

        /** A system instruction: its parameters go to the shared {@link #emitSystem} tail. */
        private void system(long w, int at, int k, int length) {
            trapInfo(at, k);
            code.loadConstant(w);
            code.lstore(SYSTEM_INSN);
            code.loadConstant(length);
            code.istore(SYSTEM_LENGTH);
            code.loadConstant(k);
            code.istore(SYSTEM_BEFORE);
            code.goto_(system);
        }

        /**
         * The shared tail of system instructions: run by the interpreter's code with all registers
         * in the array, after which the region ends (the instruction may change anything).
         */
        private void emitSystem() {
            code.labelBinding(system);
            writeBack();
            code.iload(SYSTEM_BEFORE);
            code.i2l();
            code.lload(ICOUNT);
            code.ladd();
            code.lstore(ICOUNT);
            addRetired(ICOUNT, 0);
            code.iload(SYSTEM_BEFORE);
            code.ineg();
            code.i2l();
            code.lstore(ICOUNT); // if it traps, the handler adds ICOUNT + before: nothing more
            pcFromTrapInfo();
            code.aload(HART);
            code.lload(SYSTEM_INSN);
            code.iload(SYSTEM_LENGTH);
            code.invokevirtual(CD_HART, "executeSystem", MTD_SYSTEM);
            code.return_();
        }

        private void simple(long w, int op, int rd, int rs1, int rs2, long imm, int at, int k) {
            switch (op) {
                case Op.LUI -> {
                    code.loadConstant(imm);
                    write(rd);
                }
                case Op.AUIPC -> {
                    pageAddress(at + imm);
                    write(rd);
                }
                case Op.ADDI -> immediate(rs1, imm, rd, CodeBuilder::ladd);
                case Op.XORI -> immediate(rs1, imm, rd, CodeBuilder::lxor);
                case Op.ORI -> immediate(rs1, imm, rd, CodeBuilder::lor);
                case Op.ANDI -> immediate(rs1, imm, rd, CodeBuilder::land);
                case Op.SLLI -> shiftImmediate(rs1, imm, rd, CodeBuilder::lshl);
                case Op.SRLI -> shiftImmediate(rs1, imm, rd, CodeBuilder::lushr);
                case Op.SRAI -> shiftImmediate(rs1, imm, rd, CodeBuilder::lshr);
                case Op.ADD -> binary(rs1, rs2, rd, CodeBuilder::ladd);
                case Op.SUB -> binary(rs1, rs2, rd, CodeBuilder::lsub);
                case Op.XOR -> binary(rs1, rs2, rd, CodeBuilder::lxor);
                case Op.OR -> binary(rs1, rs2, rd, CodeBuilder::lor);
                case Op.AND -> binary(rs1, rs2, rd, CodeBuilder::land);
                case Op.MUL -> binary(rs1, rs2, rd, CodeBuilder::lmul);
                case Op.SLL -> shift(rs1, rs2, rd, CodeBuilder::lshl);
                case Op.SRL -> shift(rs1, rs2, rd, CodeBuilder::lushr);
                case Op.SRA -> shift(rs1, rs2, rd, CodeBuilder::lshr);
                case Op.MULH -> math(rs1, rs2, rd, "multiplyHigh");
                case Op.MULHU -> math(rs1, rs2, rd, "unsignedMultiplyHigh");
                case Op.ADDIW -> {
                    read(rs1);
                    code.loadConstant(imm);
                    code.ladd();
                    code.l2i();
                    code.i2l();
                    write(rd);
                }
                case Op.SLLIW -> wordShiftImmediate(rs1, imm, rd, CodeBuilder::ishl);
                case Op.SRLIW -> wordShiftImmediate(rs1, imm, rd, CodeBuilder::iushr);
                case Op.SRAIW -> wordShiftImmediate(rs1, imm, rd, CodeBuilder::ishr);
                case Op.ADDW -> word(rs1, rs2, rd, CodeBuilder::iadd);
                case Op.SUBW -> word(rs1, rs2, rd, CodeBuilder::isub);
                case Op.MULW -> word(rs1, rs2, rd, CodeBuilder::imul);
                case Op.SLLW -> word(rs1, rs2, rd, CodeBuilder::ishl);
                case Op.SRLW -> word(rs1, rs2, rd, CodeBuilder::iushr);
                case Op.SRAW -> word(rs1, rs2, rd, CodeBuilder::ishr);
                case Op.FENCE -> code.invokestatic(ClassDesc.of(VarHandle.class.getName()), "fullFence", MTD_VOID);
                case Op.LB, Op.LH, Op.LW, Op.LD, Op.LBU, Op.LHU, Op.LWU -> load(op, rd, rs1, imm, at, k);
                case Op.SB, Op.SH, Op.SW, Op.SD -> store(op, rs1, rs2, imm, at, k);
                default -> {
                    Alu alu = Alu.of(op);
                    if (alu != null) {
                        code.getstatic(CD_ALU, alu.name(), CD_ALU);
                        read(rs1);
                        if (Alu.immediateForm(op)) {
                            code.loadConstant(imm);
                        } else {
                            read(rs2);
                        }
                        code.invokevirtual(CD_ALU, "apply", MTD_BINARY);
                        write(rd);
                    } else {
                        viaInterpreter(w, rd, rs1, rs2, at, k);
                    }
                }
            }
        }

        /** F, D and A instructions: the interpreter's code, with the registers it may touch in the array. */
        private void viaInterpreter(long w, int rd, int rs1, int rs2, int at, int k) {
            trapInfo(at, k);
            flush(rs1);
            flush(rs2);
            flush(rd);
            code.aload(HART);
            code.loadConstant(w);
            code.invokevirtual(CD_HART, "slowOp", MTD_SLOW_OP);
            reload(rd);
        }

        private void load(int op, int rd, int rs1, long imm, int at, int k) {
            trapInfo(at, k);
            code.aload(HART);
            read(rs1);
            code.loadConstant(imm);
            code.ladd();
            String method = switch (op) {
                case Op.LB, Op.LBU -> "load8";
                case Op.LH, Op.LHU -> "load16";
                case Op.LW, Op.LWU -> "load32";
                default -> "load64";
            };
            code.invokevirtual(CD_HART, method, MTD_LOAD);
            switch (op) {
                case Op.LB -> {
                    code.l2i();
                    code.i2b();
                    code.i2l();
                }
                case Op.LH -> {
                    code.l2i();
                    code.i2s();
                    code.i2l();
                }
                case Op.LW -> {
                    code.l2i();
                    code.i2l();
                }
                default -> {
                    // Zero-extended already.
                }
            }
            write(rd);
        }

        private void store(int op, int rs1, int rs2, long imm, int at, int k) {
            trapInfo(at, k);
            code.aload(HART);
            read(rs1);
            code.loadConstant(imm);
            code.ladd();
            read(rs2);
            String method = switch (op) {
                case Op.SB -> "store8";
                case Op.SH -> "store16";
                case Op.SW -> "store32";
                default -> "store64";
            };
            code.invokevirtual(CD_HART, method, MTD_STORE);
        }

        private interface Insn {
            void emit(CodeBuilder code);
        }

        private void immediate(int rs1, long imm, int rd, Insn insn) {
            read(rs1);
            code.loadConstant(imm);
            insn.emit(code);
            write(rd);
        }

        private void shiftImmediate(int rs1, long shamt, int rd, Insn insn) {
            read(rs1);
            code.loadConstant((int) shamt);
            insn.emit(code);
            write(rd);
        }

        private void binary(int rs1, int rs2, int rd, Insn insn) {
            read(rs1);
            read(rs2);
            insn.emit(code);
            write(rd);
        }

        private void shift(int rs1, int rs2, int rd, Insn insn) {
            read(rs1);
            read(rs2);
            code.l2i();
            insn.emit(code);
            write(rd);
        }

        private void math(int rs1, int rs2, int rd, String method) {
            read(rs1);
            read(rs2);
            code.invokestatic(ClassDesc.of(Math.class.getName()), method, MTD_BINARY);
            write(rd);
        }

        private void wordShiftImmediate(int rs1, long shamt, int rd, Insn insn) {
            read(rs1);
            code.l2i();
            code.loadConstant((int) shamt);
            insn.emit(code);
            code.i2l();
            write(rd);
        }

        private void word(int rs1, int rs2, int rd, Insn insn) {
            read(rs1);
            code.l2i();
            read(rs2);
            code.l2i();
            insn.emit(code);
            code.i2l();
            write(rd);
        }
    }
}
