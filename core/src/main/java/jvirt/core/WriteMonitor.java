package jvirt.core;

/**
 * Watches guest writes to selected RAM pages. Two kinds of watch exist: pages holding code that
 * a hart has decoded (a write bumps the page's generation, so the decoded blocks die), and store
 * hooks on a few bytes (the {@code tohost} word of the RISC-V test protocol).
 *
 * <p>Every writer of guest RAM reports here: a hart's stores check {@link #flags()} for their page
 * (one byte load on the fast path) and call {@link #stored} when it is non-zero; DMA by devices
 * calls {@link #written(long, long)}.
 */
public final class WriteMonitor {
    /** The page holds decoded code. */
    public static final byte CODE = 1;
    /** The page holds a store hook. */
    public static final byte HOOK = 2;

    /** Called after a guest store into a hooked range, with the value stored. */
    @FunctionalInterface
    public interface StoreHook {
        void stored(long ramOffset, int size, long value);
    }

    private final byte[] flags;
    private final int[] generation;
    /** Per page, bit i: bytes [64i, 64i + 64) hold decoded code. Writes elsewhere on the page keep it. */
    private final long[] codeChunks;
    private volatile StoreHook hook;
    private volatile long hookStart;
    private volatile long hookEnd;

    WriteMonitor(long ramSize) {
        int pages = Math.toIntExact(ramSize >>> 12);
        this.flags = new byte[pages];
        this.generation = new int[pages];
        this.codeChunks = new long[pages];
    }

    /** Per-page watch flags indexed by RAM offset {@code >>> 12}; zero means unwatched. */
    public byte[] flags() {
        return flags;
    }

    /** The page's code generation: changes whenever code on the page may have been overwritten. */
    public int generation(int page) {
        return generation[page];
    }

    /**
     * Marks the 64-byte chunk holding {@code ramOffset} as decoded code. Decoders call it before
     * reading the bytes, so a write racing with the decoder either lands first or bumps the
     * generation.
     */
    public void markCode(long ramOffset) {
        int page = (int) (ramOffset >>> 12);
        codeChunks[page] |= 1L << ((ramOffset & 0xFFF) >>> 6);
        flags[page] |= CODE;
    }

    /** Installs the store hook on {@code [ramOffset, ramOffset + length)}; stores there call it. */
    public synchronized void hook(long ramOffset, long length, StoreHook storeHook) {
        hookStart = ramOffset;
        hookEnd = ramOffset + length;
        hook = storeHook;
        for (long page = ramOffset >>> 12; page <= (ramOffset + length - 1) >>> 12; page++) {
            flags[(int) page] |= HOOK;
        }
    }

    /** A CPU store of {@code size} bytes landed on a watched page. */
    public void stored(long ramOffset, int size, long value) {
        int page = (int) (ramOffset >>> 12);
        byte flag = flags[page];
        if ((flag & CODE) != 0 && overlapsCode(page, ramOffset & 0xFFF, size)) {
            invalidate(page);
        }
        if ((flag & HOOK) != 0) {
            StoreHook h = hook;
            if (h != null && ramOffset < hookEnd && ramOffset + size > hookStart) {
                h.stored(ramOffset, size, value);
            }
        }
    }

    /** Something other than a CPU (a device's DMA, a loader) wrote {@code [ramOffset, ramOffset + length)}. */
    public void written(long ramOffset, long length) {
        if (length <= 0) {
            return;
        }
        long end = ramOffset + length;
        for (long page = ramOffset >>> 12; page <= (end - 1) >>> 12; page++) {
            long from = Math.max(ramOffset, page << 12) & 0xFFF;
            long to = Math.min(end, (page + 1) << 12) - (page << 12);
            if ((flags[(int) page] & CODE) != 0 && overlapsCode((int) page, from, (int) (to - from))) {
                invalidate((int) page);
            }
        }
    }

    /** Whether {@code [pageOffset, pageOffset + size)} on {@code page} touches a chunk of decoded code. */
    private boolean overlapsCode(int page, long pageOffset, int size) {
        int first = (int) (pageOffset >>> 6);
        int last = (int) (Math.min(pageOffset + size - 1, 0xFFF) >>> 6);
        long span = (last == 63 ? -1L : (1L << (last + 1)) - 1) & -(1L << first);
        return (codeChunks[page] & span) != 0;
    }

    private void invalidate(int page) {
        flags[page] &= ~CODE;
        codeChunks[page] = 0;
        generation[page]++;
    }
}
