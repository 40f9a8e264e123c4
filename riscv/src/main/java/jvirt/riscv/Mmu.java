package jvirt.riscv;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jvirt.core.Bus;
import jvirt.core.GuestMemory;
import jvirt.core.WriteMonitor;

/**
 * Address translation for one hart: {@code satp} (Bare, Sv39, Sv48, Sv57), the page-table walk
 * with hardware A/D updates, PMP, the TLBs per privilege and access type, and the slow paths of
 * loads, stores and fetches (misaligned accesses, MMIO, TLB misses).
 */
final class Mmu {
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    /** Atomic access to guest RAM (aligned): AMOs, LR/SC, A/D updates. */
    static final VarHandle ATOMIC_LONG = ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    static final VarHandle ATOMIC_INT = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    static final int MODE_BARE = 0;
    static final int MODE_SV39 = 8;
    static final int MODE_SV48 = 9;
    static final int MODE_SV57 = 10;

    private static final long PTE_V = 1;
    private static final long PTE_R = 2;
    private static final long PTE_W = 4;
    private static final long PTE_X = 8;
    private static final long PTE_U = 16;
    private static final long PTE_A = 64;
    private static final long PTE_D = 128;
    private static final long PPN_MASK = (1L << 44) - 1;

    private final Hart hart;
    private final Bus bus;
    private final GuestMemory ram;
    private final MemorySegment mem;
    private final WriteMonitor monitor;
    private final long ramBase;
    final Pmp pmp = new Pmp();
    final int maxMode;

    /**
     * TLBs by context: U-mode (0), S-mode (1), S-mode with {@code SUM} set (2), M-mode (3). With a
     * TLB of its own for SUM, the kernel's user-copy routines toggling SUM cost a pointer switch,
     * not a flush.
     */
    static final int SUPERVISOR_SUM = 2;
    final Tlb[] load = {new Tlb(), new Tlb(), new Tlb(), new Tlb()};
    final Tlb[] store = {new Tlb(), new Tlb(), new Tlb(), new Tlb()};
    final Tlb[] fetch = {new Tlb(), new Tlb(), new Tlb(), new Tlb()};

    /** The page-table level of the leaf the last {@link #translate} found: 0 for 4 KiB pages (and bare). */
    private int leafLevel;
    private long satp;
    private int levels;
    private long rootPa;

    Mmu(Hart hart, Bus bus, int maxMode) {
        this.hart = hart;
        this.bus = bus;
        this.ram = bus.ram();
        this.mem = ram.segment();
        this.monitor = ram.monitor();
        this.ramBase = ram.base();
        this.maxMode = maxMode;
    }

    long satp() {
        return satp;
    }

    /** Writes {@code satp}; a write naming an unsupported mode has no effect (WARL). No ASIDs are kept. */
    void writeSatp(long value) {
        int mode = (int) (value >>> 60);
        if (mode != MODE_BARE && (mode < MODE_SV39 || mode > maxMode)) {
            return;
        }
        satp = value & (0xFL << 60 | PPN_MASK);
        levels = mode == MODE_BARE ? 0 : mode - MODE_SV39 + 3;
        rootPa = (satp & PPN_MASK) << 12;
        flushTranslated();
    }

    /** {@code sfence.vma}, a {@code satp} change: forget every translation made through page tables. */
    void flushTranslated() {
        for (int p = Hart.U; p <= SUPERVISOR_SUM; p++) {
            load[p].flush();
            store[p].flush();
            fetch[p].flush();
        }
    }

    /**
     * {@code sfence.vma} with an address: forget the translation of the page holding {@code va}
     * (all of it, when a superpage maps it).
     */
    void flushPage(long va) {
        for (int p = Hart.U; p <= SUPERVISOR_SUM; p++) {
            load[p].flushPage(va);
            store[p].flushPage(va);
            fetch[p].flushPage(va);
        }
    }

    /** PMP changed: forget everything, physical mappings included. */
    void flushAll() {
        for (int p = 0; p < 4; p++) {
            load[p].flush();
            store[p].flush();
            fetch[p].flush();
        }
    }

    // ---- translation ----

    /** Translates {@code va} for an access with permission {@code perm} (Pmp.R/W/X) in {@code priv}. */
    long translate(long va, int perm, int priv) {
        leafLevel = 0;
        if (priv == Hart.M || levels == 0) {
            return va;
        }
        int vaBits = 12 + 9 * levels;
        if ((va << (64 - vaBits)) >> (64 - vaBits) != va) {
            throw pageFault(perm, va);
        }
        restart:
        while (true) {
            long table = rootPa;
            for (int level = levels - 1; ; level--) {
                long pteAddr = table + ((va >>> (12 + 9 * level) & 0x1FF) << 3);
                if (!ram.contains(pteAddr, 8) || !pmp.allows(pteAddr, 8, Pmp.R, Hart.S)) {
                    throw accessFault(perm, va);
                }
                long off = pteAddr - ramBase;
                long pte = mem.get(LONG, off);
                if ((pte & PTE_V) == 0 || (pte & (PTE_R | PTE_W)) == PTE_W || pte >>> 54 != 0) {
                    throw pageFault(perm, va);
                }
                long ppn = pte >>> 10 & PPN_MASK;
                if ((pte & (PTE_R | PTE_X)) == 0) {
                    if (level == 0) {
                        throw pageFault(perm, va);
                    }
                    table = ppn << 12;
                    continue;
                }
                if (!leafPermits(pte, perm, priv) || (level > 0 && (ppn & ((1L << (9 * level)) - 1)) != 0)) {
                    throw pageFault(perm, va);
                }
                long needed = PTE_A | (perm == Pmp.W ? PTE_D : 0);
                if ((pte & needed) != needed) {
                    if (!pmp.allows(pteAddr, 8, Pmp.W, Hart.S)) {
                        throw accessFault(perm, va);
                    }
                    if (!ATOMIC_LONG.compareAndSet(mem, off, pte, pte | needed)) {
                        continue restart; // another hart changed the PTE: walk again
                    }
                    noteStore(off, 8, pte | needed);
                }
                long pageMask = (1L << (12 + 9 * level)) - 1;
                leafLevel = level;
                return (ppn << 12) & ~pageMask | va & pageMask;
            }
        }
    }

    private boolean leafPermits(long pte, int perm, int priv) {
        boolean user = (pte & PTE_U) != 0;
        if (priv == Hart.U && !user) {
            return false;
        }
        if (priv == Hart.S && user && (perm == Pmp.X || (hart.mstatus & Hart.MSTATUS_SUM) == 0)) {
            return false;
        }
        return switch (perm) {
            case Pmp.X -> (pte & PTE_X) != 0;
            case Pmp.R -> (pte & PTE_R) != 0 || ((pte & PTE_X) != 0 && (hart.mstatus & Hart.MSTATUS_MXR) != 0);
            default -> (pte & PTE_W) != 0;
        };
    }

    TrapException pageFault(int perm, long va) {
        int cause = switch (perm) {
            case Pmp.X -> Cause.FETCH_PAGE_FAULT;
            case Pmp.R -> Cause.LOAD_PAGE_FAULT;
            default -> Cause.STORE_PAGE_FAULT;
        };
        return hart.trap.set(cause, va);
    }

    TrapException accessFault(int perm, long va) {
        int cause = switch (perm) {
            case Pmp.X -> Cause.FETCH_ACCESS;
            case Pmp.R -> Cause.LOAD_ACCESS;
            default -> Cause.STORE_ACCESS;
        };
        return hart.trap.set(cause, va);
    }

    /** Caches the translation of {@code va} (already checked) when its whole page is RAM with one PMP answer. */
    private void fill(Tlb tlb, long va, long pa, int perm, int priv) {
        long pagePa = pa & ~0xFFFL;
        if (ram.contains(pagePa, 4096) && pmp.pageDecision(pagePa, perm, priv) == Pmp.ALLOW) {
            tlb.fill(va, pagePa - ramBase, leafLevel);
        }
    }

    // ---- slow paths ----

    /** A load the TLB could not serve: returns the value zero-extended from {@code size} bytes. */
    long loadSlow(long va, int size) {
        if ((va & (size - 1)) != 0) {
            long v = 0;
            for (int k = 0; k < size; k++) {
                v |= (loadSlow(va + k, 1) & 0xFF) << (8 * k);
            }
            return v;
        }
        int priv = hart.dataPriv();
        long pa = translate(va, Pmp.R, priv);
        if (ram.contains(pa, size)) {
            if (!pmp.allows(pa, size, Pmp.R, priv)) {
                throw accessFault(Pmp.R, va);
            }
            fill(hart.loadTlb, va, pa, Pmp.R, priv);
            return readRam(pa - ramBase, size);
        }
        Bus.Window w = bus.window(pa, size);
        if (w == null || !pmp.allows(pa, size, Pmp.R, priv)) {
            throw accessFault(Pmp.R, va);
        }
        long v = w.device().read(pa - w.base(), size);
        return size == 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    /** A store the TLB could not serve. */
    void storeSlow(long va, int size, long value) {
        if ((va & (size - 1)) != 0) {
            // Check every byte first (translation, then PMP and memory) so that a fault leaves
            // memory untouched. A page fault on the second page reports where that portion of the
            // access starts, the page boundary; an access fault the first byte it hits.
            int priv = hart.dataPriv();
            long firstPage = va & ~0xFFFL;
            long lastPage = (va + size - 1) & ~0xFFFL;
            long firstPa = translate(va, Pmp.W, priv) - (va - firstPage);
            long lastPa = lastPage == firstPage ? firstPa : translate(lastPage, Pmp.W, priv);
            for (int k = 0; k < size; k++) {
                long pa = va + k >= lastPage ? lastPa + (va + k - lastPage) : firstPa + (va + k - firstPage);
                if ((!ram.contains(pa, 1) && bus.window(pa, 1) == null) || !pmp.allows(pa, 1, Pmp.W, priv)) {
                    throw accessFault(Pmp.W, va + k);
                }
            }
            for (int k = 0; k < size; k++) {
                storeSlow(va + k, 1, value >>> (8 * k));
            }
            return;
        }
        int priv = hart.dataPriv();
        long pa = translate(va, Pmp.W, priv);
        if (ram.contains(pa, size)) {
            if (!pmp.allows(pa, size, Pmp.W, priv)) {
                throw accessFault(Pmp.W, va);
            }
            fill(hart.storeTlb, va, pa, Pmp.W, priv);
            long off = pa - ramBase;
            writeRam(off, size, value);
            noteStore(off, size, value);
            return;
        }
        Bus.Window w = bus.window(pa, size);
        if (w == null || !pmp.allows(pa, size, Pmp.W, priv)) {
            throw accessFault(Pmp.W, va);
        }
        w.device().write(pa - w.base(), size, size == 8 ? value : value & ((1L << (8 * size)) - 1));
    }

    /**
     * Translates an atomic access ({@code perm} R for LR, W for SC and AMOs) to a RAM offset. Atomics
     * must be naturally aligned and in RAM.
     */
    long atomicOffset(long va, int size, int perm) {
        if ((va & (size - 1)) != 0) {
            throw hart.trap.set(perm == Pmp.R ? Cause.LOAD_MISALIGNED : Cause.STORE_MISALIGNED, va);
        }
        int priv = hart.dataPriv();
        long pa = translate(va, perm, priv);
        if (!ram.contains(pa, size) || !pmp.allows(pa, size, perm, priv)
                || (perm == Pmp.W && !pmp.allows(pa, size, Pmp.R, priv))) {
            throw accessFault(perm, va);
        }
        return pa - ramBase;
    }

    /**
     * The RAM offset of the instruction at {@code pc}, filling the fetch TLB; or -1 when {@code pc}
     * is in an executable device window (ROM), whose physical address is then {@link #romPa}.
     */
    long fetchOffset(long pc) {
        int priv = hart.priv;
        long pa = translate(pc, Pmp.X, priv);
        if (ram.contains(pa, 2)) {
            if (!pmp.allows(pa, 2, Pmp.X, priv)) {
                throw accessFault(Pmp.X, pc);
            }
            fill(hart.fetchTlb, pc, pa, Pmp.X, priv);
            return pa - ramBase;
        }
        Bus.Window w = bus.window(pa, 2);
        if (w == null || !w.device().executable() || !pmp.allows(pa, 2, Pmp.X, priv)) {
            throw accessFault(Pmp.X, pc);
        }
        romPa = pa;
        return -1;
    }

    /** Physical address of the last ROM fetch (see {@link #fetchOffset}). */
    long romPa;

    /** Reads a halfword of code at a physical address in an executable window. */
    int readRom(long pa) {
        Bus.Window w = bus.window(pa, 2);
        if (w == null || !w.device().executable()) {
            throw accessFault(Pmp.X, pa);
        }
        return (int) w.device().read(pa - w.base(), 2) & 0xFFFF;
    }

    long readRam(long off, int size) {
        return switch (size) {
            case 1 -> mem.get(BYTE, off) & 0xFFL;
            case 2 -> mem.get(SHORT, off) & 0xFFFFL;
            case 4 -> mem.get(INT, off) & 0xFFFFFFFFL;
            default -> mem.get(LONG, off);
        };
    }

    private void writeRam(long off, int size, long value) {
        switch (size) {
            case 1 -> mem.set(BYTE, off, (byte) value);
            case 2 -> mem.set(SHORT, off, (short) value);
            case 4 -> mem.set(INT, off, (int) value);
            default -> mem.set(LONG, off, value);
        }
    }

    /** Tells the write monitor about a store to RAM when its page is watched. */
    void noteStore(long off, int size, long value) {
        if (monitor.flags()[(int) (off >>> 12)] != 0) {
            monitor.stored(off, size, value);
        }
    }
}
