package jvirt.riscv;

/**
 * Physical memory protection: 16 entries, 4-byte granularity, 54-bit {@code pmpaddr} (56-bit
 * physical addresses), address matching OFF/TOR/NA4/NAPOT and the lock bit.
 *
 * <p>Each entry's byte range is computed when its registers change, so a check walks at most 16
 * ranges. Harts call {@link #pageDecision} when filling a TLB, so pages wholly inside one decision
 * never come back here.
 */
final class Pmp {
    static final int ENTRIES = 16;
    static final int R = 1;
    static final int W = 2;
    static final int X = 4;
    private static final int A_SHIFT = 3;
    private static final int TOR = 1;
    private static final int NA4 = 2;
    private static final int NAPOT = 3;
    private static final int LOCK = 0x80;
    private static final long ADDR_MASK = (1L << 54) - 1;

    /** Result of {@link #pageDecision}. */
    static final int DENY = 0;
    static final int ALLOW = 1;
    static final int MIXED = 2;

    private final byte[] cfg = new byte[ENTRIES];
    private final long[] addr = new long[ENTRIES];
    private final long[] lo = new long[ENTRIES];
    private final long[] hi = new long[ENTRIES];

    /**
     * Reads {@code pmpcfg<n>} (n even): eight entries per register on RV64. {@code pmpcfg4} to
     * {@code pmpcfg14} describe entries 16 to 63, which this hart does not have: they read as zero.
     */
    long readCfg(int n) {
        if (n * 4 >= ENTRIES) {
            return 0;
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (cfg[n * 4 + i] & 0xFFL) << (8 * i);
        }
        return v;
    }

    /** Writes {@code pmpcfg<n>} (n even); writes to the registers of unimplemented entries are ignored. */
    void writeCfg(int n, long v) {
        if (n * 4 >= ENTRIES) {
            return;
        }
        for (int i = 0; i < 8; i++) {
            int e = n * 4 + i;
            if ((cfg[e] & LOCK) != 0) {
                continue;
            }
            int c = (int) (v >>> (8 * i)) & 0x9F;
            if ((c & (R | W)) == W) {
                c &= ~W; // R=0 W=1 is reserved: keep the entry read-only-less rather than writable
            }
            cfg[e] = (byte) c;
        }
        recompute();
    }

    long readAddr(int i) {
        return addr[i];
    }

    void writeAddr(int i, long v) {
        if ((cfg[i] & LOCK) != 0) {
            return;
        }
        if (i + 1 < ENTRIES && (cfg[i + 1] & LOCK) != 0 && mode(i + 1) == TOR) {
            return;
        }
        addr[i] = v & ADDR_MASK;
        recompute();
    }

    private int mode(int i) {
        return (cfg[i] >>> A_SHIFT) & 3;
    }

    private void recompute() {
        for (int i = 0; i < ENTRIES; i++) {
            switch (mode(i)) {
                case TOR -> {
                    lo[i] = i == 0 ? 0 : addr[i - 1] << 2;
                    hi[i] = addr[i] << 2;
                }
                case NA4 -> {
                    lo[i] = addr[i] << 2;
                    hi[i] = lo[i] + 4;
                }
                case NAPOT -> {
                    int ones = Long.numberOfTrailingZeros(~addr[i]);
                    long units = 1L << (ones + 1); // region size in 4-byte units
                    lo[i] = (addr[i] & -units) << 2;
                    hi[i] = lo[i] + (units << 2);
                }
                default -> {
                    lo[i] = 0;
                    hi[i] = 0;
                }
            }
        }
    }

    /** Whether an access of {@code size} bytes at {@code pa} with {@code perm} (R, W or X) is allowed in {@code priv}. */
    boolean allows(long pa, int size, int perm, int priv) {
        long end = pa + size;
        for (int i = 0; i < ENTRIES; i++) {
            if (mode(i) == 0 || lo[i] >= hi[i]) {
                continue;
            }
            boolean any = Long.compareUnsigned(pa, hi[i]) < 0 && Long.compareUnsigned(end, lo[i]) > 0;
            if (!any) {
                continue;
            }
            boolean all = Long.compareUnsigned(pa, lo[i]) >= 0 && Long.compareUnsigned(end, hi[i]) <= 0;
            return all && permits(i, perm, priv);
        }
        return priv == Hart.M;
    }

    /** The decision for a whole 4 KiB page at {@code pagePa}: {@link #ALLOW}, {@link #DENY} or {@link #MIXED}. */
    int pageDecision(long pagePa, int perm, int priv) {
        long end = pagePa + 4096;
        for (int i = 0; i < ENTRIES; i++) {
            if (mode(i) == 0 || lo[i] >= hi[i]) {
                continue;
            }
            boolean any = Long.compareUnsigned(pagePa, hi[i]) < 0 && Long.compareUnsigned(end, lo[i]) > 0;
            if (!any) {
                continue;
            }
            boolean all = Long.compareUnsigned(pagePa, lo[i]) >= 0 && Long.compareUnsigned(end, hi[i]) <= 0;
            if (!all) {
                return MIXED;
            }
            return permits(i, perm, priv) ? ALLOW : DENY;
        }
        return priv == Hart.M ? ALLOW : DENY;
    }

    private boolean permits(int i, int perm, int priv) {
        if (priv == Hart.M && (cfg[i] & LOCK) == 0) {
            return true;
        }
        return (cfg[i] & perm) != 0;
    }
}
