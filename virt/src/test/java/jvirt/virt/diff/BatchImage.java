package jvirt.virt.diff;

import static jvirt.virt.diff.InstructionFormats.i;
import static jvirt.virt.diff.InstructionFormats.u;

import java.util.ArrayList;
import java.util.List;

/**
 * Lays several {@link TestProgram}s out as one flat bare-metal binary, loaded and entered at
 * {@link #CODE} in M-mode (QEMU's {@code -bios}, jvirt's flat-binary loader).
 *
 * <p>The prologue installs the trap handler and PMP entry 1, which opens all memory to S and U
 * (entry 0, ahead of it, is set per program).
 * For each program a stub hands its state table to the shared {@code init} routine, which
 * copies the scratch image, sets up the program's environment (satp and the page table entries
 * it varies, mstatus MPP, SUM, MXR and MPRV), loads fcsr, f0..f31 and x1..x31 and enters the body with
 * {@code mret}. The body ends by storing x1 and executing an ecall, which the trap handler
 * recognizes by its address and turns into a jump, in M-mode, to the shared {@code dump}
 * routine. That saves everything else and prints on the UART a line {@code --}, then one
 * 16-digit hex line each for x1..x31, f0..f31, fcsr, a checksum of the scratch area, the page
 * table entry of {@link #PAGE2}, the number of traps taken, and mcause, mtval and mepc of the
 * first {@link #MAX_TRAPS} traps. For any other trap the handler records those and resumes
 * after the trapping instruction. The last program is followed by a write of 0x5555 to
 * sifive_test.
 *
 * <p>Translation is an identity map: a 2 MiB page over the code, and 4 KiB pages over the two
 * pages the scratch area spans, of which the second one's permissions vary per program. The
 * Sv57, Sv48 and Sv39 roots chain into one another, so the three share the lower levels.
 */
final class BatchImage {
    static final long CODE = 0x8000_0000L;
    /** The scratch area; it straddles a page boundary, so misaligned accesses may cross pages. */
    static final long DATA = 0x8080_1F00L;
    static final int DATA_SIZE = 512;
    /** Bases of the scratch area held in the reserved registers x8 (s0) and x2 (sp). */
    static final int BASE_S0 = 8;
    static final int BASE_SP = 2;
    static final long SP_VALUE = DATA + 128;
    /** The save area, reachable from x8 with negative offsets. */
    static final long SAVE = DATA - 2048;
    /** The page the scratch area runs into, whose mapping varies. */
    static final long PAGE2 = (DATA + DATA_SIZE) & ~0xFFFL;
    static final int MAX_TRAPS = 8;
    /** Lines printed per program before the trap records. */
    static final int FIXED_LINES = 31 + 32 + 4;

    private static final int SAVE_F = 248;
    private static final int SAVE_FCSR = 504;
    private static final int SAVE_CHECKSUM = 512;
    private static final int SAVE_PTE = 520;
    private static final int SAVE_TRAP_COUNT = 528;
    private static final int SAVE_TRAPS = 536;
    private static final int SAVE_HANDLER = 736;
    private static final int SAVE_DUMMY = 760;
    private static final int SAVE_END = 768;
    /** Where the body leaves the address to resume at after an instruction fetch fault. */
    static final int SAVE_RESUME = 776;

    private static final int TABLE_BODY = 0;
    private static final int TABLE_FCSR = 8;
    private static final int TABLE_SATP = 16;
    private static final int TABLE_MSTATUS = 24;
    private static final int TABLE_CODE_PTE = 32;
    private static final int TABLE_PAGE1_PTE = 40;
    private static final int TABLE_PAGE2_PTE = 48;
    private static final int TABLE_END = 56;
    private static final int TABLE_PMPCFG = 64;
    private static final int TABLE_PMPADDR0 = 72;
    private static final int TABLE_X = 80;
    private static final int TABLE_F = TABLE_X + 31 * 8;
    private static final int TABLE_MEMORY = TABLE_F + 32 * 8;
    private static final int TABLE_SIZE = TABLE_MEMORY + DATA_SIZE;

    private static final long UART = 0x1000_0000L;
    private static final long SIFIVE_TEST = 0x10_0000L;

    private static final int CSR_MSTATUS = 0x300;
    private static final int CSR_MIE = 0x304;
    private static final int CSR_MTVEC = 0x305;
    private static final int CSR_MSCRATCH = 0x340;
    private static final int CSR_MEPC = 0x341;
    private static final int CSR_MCAUSE = 0x342;
    private static final int CSR_MTVAL = 0x343;
    private static final int CSR_SATP = 0x180;
    private static final int CSR_PMPCFG0 = 0x3A0;
    private static final int CSR_PMPADDR0 = 0x3B0;
    private static final int CSR_PMPADDR1 = 0x3B1;
    private static final int PMP_NAPOT = 0x18;

    private static final long MSTATUS_MPP = 3L << 11;
    private static final long MSTATUS_FS = 3L << 13;
    private static final long MSTATUS_MPRV = 1L << 17;
    private static final long MSTATUS_SUM = 1L << 18;
    private static final long MSTATUS_MXR = 1L << 19;
    private static final long MSTATUS_TVM = 1L << 20;
    private static final long MSTATUS_TW = 1L << 21;
    private static final long MSTATUS_TSR = 1L << 22;

    static final int PTE_V = 1;
    static final int PTE_R = 2;
    static final int PTE_W = 4;
    static final int PTE_X = 8;
    static final int PTE_U = 16;
    static final int PTE_A = 64;
    static final int PTE_D = 128;
    private static final int PAGE = 4096;

    /** One body instruction as laid out: for listings. */
    record Line(long address, int bits, int length, String text, int unit) {
        @Override
        public String toString() {
            String hex = length == 4 ? String.format("%08x", bits) : String.format("    %04x", bits);
            return String.format("%08x:  %s  %s", address, hex, text);
        }
    }

    private final byte[] image;
    private final List<List<Line>> listings;

    private BatchImage(byte[] image, List<List<Line>> listings) {
        this.image = image;
        this.listings = listings;
    }

    byte[] image() {
        return image.clone();
    }

    /** The body of program {@code k} as laid out. */
    List<Line> listing(int k) {
        return listings.get(k);
    }

    static BatchImage build(List<TestProgram> programs) {
        CodeBuffer code = new CodeBuffer(CODE);
        CodeBuffer.Label handler = code.label();
        CodeBuffer.Label init = code.label();
        CodeBuffer.Label dump = code.label();
        List<CodeBuffer.Label> tables = new ArrayList<>();
        List<CodeBuffer.Label> bodies = new ArrayList<>();
        List<List<Line>> listings = new ArrayList<>();

        CodeBuffer.Label pageTables = code.label();
        List<Long> ends = new ArrayList<>();

        // Prologue: trap vector, handler's save area, FPU on, no interrupts, all memory open to S and U.
        loadAddress(code, 5, handler);
        code.emit(Rv64.csr(1, 0, CSR_MTVEC, 5));
        loadAddress(code, 5, SAVE);
        code.emit(Rv64.csr(1, 0, CSR_MSCRATCH, 5));
        code.emit(Rv64.RegImm.ADDI.of(5, 0, 1));
        code.emit(Rv64.ShiftImm.SLLI.of(5, 5, 13));
        code.emit(Rv64.csr(2, 0, CSR_MSTATUS, 5)); // mstatus.FS = Initial
        code.emit(Rv64.csr(1, 0, CSR_MIE, 0));
        code.emit(Rv64.RegImm.ADDI.of(5, 0, -1));
        code.emit(Rv64.csr(1, 0, CSR_PMPADDR1, 5)); // entry 1: all memory, RWX; entry 0 varies

        for (TestProgram p : programs) {
            CodeBuffer.Label table = code.label();
            CodeBuffer.Label body = code.label();
            tables.add(table);
            bodies.add(body);
            loadAddress(code, 1, table);
            loadAddress(code, 5, init);
            code.emit(Insn.fixed(i(0x67, 0, 0, 5, 0), "jr x5"));
            body.bind();
            listings.add(layBody(code, p));
            code.emit(Rv64.Store.SD.of(1, BASE_S0, -2048));
            ends.add(code.here());
            code.emit(Rv64.ecall()); // the handler goes on to dump, in M-mode, and returns after it
        }

        // Epilogue: power off with status 0; spin should the write not stop the machine.
        loadImmediate(code, 5, (int) SIFIVE_TEST);
        loadImmediate(code, 6, 0x5555);
        code.emit(Rv64.Store.SW.of(6, 5, 0));
        code.emit(Insn.fixed(InstructionFormats.j(0x6F, 0, 0), "j ."));

        code.align(4);
        handler.bind();
        emitHandler(code, dump);
        init.bind();
        emitInit(code, pageTables);
        dump.bind();
        emitDump(code, pageTables);

        // The page tables: Sv57 root, Sv48 root, Sv39 root, the level-1 table, the level-0 table.
        code.align(PAGE);
        pageTables.bind();
        long base = pageTables.address();
        long[] table = new long[5 * PAGE / 8];
        table[0] = pointer(base + PAGE);                                   // Sv57 root -> Sv48 root
        table[512] = pointer(base + 2 * PAGE);                             // Sv48 root -> Sv39 root
        table[1024 + (int) (CODE >>> 30 & 0x1FF)] = pointer(base + 3 * PAGE); // Sv39 root -> level 1
        table[1536 + (int) (DATA >>> 21 & 0x1FF)] = pointer(base + 4 * PAGE); // level 1 -> level 0
        for (long v : table) {
            code.emitLong(v);
        }
        if (code.here() > CODE + (1 << 21)) {
            throw new IllegalStateException("batch too large: its code outgrows the 2 MiB page that maps it");
        }

        code.align(8);
        for (int k = 0; k < programs.size(); k++) {
            tables.get(k).bind();
            TestProgram p = programs.get(k);
            TestProgram.Environment env = p.env();
            int user = env.dataPriv() == 0 ? PTE_U : 0;
            code.emitLong(bodies.get(k).address());
            code.emitLong(p.fcsr());
            // The root for Sv57 is the first table, for Sv48 the second, for Sv39 the third.
            long root = base + (long) PAGE * (10 - env.satpMode());
            code.emitLong(env.satpMode() == 0 ? 0 : (long) env.satpMode() << 60 | root >>> 12);
            code.emitLong((long) env.priv() << 11 | env.mstatus());
            code.emitLong(CODE >>> 12 << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | user);
            code.emitLong((PAGE2 - PAGE) >>> 12 << 10 | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | user);
            code.emitLong(PAGE2 >>> 12 << 10 | env.page2Flags());
            code.emitLong(ends.get(k));
            // PMP entry 0: NAPOT over the second page with the program's permissions, or off.
            long entry1 = PMP_NAPOT | 7;
            long entry0 = env.page2Pmp() < 0 ? 0 : PMP_NAPOT | env.page2Pmp();
            code.emitLong(entry1 << 8 | entry0);
            code.emitLong(PAGE2 >>> 2 | (PAGE >>> 3) - 1);
            for (int r = 1; r < 32; r++) {
                code.emitLong(p.x()[r]);
            }
            for (int r = 0; r < 32; r++) {
                code.emitLong(p.f()[r]);
            }
            code.emitBytes(p.memory());
        }
        if (code.here() >= SAVE) {
            throw new IllegalStateException("batch too large: the image reaches the data area");
        }
        return new BatchImage(code.bytes(), listings);
    }

    /** Lays out a body: forward transfers get their offsets from the unit start addresses. */
    private static List<Line> layBody(CodeBuffer code, TestProgram p) {
        List<List<Insn>> units = p.units();
        long[] start = new long[units.size() + 1];
        long at = code.here();
        for (int u = 0; u < units.size(); u++) {
            start[u] = at;
            for (Insn insn : units.get(u)) {
                at += insn.length;
            }
        }
        start[units.size()] = at;
        List<Line> lines = new ArrayList<>();
        for (int u = 0; u < units.size(); u++) {
            List<Insn> unit = units.get(u);
            long[] addresses = new long[unit.size()];
            long a = start[u];
            for (int k = 0; k < unit.size(); k++) {
                addresses[k] = a;
                a += unit.get(k).length;
            }
            for (int k = 0; k < unit.size(); k++) {
                Insn insn = unit.get(k);
                int offset = 0;
                if (insn.isForward()) {
                    long target = start[Math.min(u + 1 + insn.skip, units.size())];
                    offset = (int) (target - addresses[k + insn.anchorDelta]);
                    checkReach(insn, offset);
                }
                int bits = insn.bits(offset);
                code.emitBits(bits, insn.length);
                lines.add(new Line(addresses[k], bits, insn.length, insn.text(offset), u));
            }
        }
        return lines;
    }

    private static void checkReach(Insn insn, int offset) {
        int opcode = insn.length == 2 ? insn.bits(0) & 0xE003 : insn.bits(0) & 0x7F;
        int limit = switch (opcode) {
            case 0x6F -> 1 << 20;          // jal
            case 0x63 -> 1 << 12;          // branches
            case 0xA001 -> 1 << 11;        // c.j
            case 0xC001, 0xE001 -> 1 << 8; // c.beqz, c.bnez
            default -> 1 << 11;            // 12-bit immediates (jalr, addi)
        };
        if (offset < -limit || offset >= limit) {
            throw new IllegalStateException("forward transfer out of reach: " + insn.text(offset));
        }
    }

    /** lui + addi: any 32-bit value, sign-extended. */
    private static void loadImmediate(CodeBuffer code, int rd, int value) {
        int hi = (value + 0x800) >> 12;
        code.emit(Rv64.lui(rd, hi));
        code.emit(Rv64.RegImm.ADDI.of(rd, rd, value - (hi << 12)));
    }

    /** auipc + addi to an address known now (a label bound earlier or an absolute address). */
    private static void loadAddress(CodeBuffer code, int rd, long address) {
        int d = (int) (address - code.here());
        int hi = (d + 0x800) >> 12;
        code.emit(Rv64.auipc(rd, hi));
        code.emit(Rv64.RegImm.ADDI.of(rd, rd, d - (hi << 12)));
    }

    /** auipc + addi to a label that may not be bound yet. */
    private static void loadAddress(CodeBuffer code, int rd, CodeBuffer.Label target) {
        loadAddress(code, rd, target, 0);
    }

    /** auipc + addi to {@code offset} bytes past a label that may not be bound yet. */
    private static void loadAddress(CodeBuffer code, int rd, CodeBuffer.Label target, long offset) {
        long anchor = code.here();
        int o = (int) offset;
        code.emitRelative(target, anchor, d -> u(0x17, rd, ((d + o + 0x800) >> 12) & 0xFFFFF));
        code.emitRelative(target, anchor, d -> i(Rv64.OP_IMM, rd, 0, rd, d + o - (((d + o + 0x800) >> 12) << 12)));
    }

    private static void branchBack(CodeBuffer code, Rv64.Branch op, int rs1, int rs2, long target) {
        code.emitBits(InstructionFormats.b(Rv64.BRANCH, op.funct3, rs1, rs2, (int) (target - code.here())), 4);
    }

    /** A non-leaf page table entry. */
    private static long pointer(long table) {
        return table >>> 12 << 10 | PTE_V;
    }

    /**
     * For the ecall that ends a body: on to {@code dump} in M-mode, with x1 = the next program's
     * stub. For any other trap: records mcause, mtval and mepc (while fewer than MAX_TRAPS are
     * recorded), counts the trap and resumes after the trapping instruction, whose length it reads
     * from its first halfword, or after a fetch fault where the body left the address in
     * {@link #SAVE_RESUME}. It runs on x8 swapped with mscratch (the save area) and saves the
     * three registers it uses.
     */
    private static void emitHandler(CodeBuffer code, CodeBuffer.Label dump) {
        code.emit(Rv64.csr(1, 8, CSR_MSCRATCH, 8));
        code.emit(Rv64.Store.SD.of(9, 8, SAVE_HANDLER));
        code.emit(Rv64.Store.SD.of(10, 8, SAVE_HANDLER + 8));
        code.emit(Rv64.Store.SD.of(11, 8, SAVE_HANDLER + 16));
        code.emit(Rv64.csr(2, 9, CSR_MEPC, 0));
        code.emit(Rv64.Load.LD.of(10, 8, SAVE_END));
        CodeBuffer.Label trap = code.label();
        code.emitRelative(trap, code.here(), d -> InstructionFormats.b(Rv64.BRANCH, 1, 9, 10, d)); // bne
        code.emit(Rv64.RegImm.ADDI.of(1, 9, 4)); // the body's x1 is saved already
        code.emit(Rv64.lui(9, (int) (MSTATUS_FS >>> 12)));
        code.emit(Rv64.csr(2, 0, CSR_MSTATUS, 9)); // the dump reads the FPU, which the body may run without
        code.emit(Rv64.Load.LD.of(9, 8, SAVE_HANDLER));
        code.emit(Rv64.Load.LD.of(10, 8, SAVE_HANDLER + 8));
        code.emit(Rv64.Load.LD.of(11, 8, SAVE_HANDLER + 16));
        code.emit(Rv64.csr(1, 8, CSR_MSCRATCH, 8));
        code.emitRelative(dump, code.here(), d -> InstructionFormats.j(0x6F, 0, d));
        trap.bind();
        // The privileged spec lets xRET keep or drop an LR reservation: the handler drops it
        // explicitly (with an SC that cannot succeed), as the spec advises, so both peers agree.
        code.emit(Rv64.RegImm.ADDI.of(9, 8, SAVE_DUMMY));
        code.emit(Rv64.Amo.SC.of(true, 0, 0, 9, false, false));
        code.emit(Rv64.Load.LD.of(9, 8, SAVE_TRAP_COUNT));
        code.emit(Rv64.RegImm.ADDI.of(10, 0, MAX_TRAPS));
        CodeBuffer.Label counted = code.label();
        code.emitRelative(counted, code.here(), d -> InstructionFormats.b(Rv64.BRANCH, 7, 9, 10, d)); // bgeu
        code.emit(Rv64.ShiftImm.SLLI.of(10, 9, 3));
        code.emit(Rv64.ShiftImm.SLLI.of(11, 9, 4));
        code.emit(Rv64.RegReg.ADD.of(10, 10, 11));
        code.emit(Rv64.RegReg.ADD.of(10, 10, 8));
        code.emit(Rv64.csr(2, 11, CSR_MCAUSE, 0));
        code.emit(Rv64.Store.SD.of(11, 10, SAVE_TRAPS));
        code.emit(Rv64.csr(2, 11, CSR_MTVAL, 0));
        code.emit(Rv64.Store.SD.of(11, 10, SAVE_TRAPS + 8));
        code.emit(Rv64.csr(2, 11, CSR_MEPC, 0));
        code.emit(Rv64.Store.SD.of(11, 10, SAVE_TRAPS + 16));
        counted.bind();
        code.emit(Rv64.RegImm.ADDI.of(9, 9, 1));
        code.emit(Rv64.Store.SD.of(9, 8, SAVE_TRAP_COUNT));
        // A fetch fault (access or page) resumes where the body said; nothing is there to skip.
        CodeBuffer.Label resume = code.label();
        CodeBuffer.Label resumed = code.label();
        code.emit(Rv64.csr(2, 10, CSR_MCAUSE, 0));
        code.emit(Rv64.RegImm.ADDI.of(11, 0, 1));
        code.emitRelative(resume, code.here(), d -> InstructionFormats.b(Rv64.BRANCH, 0, 10, 11, d)); // beq
        code.emit(Rv64.RegImm.ADDI.of(11, 0, 12));
        code.emitRelative(resume, code.here(), d -> InstructionFormats.b(Rv64.BRANCH, 0, 10, 11, d));
        // mepc += 2, or 4 when the low two bits of the instruction are 11.
        code.emit(Rv64.csr(2, 10, CSR_MEPC, 0));
        code.emit(Rv64.Load.LHU.of(11, 10, 0));
        code.emit(Rv64.RegImm.ANDI.of(11, 11, 3));
        code.emit(Rv64.RegImm.ADDI.of(11, 11, -3));
        code.emit(Rv64.RegImm.SLTIU.of(11, 11, 1));
        code.emit(Rv64.ShiftImm.SLLI.of(11, 11, 1));
        code.emit(Rv64.RegImm.ADDI.of(11, 11, 2));
        code.emit(Rv64.RegReg.ADD.of(10, 10, 11));
        code.emit(Rv64.csr(1, 0, CSR_MEPC, 10));
        code.emitRelative(resumed, code.here(), d -> InstructionFormats.j(0x6F, 0, d));
        resume.bind();
        code.emit(Rv64.Load.LD.of(10, 8, SAVE_RESUME));
        code.emit(Rv64.csr(1, 0, CSR_MEPC, 10));
        resumed.bind();
        code.emit(Rv64.Load.LD.of(9, 8, SAVE_HANDLER));
        code.emit(Rv64.Load.LD.of(10, 8, SAVE_HANDLER + 8));
        code.emit(Rv64.Load.LD.of(11, 8, SAVE_HANDLER + 16));
        code.emit(Rv64.csr(1, 8, CSR_MSCRATCH, 8));
        code.emit(Rv64.mret());
    }

    /** Entered with x1 = the program's table; leaves through mret into the body. */
    private static void emitInit(CodeBuffer code, CodeBuffer.Label pageTables) {
        // Drop any reservation the previous program left: mret need not.
        loadAddress(code, 5, SAVE + SAVE_DUMMY);
        code.emit(Rv64.Amo.SC.of(true, 0, 0, 5, false, false));
        code.emit(Rv64.RegImm.ADDI.of(5, 1, TABLE_MEMORY));
        loadAddress(code, 6, DATA);
        code.emit(Rv64.RegImm.ADDI.of(7, 0, DATA_SIZE / 8));
        long copy = code.here();
        code.emit(Rv64.Load.LD.of(28, 5, 0));
        code.emit(Rv64.Store.SD.of(28, 6, 0));
        code.emit(Rv64.RegImm.ADDI.of(5, 5, 8));
        code.emit(Rv64.RegImm.ADDI.of(6, 6, 8));
        code.emit(Rv64.RegImm.ADDI.of(7, 7, -1));
        branchBack(code, Rv64.Branch.BNE, 7, 0, copy);
        loadAddress(code, 5, SAVE);
        code.emit(Rv64.Store.SD.of(0, 5, SAVE_TRAP_COUNT));
        code.emit(Rv64.Load.LD.of(6, 1, TABLE_END));
        code.emit(Rv64.Store.SD.of(6, 5, SAVE_END));
        // The FPU state, while the FPU is still on.
        code.emit(Rv64.Load.LD.of(5, 1, TABLE_FCSR));
        code.emit(Rv64.csr(1, 0, Rv64.CSR_FCSR, 5));
        for (int r = 0; r < 32; r++) {
            code.emit(Rv64.Load.FLD.of(r, 1, TABLE_F + 8 * r));
        }
        // The environment: the page table entries that vary, PMP, satp, then mstatus (MPP, FS,
        // MPRV, SUM, MXR, TVM, TW, TSR).
        loadAddress(code, 5, pageTables, 3L * PAGE);
        code.emit(Rv64.Load.LD.of(6, 1, TABLE_CODE_PTE));
        code.emit(Rv64.Store.SD.of(6, 5, (int) (CODE >>> 21 & 0x1FF) * 8));
        loadAddress(code, 5, pageTables, 4L * PAGE);
        code.emit(Rv64.Load.LD.of(6, 1, TABLE_PAGE1_PTE));
        code.emit(Rv64.Store.SD.of(6, 5, (int) ((PAGE2 - PAGE) >>> 12 & 0x1FF) * 8));
        code.emit(Rv64.Load.LD.of(6, 1, TABLE_PAGE2_PTE));
        code.emit(Rv64.Store.SD.of(6, 5, (int) (PAGE2 >>> 12 & 0x1FF) * 8));
        code.emit(Rv64.Load.LD.of(5, 1, TABLE_PMPADDR0));
        code.emit(Rv64.csr(1, 0, CSR_PMPADDR0, 5));
        code.emit(Rv64.Load.LD.of(5, 1, TABLE_PMPCFG));
        code.emit(Rv64.csr(1, 0, CSR_PMPCFG0, 5));
        code.emit(Rv64.Load.LD.of(5, 1, TABLE_SATP));
        code.emit(Rv64.csr(1, 0, CSR_SATP, 5));
        code.emit(Rv64.sfenceVma(0, 0));
        loadImmediate(code, 5, (int) (MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR
                | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR));
        code.emit(Rv64.csr(3, 0, CSR_MSTATUS, 5));
        code.emit(Rv64.Load.LD.of(5, 1, TABLE_MSTATUS));
        code.emit(Rv64.csr(2, 0, CSR_MSTATUS, 5));
        for (int csr : Generator.SUPERVISOR_CSRS) {
            code.emit(Rv64.csr(1, 0, csr, 0)); // the body may use them: no value carries over
        }
        code.emit(Rv64.Load.LD.of(5, 1, TABLE_BODY));
        code.emit(Rv64.csr(1, 0, CSR_MEPC, 5));
        for (int r = 2; r < 32; r++) {
            code.emit(Rv64.Load.LD.of(r, 1, TABLE_X + 8 * (r - 1)));
        }
        code.emit(Rv64.Load.LD.of(1, 1, TABLE_X));
        code.emit(Rv64.mret());
    }

    /** Entered in M-mode with x1 = the return address, the body's x1 already saved, x8 = DATA. */
    private static void emitDump(CodeBuffer code, CodeBuffer.Label pageTables) {
        for (int r = 2; r < 32; r++) {
            code.emit(Rv64.Store.SD.of(r, BASE_S0, -2048 + 8 * (r - 1)));
        }
        for (int r = 0; r < 32; r++) {
            code.emit(Rv64.Store.FSD.of(r, BASE_S0, -2048 + SAVE_F + 8 * r));
        }
        code.emit(Rv64.RegImm.ADDI.of(31, BASE_S0, -2048));
        code.emit(Rv64.csr(2, 5, Rv64.CSR_FCSR, 0));
        code.emit(Rv64.Store.SD.of(5, 31, SAVE_FCSR));
        loadAddress(code, 5, pageTables, 4L * PAGE + (PAGE2 >>> 12 & 0x1FF) * 8);
        code.emit(Rv64.Load.LD.of(5, 5, 0));
        code.emit(Rv64.Store.SD.of(5, 31, SAVE_PTE));
        // Checksum of the scratch area: h = (h ^ word) * FNV prime, over its dwords.
        code.emit(Rv64.RegImm.ADDI.of(6, BASE_S0, 0));
        code.emit(Rv64.RegImm.ADDI.of(7, 0, DATA_SIZE / 8));
        code.emit(Rv64.RegImm.ADDI.of(9, 0, 0));
        code.emit(Rv64.RegImm.ADDI.of(10, 0, 1));
        code.emit(Rv64.ShiftImm.SLLI.of(10, 10, 40));
        code.emit(Rv64.RegImm.ADDI.of(10, 10, 0x1b3));
        long sum = code.here();
        code.emit(Rv64.Load.LD.of(11, 6, 0));
        code.emit(Rv64.RegReg.XOR.of(9, 9, 11));
        code.emit(Rv64.RegReg.MUL.of(9, 9, 10));
        code.emit(Rv64.RegImm.ADDI.of(6, 6, 8));
        code.emit(Rv64.RegImm.ADDI.of(7, 7, -1));
        branchBack(code, Rv64.Branch.BNE, 7, 0, sum);
        code.emit(Rv64.Store.SD.of(9, 31, SAVE_CHECKSUM));

        // Lines to print: FIXED_LINES + 3 * min(traps, MAX_TRAPS).
        code.emit(Rv64.Load.LD.of(12, 31, SAVE_TRAP_COUNT));
        code.emit(Rv64.RegImm.ADDI.of(13, 0, MAX_TRAPS));
        code.emitBits(InstructionFormats.b(Rv64.BRANCH, 6, 12, 13, 8), 4); // bltu: skip the clamp
        code.emit(Rv64.RegImm.ADDI.of(12, 13, 0));
        code.emit(Rv64.ShiftImm.SLLI.of(13, 12, 1));
        code.emit(Rv64.RegReg.ADD.of(12, 12, 13));
        code.emit(Rv64.RegImm.ADDI.of(12, 12, FIXED_LINES));

        code.emit(Rv64.lui(20, (int) (UART >>> 12)));
        for (char c : "--\n".toCharArray()) {
            code.emit(Rv64.RegImm.ADDI.of(22, 0, c));
            emitPutc(code);
        }
        code.emit(Rv64.RegImm.ADDI.of(14, 31, 0));
        long line = code.here();
        code.emit(Rv64.Load.LD.of(15, 14, 0));
        code.emit(Rv64.RegImm.ADDI.of(16, 0, 16));
        long digit = code.here();
        // The top nibble as a hex digit, branch-free: d + '0', plus 39 more when d >= 10.
        code.emit(Rv64.ShiftImm.SRLI.of(22, 15, 60));
        code.emit(Rv64.RegImm.SLTIU.of(23, 22, 10));
        code.emit(Rv64.RegImm.ADDI.of(23, 23, -1));
        code.emit(Rv64.RegImm.ANDI.of(23, 23, 39));
        code.emit(Rv64.RegReg.ADD.of(22, 22, 23));
        code.emit(Rv64.RegImm.ADDI.of(22, 22, '0'));
        emitPutc(code);
        code.emit(Rv64.ShiftImm.SLLI.of(15, 15, 4));
        code.emit(Rv64.RegImm.ADDI.of(16, 16, -1));
        branchBack(code, Rv64.Branch.BNE, 16, 0, digit);
        code.emit(Rv64.RegImm.ADDI.of(22, 0, '\n'));
        emitPutc(code);
        code.emit(Rv64.RegImm.ADDI.of(14, 14, 8));
        code.emit(Rv64.RegImm.ADDI.of(12, 12, -1));
        branchBack(code, Rv64.Branch.BNE, 12, 0, line);
        code.emit(Insn.fixed(i(0x67, 0, 0, 1, 0), "ret"));
    }

    /** Writes x22 to the UART (base in x20) once its transmit holding register is empty. */
    private static void emitPutc(CodeBuffer code) {
        long wait = code.here();
        code.emit(Rv64.Load.LBU.of(21, 20, 5));
        code.emit(Rv64.RegImm.ANDI.of(21, 21, 0x20));
        branchBack(code, Rv64.Branch.BEQ, 21, 0, wait);
        code.emit(Rv64.Store.SB.of(22, 20, 0));
    }
}
