package jvirt.riscv;

import static jvirt.riscv.Mmu.BYTE;
import static jvirt.riscv.Mmu.INT;
import static jvirt.riscv.Mmu.LONG;
import static jvirt.riscv.Mmu.SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import jvirt.core.Bus;
import jvirt.core.DeadlineTimer;
import jvirt.core.GuestClock;
import jvirt.core.Machine;
import jvirt.core.MachineExit;
import jvirt.core.WriteMonitor;
import jvirt.riscv.fpu.Fpu;

/**
 * One RV64GC hart. It runs on its own thread ({@link #run()}): look up the block at {@code pc},
 * execute it, and between blocks deliver interrupts when something has raised {@link #attention}.
 *
 * <p>Other threads talk to a hart only through interrupt lines ({@link #setSoftwareInterrupt},
 * {@link #setExternalInterrupt}), its timer compare ({@link #setMtimecmp}) and {@link #stop()}.
 */
public final class Hart implements Machine.Vcpu {
    static final int U = 0;
    static final int S = 1;
    static final int M = 3;

    static final long MSTATUS_SIE = 1L << 1;
    static final long MSTATUS_MIE = 1L << 3;
    static final long MSTATUS_SPIE = 1L << 5;
    static final long MSTATUS_MPIE = 1L << 7;
    static final long MSTATUS_SPP = 1L << 8;
    static final int MSTATUS_MPP_SHIFT = 11;
    static final long MSTATUS_MPP = 3L << MSTATUS_MPP_SHIFT;
    static final long MSTATUS_FS = 3L << 13;
    static final long MSTATUS_MPRV = 1L << 17;
    static final long MSTATUS_SUM = 1L << 18;
    static final long MSTATUS_MXR = 1L << 19;
    static final long MSTATUS_TVM = 1L << 20;
    static final long MSTATUS_TW = 1L << 21;
    static final long MSTATUS_TSR = 1L << 22;
    /** UXL = SXL = 2 (64-bit), read-only. */
    static final long MSTATUS_XLEN = 2L << 32 | 2L << 34;
    static final long MSTATUS_SD = 1L << 63;

    static final long MIP_SSIP = 1L << Cause.IRQ_S_SOFT;
    static final long MIP_MSIP = 1L << Cause.IRQ_M_SOFT;
    static final long MIP_STIP = 1L << Cause.IRQ_S_TIMER;
    static final long MIP_MTIP = 1L << Cause.IRQ_M_TIMER;
    static final long MIP_SEIP = 1L << Cause.IRQ_S_EXT;
    static final long MIP_MEIP = 1L << Cause.IRQ_M_EXT;

    static final long MENVCFG_STCE = 1L << 63;

    /** Block executions before translation, unless configured otherwise. */
    public static final int DEFAULT_TRANSLATE_THRESHOLD = Translator.DEFAULT_THRESHOLD;

    private static final int BLOCK_CACHE_BITS = 14;
    private static final int MAX_BLOCK_INSNS = 64;
    private static final VarHandle MIP_LINES;
    private static final VarHandle ATTENTION;

    static {
        try {
            MIP_LINES = MethodHandles.lookup().findVarHandle(Hart.class, "mipLines", long.class);
            ATTENTION = MethodHandles.lookup().findVarHandle(Hart.class, "attention", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int hartId;
    /** x0..x31, plus x[32]: where writes to x0 go. */
    final long[] x = new long[33];
    final long[] f = new long[32];
    long pc;
    int priv = M;
    final Fpu fpu = new Fpu();
    int frm;

    long mstatus = MSTATUS_XLEN;
    long medeleg;
    long mideleg;
    long mie;
    long mtvec;
    long mscratch;
    long mepc;
    long mcause;
    long mtval;
    long mcounteren;
    long mcountinhibit;
    long menvcfg;
    long stvec;
    long sscratch;
    long sepc;
    long scause;
    long stval;
    long scounteren;
    long senvcfg;
    /** Pending bits written by software: SSIP, STIP (without Sstc) and the software SEIP. */
    long mipSoftware;
    /** Pending bits driven by wires and timers: MSIP, MTIP, MEIP, SEIP, STIP (Sstc). Atomic. */
    volatile long mipLines;
    volatile long mtimecmp = -1;
    long stimecmp = -1;
    /** Instructions retired since reset; counters are views of it. */
    long retired;
    long cycleOffset;
    long instretOffset;

    /** LR/SC reservation: RAM offset (or -1) and the value loaded. */
    long reservation = -1;
    long reservedValue;

    final TrapException trap = new TrapException();
    final Mmu mmu;
    final GuestClock clock;
    private final Machine machine;
    private final MemorySegment mem;
    private final WriteMonitor monitor;
    private final byte[] pageFlags;
    private final Block[] blocks = new Block[1 << BLOCK_CACHE_BITS];
    /** Block executions before a block's page is translated to JVM bytecode; 0: interpret only. */
    private final int translateThreshold;
    /** Decoded code by RAM page: behind the direct-mapped {@link #blocks}, and what the translator reads. */
    private final PageCode[] pages;
    private final long[] decodeBuffer = new long[MAX_BLOCK_INSNS + 1];
    private final TimerCompare machineTimer = new TimerCompare();
    private final TimerCompare supervisorTimer = new TimerCompare();
    private final DeadlineTimer deadlines;

    /** Current TLBs for data loads and stores (by effective privilege) and fetches. */
    Tlb loadTlb;
    Tlb storeTlb;
    Tlb fetchTlb;

    /** Something needs the hart's attention between blocks: an interrupt line, a timer, a stop request. */
    volatile boolean attention = true;
    private volatile boolean stopRequested;
    private volatile Thread thread;

    /**
     * Creates hart {@code hartId}, using {@code bus} for memory, {@code clock} for the {@code time}
     * CSR and {@code deadlines} for its timers, reporting unrecoverable guest states to {@code machine}.
     *
     * @param maxSatpMode the widest paging mode supported: 8 (Sv39), 9 (Sv48) or 10 (Sv57)
     * @param translateThreshold executions of a block before its page is translated to JVM
     *     bytecode ({@link #DEFAULT_TRANSLATE_THRESHOLD}); 0 interprets only
     */
    public Hart(int hartId, Bus bus, GuestClock clock, DeadlineTimer deadlines, Machine machine, int maxSatpMode,
            int translateThreshold) {
        if (translateThreshold < 0) {
            throw new IllegalArgumentException("translation threshold must be 0 (never) or more");
        }
        this.hartId = hartId;
        this.translateThreshold = translateThreshold;
        this.clock = clock;
        this.deadlines = deadlines;
        this.machine = machine;
        this.mmu = new Mmu(this, bus, maxSatpMode);
        this.mem = bus.ram().segment();
        this.monitor = bus.ram().monitor();
        this.pageFlags = monitor.flags();
        this.pages = new PageCode[pageFlags.length];
        deadlines.add(machineTimer);
        deadlines.add(supervisorTimer);
        updateContext();
    }

    /** Resets to M-mode at {@code resetPc} (the board's reset code sets up the arguments). */
    public void reset(long resetPc) {
        pc = resetPc;
        priv = M;
        updateContext();
    }

    // ---- signals from other threads ----

    /** CLINT {@code msip}. */
    public void setSoftwareInterrupt(boolean pending) {
        setLine(MIP_MSIP, pending);
    }

    /** PLIC output for this hart's M-mode ({@code machine}) or S-mode context. */
    public void setExternalInterrupt(boolean machineLevel, boolean pending) {
        setLine(machineLevel ? MIP_MEIP : MIP_SEIP, pending);
    }

    public long mtimecmp() {
        return mtimecmp;
    }

    /** CLINT {@code mtimecmp} write: MTIP follows {@code mtime >= mtimecmp}. */
    public void setMtimecmp(long value) {
        mtimecmp = value;
        evaluateTimer(machineTimer, value, MIP_MTIP);
    }

    /** The timebase was set (a guest write to {@code mtime}): every timer comparison changed. */
    public void timeChanged() {
        evaluateTimer(machineTimer, mtimecmp, MIP_MTIP);
        evaluateSupervisorTimer();
    }

    @Override
    public void stop() {
        stopRequested = true;
        signal();
    }

    @Override
    public void attend() {
        signal();
    }

    private void setLine(long bit, boolean pending) {
        long old = pending ? (long) MIP_LINES.getAndBitwiseOr(this, bit) : (long) MIP_LINES.getAndBitwiseAnd(this, ~bit);
        if (((old & bit) != 0) != pending) {
            signal();
        }
    }

    /**
     * {@link #attention}, read for translated code's loops: opaque, so the read is never hoisted out
     * of a loop, yet the loop's other loads stay free to move (a volatile read would pin them).
     */
    boolean attentionRequested() {
        return (boolean) ATTENTION.getOpaque(this);
    }

    /** Makes the hart look at its interrupts before its next block, waking it from WFI. */
    private void signal() {
        attention = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** The timer is pending while {@code time >= compare}, both unsigned: a compare of -1 never fires. */
    private void evaluateTimer(TimerCompare timer, long compare, long bit) {
        if (Long.compareUnsigned(clock.ticks(), compare) >= 0) {
            timer.armed = Long.MAX_VALUE;
            setLine(bit, true);
        } else {
            setLine(bit, false);
            timer.armed = compare < 0 ? Long.MAX_VALUE : compare; // 2^63 ticks and more: never reached
            deadlines.reschedule();
        }
    }

    /** Re-evaluates STIP from {@code stimecmp} when Sstc is enabled by {@code menvcfg.STCE}. */
    void evaluateSupervisorTimer() {
        if ((menvcfg & MENVCFG_STCE) != 0) {
            evaluateTimer(supervisorTimer, stimecmp, MIP_STIP);
        } else {
            supervisorTimer.armed = Long.MAX_VALUE;
            setLine(MIP_STIP, false);
        }
    }

    /** A compare register armed in the machine's {@link DeadlineTimer}. */
    private final class TimerCompare implements DeadlineTimer.Target {
        volatile long armed = Long.MAX_VALUE;

        @Override
        public long deadline() {
            return armed;
        }

        @Override
        public void expired() {
            armed = Long.MAX_VALUE;
            setLine(this == machineTimer ? MIP_MTIP : MIP_STIP, true);
        }
    }

    // ---- the run loop ----

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (!stopRequested) {
                if (attention) {
                    attention = false;
                    machine.pausePoint();
                    takeInterrupt();
                    continue;
                }
                step();
            }
        } finally {
            thread = null;
        }
    }

    /** Executes one block, or a translated region from it (or takes the trap its fetch raises). */
    private void step() {
        Block b;
        try {
            b = lookup(pc);
        } catch (TrapException t) {
            takeTrap(t.cause, t.tval);
            return;
        }
        CompiledRegion region = b.region;
        if (region != null) {
            region.run(this, b.entry);
            return;
        }
        if (++b.hits == translateThreshold && b.ramOffset >= 0 && b.tailOffset < 0) {
            translatePage(b);
        }
        execute(b);
    }

    /** Translates the warm blocks of {@code hot}'s page, replacing any earlier translation of the page. */
    private void translatePage(Block hot) {
        PageCode page = pages[(int) (hot.ramOffset >>> 12)];
        if (page == null || page.generation != hot.generation || page.translations >= PageCode.MAX_TRANSLATIONS) {
            return;
        }
        page.translations++;
        List<Block> chosen = Translator.select(page.blocks(), hot);
        CompiledRegion region = Translator.translate(chosen);
        for (int i = 0; i < chosen.size(); i++) {
            chosen.get(i).region = region;
            chosen.get(i).entry = i;
        }
    }

    private Block lookup(long vpc) {
        long off = fetchOffset(vpc);
        if (off < 0) {
            return decodeRom(vpc, mmu.romPa);
        }
        int slot = (int) (off >>> 1) & (blocks.length - 1);
        Block b = blocks[slot];
        int generation = monitor.generation((int) (off >>> 12));
        if (b != null && b.ramOffset == off && b.generation == generation && (b.tailOffset < 0 || tailValid(b, vpc))) {
            return b;
        }
        // Not in the direct-mapped cache: the page's own map keeps every block, with its counts.
        PageCode page = pages[(int) (off >>> 12)];
        if (page != null && page.generation == generation && (b = page.get((int) off & 0xFFF)) != null
                && (b.tailOffset < 0 || tailValid(b, vpc))) {
            blocks[slot] = b;
            return b;
        }
        return decode(vpc, off);
    }

    /** Whether a page-straddling instruction's second half still maps to the same, unchanged bytes. */
    private boolean tailValid(Block b, long vpc) {
        long next = fetchOffset(vpc + 2);
        return next == b.tailOffset && monitor.generation((int) (next >>> 12)) == b.tailGeneration;
    }

    /** The RAM offset of the code at {@code vpc}, through the fetch TLB; -1 for ROM (see {@link Mmu#fetchOffset}). */
    private long fetchOffset(long vpc) {
        Tlb t = fetchTlb;
        int i = Tlb.index(vpc);
        return t.tag[i] == (vpc & ~0xFFFL | t.gen) ? vpc + t.delta[i] : mmu.fetchOffset(vpc);
    }

    /** Decodes the block at {@code vpc}, whose first byte is at RAM offset {@code off}, and caches it. */
    private Block decode(long vpc, long off) {
        int page = (int) (off >>> 12);
        int generation = monitor.generation(page);
        int n = 0;
        int pos = 0;
        long pageEnd = 0x1000 - (off & 0xFFF);
        while (true) {
            monitor.markCode(off + pos);
            int low = mem.get(SHORT, off + pos) & 0xFFFF;
            long insn;
            int len = Decoder.length(low);
            if (len == 4) {
                if (pos + 4 > pageEnd) {
                    if (n == 0) {
                        return decodeStraddling(vpc, off, generation, low);
                    }
                    break;
                }
                monitor.markCode(off + pos + 2);
                insn = Decoder.decode32(mem.get(INT, off + pos));
            } else {
                insn = Decoder.decode16(low);
            }
            decodeBuffer[n++] = Op.at(insn, pos >>> 1);
            pos += len;
            if (Op.endsBlock(Op.op(insn))) {
                return cache(new Block(off, generation, Arrays.copyOf(decodeBuffer, n), pos, n));
            }
            if (n == MAX_BLOCK_INSNS || pos + 2 > pageEnd) {
                break;
            }
        }
        decodeBuffer[n] = Op.pack(Op.END, 0, 0, 0, 0) | (long) (pos >>> 1) << 24;
        return cache(new Block(off, generation, Arrays.copyOf(decodeBuffer, n + 1), pos, n));
    }

    private Block cache(Block b) {
        blocks[(int) (b.ramOffset >>> 1) & (blocks.length - 1)] = b;
        int page = (int) (b.ramOffset >>> 12);
        PageCode code = pages[page];
        if (code == null || code.generation != b.generation) {
            code = new PageCode(b.generation);
            pages[page] = code;
        }
        code.put((int) b.ramOffset & 0xFFF, b);
        return b;
    }

    /**
     * A 32-bit instruction whose second half is on the next page: a block of its own, cached with
     * where its second half came from (ROM: decoded each time).
     */
    private Block decodeStraddling(long vpc, long off, int generation, int low) {
        long next = mmu.fetchOffset(vpc + 2);
        if (next < 0) {
            return single(Decoder.decode32(low | mmu.readRom(mmu.romPa) << 16), 4, -1, 0);
        }
        int tailGeneration = monitor.generation((int) (next >>> 12));
        monitor.markCode(next);
        int high = mem.get(SHORT, next) & 0xFFFF;
        Block b = single(Decoder.decode32(low | high << 16), 4, off, generation);
        b.tailOffset = next;
        b.tailGeneration = tailGeneration;
        return cache(b);
    }

    /** Code in ROM (the reset vector): decoded one instruction at a time, never cached. */
    private Block decodeRom(long vpc, long pa) {
        int low = mmu.readRom(pa);
        if (Decoder.length(low) == 2) {
            return single(Decoder.decode16(low), 2, -1, 0);
        }
        return single(Decoder.decode32(low | mmu.readRom(pa + 2) << 16), 4, -1, 0);
    }

    /** A block of one instruction at RAM offset {@code off} (-1: not in RAM, never cached). */
    private static Block single(long insn, int length, long off, int generation) {
        long first = Op.at(insn, 0);
        long[] code = Op.endsBlock(Op.op(insn)) ? new long[] {first}
                : new long[] {first, Op.pack(Op.END, 0, 0, 0, 0) | (long) (length >>> 1) << 24};
        return new Block(off, generation, code, length, 1);
    }

    // ---- execution ----

    /** Runs a block's instructions, then the one that ends it (which sets pc and the count). */
    private void execute(Block b) {
        final long[] x = this.x;
        final Insn[] body = b.body;
        int i = 0;
        try {
            for (; i < body.length; i++) {
                body[i].run(this, x);
            }
            b.end.run(this, x);
        } catch (TrapException t) {
            if (i < body.length) { // a block's end sets pc and the count itself before it can trap
                pc += 2L * Op.offset(b.code[i]);
                retired += i;
            }
            takeTrap(t.cause, t.tval);
        }
    }

    /**
     * Instructions kept out of {@link #execute}'s switch so that it stays small enough to compile
     * well; the translator calls this too for the instructions it does not expand inline.
     */
    void slowOp(long w) {
        final long[] x = this.x;
        int op = Op.op(w);
        long a = x[Op.rs1(w)];
        long c = x[Op.rs2(w)];
        switch (op) {
            case Op.FLW -> {
                requireFs();
                f[Op.rd(w)] = NAN_BOX | load32(a + Op.imm(w));
                dirtyFs();
            }
            case Op.FLD -> {
                requireFs();
                f[Op.rd(w)] = load64(a + Op.imm(w));
                dirtyFs();
            }
            case Op.FSW -> {
                requireFs();
                store32(a + Op.imm(w), f[Op.rs2(w)]);
            }
            case Op.FSD -> {
                requireFs();
                store64(a + Op.imm(w), f[Op.rs2(w)]);
            }
            case Op.FP -> FloatingPoint.execute(this, w);
            case Op.LR_W, Op.LR_D, Op.SC_W, Op.SC_D, Op.AMO_W, Op.AMO_D -> atomic(w, a, c);
            default -> x[Op.rd(w)] = Alu.of(op).apply(a, Alu.immediateForm(op) ? Op.imm(w) : c);
        }
    }

    // ---- A ----

    private void atomic(long w, long va, long src) {
        int op = Op.op(w);
        boolean dword = op == Op.LR_D || op == Op.SC_D || op == Op.AMO_D;
        int size = dword ? 8 : 4;
        long result;
        switch (op) {
            case Op.LR_W, Op.LR_D -> {
                long off = mmu.atomicOffset(va, size, Pmp.R);
                result = dword ? (long) Mmu.ATOMIC_LONG.getVolatile(mem, off) : (int) Mmu.ATOMIC_INT.getVolatile(mem, off);
                reservation = off;
                reservedValue = result;
                reservedSize = size;
            }
            case Op.SC_W, Op.SC_D -> {
                long off = mmu.atomicOffset(va, size, Pmp.W);
                boolean ok = reservation == off && reservedSize == size && (dword
                        ? Mmu.ATOMIC_LONG.compareAndSet(mem, off, reservedValue, src)
                        : Mmu.ATOMIC_INT.compareAndSet(mem, off, (int) reservedValue, (int) src));
                reservation = -1;
                if (ok) {
                    mmu.noteStore(off, size, src);
                }
                result = ok ? 0 : 1;
            }
            default -> {
                long off = mmu.atomicOffset(va, size, Pmp.W);
                result = dword ? Atomics.amo64(mem, off, (int) Op.imm(w), src) : Atomics.amo32(mem, off, (int) Op.imm(w), (int) src);
                mmu.noteStore(off, size, src);
            }
        }
        x[Op.rd(w)] = result;
    }

    int reservedSize;

    // ---- F and D ----

    static final long NAN_BOX = 0xFFFFFFFF00000000L;

    void requireFs() {
        if ((mstatus & MSTATUS_FS) == 0) {
            throw illegalInstruction();
        }
    }

    void dirtyFs() {
        mstatus |= MSTATUS_FS;
    }

    TrapException illegalInstruction() {
        return trap.set(Cause.ILLEGAL_INSTRUCTION, TrapException.TVAL_INSTRUCTION);
    }

    // ---- system instructions: pc is the instruction's own; {@code length} is its size in bytes ----

    /** Executes a system instruction at {@code pc} (instructions before it counted) and retires it. */
    void executeSystem(long w, int length) {
        system(w, length);
        retired++;
    }

    private void system(long w, int length) {
        long next = pc + length;
        switch (Op.op(w)) {
            case Op.ILLEGAL -> throw illegalInstruction();
            case Op.ECALL -> throw trap.set(Cause.ECALL_U + (priv == M ? 3 : priv), 0);
            case Op.EBREAK -> throw trap.set(Cause.BREAKPOINT, pc);
            case Op.MRET -> {
                if (priv != M) {
                    throw illegalInstruction();
                }
                mret();
                return;
            }
            case Op.SRET -> {
                if (priv == U || (priv == S && (mstatus & MSTATUS_TSR) != 0)) {
                    throw illegalInstruction();
                }
                sret();
                return;
            }
            case Op.WFI -> {
                if (priv == U || (priv == S && (mstatus & MSTATUS_TW) != 0)) {
                    throw illegalInstruction();
                }
                pc = next;
                waitForInterrupt();
                return;
            }
            case Op.SFENCE_VMA -> {
                if (priv == U || (priv == S && (mstatus & MSTATUS_TVM) != 0)) {
                    throw illegalInstruction();
                }
                if (Op.rs1(w) == 0) {
                    mmu.flushTranslated();
                } else {
                    mmu.flushPage(x[Op.rs1(w)]); // no ASIDs are kept, so rs2 does not narrow it further
                }
            }
            case Op.FENCE_I -> VarHandle.fullFence(); // decoded code is dropped on every write already
            default -> {
                Csr.execute(this, w);
                updateContext();
                attention = true; // an enable bit may have changed
            }
        }
        pc = next;
    }

    private void mret() {
        int target = (int) (mstatus >>> MSTATUS_MPP_SHIFT & 3);
        long st = mstatus;
        st = (st & MSTATUS_MPIE) != 0 ? st | MSTATUS_MIE : st & ~MSTATUS_MIE;
        st |= MSTATUS_MPIE;
        st &= ~MSTATUS_MPP; // MPP = U
        if (target != M) {
            st &= ~MSTATUS_MPRV;
        }
        mstatus = st;
        priv = target;
        reservation = -1;
        pc = mepc;
        updateContext();
        attention = true;
    }

    private void sret() {
        int target = (mstatus & MSTATUS_SPP) != 0 ? S : U;
        long st = mstatus;
        st = (st & MSTATUS_SPIE) != 0 ? st | MSTATUS_SIE : st & ~MSTATUS_SIE;
        st |= MSTATUS_SPIE;
        st &= ~MSTATUS_SPP;
        st &= ~MSTATUS_MPRV;
        mstatus = st;
        priv = target;
        reservation = -1;
        pc = sepc;
        updateContext();
        attention = true;
    }

    /** WFI: sleeps until an interrupt is pending and locally enabled, whatever the global enables say. */
    private void waitForInterrupt() {
        if (mie == 0) {
            // Nothing can ever wake this hart: it is halted until the machine ends.
            machine.vcpuHalted(this::describe);
            while (!stopRequested) {
                LockSupport.park(this);
            }
            return;
        }
        while (!attention && ((mipSoftware | mipLines) & mie) == 0) {
            LockSupport.park(this);
        }
    }

    // ---- traps and interrupts ----

    /** Delivers the highest-priority pending interrupt that is enabled, if any. */
    private void takeInterrupt() {
        long pending = (mipSoftware | mipLines) & mie;
        if (pending == 0) {
            return;
        }
        long machineLevel = pending & ~mideleg;
        if (machineLevel != 0 && (priv < M || (mstatus & MSTATUS_MIE) != 0)) {
            takeTrap(Cause.INTERRUPT | highestPriority(machineLevel), 0);
            return;
        }
        long supervisorLevel = pending & mideleg;
        if (supervisorLevel != 0 && (priv < S || (priv == S && (mstatus & MSTATUS_SIE) != 0))) {
            takeTrap(Cause.INTERRUPT | highestPriority(supervisorLevel), 0);
        }
    }

    private static final int[] PRIORITY = {
        Cause.IRQ_M_EXT, Cause.IRQ_M_SOFT, Cause.IRQ_M_TIMER, Cause.IRQ_S_EXT, Cause.IRQ_S_SOFT, Cause.IRQ_S_TIMER,
    };

    private static int highestPriority(long bits) {
        for (int irq : PRIORITY) {
            if ((bits >>> irq & 1) != 0) {
                return irq;
            }
        }
        return Long.numberOfTrailingZeros(bits);
    }

    /** Takes a trap at the current pc: to S-mode when delegated and not from M-mode, else to M-mode. */
    void takeTrap(long cause, long tval) {
        boolean interrupt = cause < 0;
        int code = (int) cause & 63;
        if (tval == TrapException.TVAL_INSTRUCTION) {
            tval = instructionBits(pc);
        }
        reservation = -1;
        long delegated = interrupt ? mideleg : medeleg;
        if (priv <= S && (delegated >>> code & 1) != 0) {
            scause = cause;
            sepc = pc;
            stval = tval;
            long st = mstatus & ~(MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_SPP);
            st |= (mstatus & MSTATUS_SIE) != 0 ? MSTATUS_SPIE : 0;
            st |= priv == S ? MSTATUS_SPP : 0;
            mstatus = st;
            priv = S;
            pc = vector(stvec, interrupt, code);
        } else {
            long handler = mtvec & ~3L;
            if (!interrupt && priv == M && pc == handler) {
                // The M-mode trap handler itself faults: nothing can ever run again.
                machine.exit(new MachineExit.Fault(String.format(
                        "hart %d: %s at the M-mode trap handler 0x%x (tval 0x%x): the guest cannot continue%n%s",
                        hartId, Cause.describe(cause), pc, tval, describe())));
                stopRequested = true;
                return;
            }
            mcause = cause;
            mepc = pc;
            mtval = tval;
            long st = mstatus & ~(MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP);
            st |= (mstatus & MSTATUS_MIE) != 0 ? MSTATUS_MPIE : 0;
            st |= (long) priv << MSTATUS_MPP_SHIFT;
            mstatus = st;
            priv = M;
            pc = vector(mtvec, interrupt, code);
        }
        updateContext();
        attention = true;
    }

    private static long vector(long tvec, boolean interrupt, int code) {
        long base = tvec & ~3L;
        return interrupt && (tvec & 1) != 0 ? base + 4L * code : base;
    }

    /** The bits of the instruction at {@code va} for {@code mtval}, or 0 if they cannot be fetched. */
    private long instructionBits(long va) {
        try {
            long low = fetchHalf(va);
            return Decoder.length((int) low) == 2 ? low : low | fetchHalf(va + 2) << 16;
        } catch (TrapException e) {
            return 0;
        }
    }

    private long fetchHalf(long va) {
        long off = mmu.fetchOffset(va);
        return off < 0 ? mmu.readRom(mmu.romPa) : mem.get(SHORT, off) & 0xFFFF;
    }

    /** Privilege of data accesses: M-mode with MPRV uses MPP's. */
    int dataPriv() {
        return priv == M && (mstatus & MSTATUS_MPRV) != 0 ? (int) (mstatus >>> MSTATUS_MPP_SHIFT & 3) : priv;
    }

    /** Selects the TLBs for the current privilege, MPRV and SUM. */
    void updateContext() {
        int dp = dataPriv();
        int context = dp == S && (mstatus & MSTATUS_SUM) != 0 ? Mmu.SUPERVISOR_SUM : dp;
        loadTlb = mmu.load[context];
        storeTlb = mmu.store[context];
        fetchTlb = mmu.fetch[priv];
    }

    // ---- loads and stores: TLB hit straight to RAM, everything else through the MMU ----

    long load8(long va) {
        Tlb t = loadTlb;
        int i = Tlb.index(va);
        if (t.tag[i] == (va & ~0xFFFL | t.gen)) {
            return mem.get(BYTE, va + t.delta[i]) & 0xFFL;
        }
        return mmu.loadSlow(va, 1);
    }

    long load16(long va) {
        Tlb t = loadTlb;
        int i = Tlb.index(va);
        if (t.tag[i] == (va & ~0xFFEL | t.gen)) {
            return mem.get(SHORT, va + t.delta[i]) & 0xFFFFL;
        }
        return mmu.loadSlow(va, 2);
    }

    long load32(long va) {
        Tlb t = loadTlb;
        int i = Tlb.index(va);
        if (t.tag[i] == (va & ~0xFFCL | t.gen)) {
            return mem.get(INT, va + t.delta[i]) & 0xFFFFFFFFL;
        }
        return mmu.loadSlow(va, 4);
    }

    long load64(long va) {
        Tlb t = loadTlb;
        int i = Tlb.index(va);
        if (t.tag[i] == (va & ~0xFF8L | t.gen)) {
            return mem.get(LONG, va + t.delta[i]);
        }
        return mmu.loadSlow(va, 8);
    }

    void store8(long va, long v) {
        Tlb t = storeTlb;
        int i = Tlb.index(va);
        if (t.tag[i] == (va & ~0xFFFL | t.gen)) {
            long off = va + t.delta[i];
            mem.set(BYTE, off, (byte) v);
            if (pageFlags[(int) (off >>> 12)] != 0) {
                monitor.stored(off, 1, v);
            }
            return;
        }
        mmu.storeSlow(va, 1, v);
    }

    void store16(long va, long v) {
        Tlb t = storeTlb;
        int i = Tlb.index(va);
        if (t.tag[i] == (va & ~0xFFEL | t.gen)) {
            long off = va + t.delta[i];
            mem.set(SHORT, off, (short) v);
            if (pageFlags[(int) (off >>> 12)] != 0) {
                monitor.stored(off, 2, v);
            }
            return;
        }
        mmu.storeSlow(va, 2, v);
    }

    void store32(long va, long v) {
        Tlb t = storeTlb;
        int i = Tlb.index(va);
        if (t.tag[i] == (va & ~0xFFCL | t.gen)) {
            long off = va + t.delta[i];
            mem.set(INT, off, (int) v);
            if (pageFlags[(int) (off >>> 12)] != 0) {
                monitor.stored(off, 4, v);
            }
            return;
        }
        mmu.storeSlow(va, 4, v);
    }

    void store64(long va, long v) {
        Tlb t = storeTlb;
        int i = Tlb.index(va);
        if (t.tag[i] == (va & ~0xFF8L | t.gen)) {
            long off = va + t.delta[i];
            mem.set(LONG, off, v);
            if (pageFlags[(int) (off >>> 12)] != 0) {
                monitor.stored(off, 8, v);
            }
            return;
        }
        mmu.storeSlow(va, 8, v);
    }

    // ---- diagnostics ----

    private static final String[] ABI = {
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    };

    /** The architectural state as text, for fault reports. */
    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("hart %d  pc %016x  priv %s  instret %d%n", hartId, pc, "USHM".charAt(priv), retired));
        for (int i = 0; i < 32; i++) {
            sb.append(String.format("%4s %016x%s", ABI[i], x[i], i % 4 == 3 ? System.lineSeparator() : "  "));
        }
        sb.append(String.format("mstatus %016x  mcause %016x  mepc %016x  mtval %016x%n", Csr.readMstatus(this), mcause, mepc, mtval));
        sb.append(String.format("mtvec %016x  mie %03x  mip %03x  satp %016x%n", mtvec, mie, mipSoftware | mipLines, mmu.satp()));
        sb.append(String.format("scause %016x  sepc %016x  stval %016x  stvec %016x", scause, sepc, stval, stvec));
        return sb.toString();
    }
}
