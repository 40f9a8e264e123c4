package jvirt.riscv;

import java.util.Arrays;

/**
 * A direct-mapped translation cache for one access type and one privilege context, mapping a
 * virtual page straight to its offset in guest RAM. Only RAM pages whose whole 4 KiB have one
 * PMP decision are cached; everything else takes the slow path on every access.
 *
 * <p>A tag is the virtual page address with the cache's generation in bits 3..11. Flushing bumps
 * the generation (O(1)); the low three bits stay zero, so a lookup that ORs in the low address
 * bits of a misaligned access misses and the slow path handles it.
 */
final class Tlb {
    static final int BITS = 10;
    static final int SIZE = 1 << BITS;
    static final int MASK = SIZE - 1;
    private static final long GEN_STEP = 8;
    private static final long GEN_LIMIT = 4096;

    final long[] tag = new long[SIZE];
    /** RAM offset minus virtual page address: {@code va + delta} is the RAM offset of {@code va}. */
    final long[] delta = new long[SIZE];
    /** The page-table level each entry's translation came from: above 0, a 4 KiB slice of a superpage. */
    private final byte[] level = new byte[SIZE];
    /**
     * The superpages with slices cached since the last flush, as {@code va >>> (12 + 9 * level)}
     * and level; an address-specific flush only scans the entries when it hits one of them. More
     * than {@link #SUPERPAGES} of them and every such flush scans.
     */
    private static final int SUPERPAGES = 32;
    private final long[] superpageTags = new long[SUPERPAGES];
    private final byte[] superpageLevels = new byte[SUPERPAGES];
    private int superpages;
    long gen = GEN_STEP;

    static int index(long va) {
        return (int) (va >>> 12) & MASK;
    }

    void fill(long va, long ramOffsetOfPage, int leafLevel) {
        long page = va & ~0xFFFL;
        int i = index(va);
        tag[i] = page | gen;
        delta[i] = ramOffsetOfPage - page;
        level[i] = (byte) leafLevel;
        if (leafLevel > 0) {
            noteSuperpage(va, leafLevel);
        }
    }

    private void noteSuperpage(long va, int leafLevel) {
        long tag = va >>> (12 + 9 * leafLevel);
        for (int k = 0; k < Math.min(superpages, SUPERPAGES); k++) {
            if (superpageTags[k] == tag && superpageLevels[k] == leafLevel) {
                return;
            }
        }
        if (superpages < SUPERPAGES) {
            superpageTags[superpages] = tag;
            superpageLevels[superpages] = (byte) leafLevel;
        }
        superpages = Math.min(superpages + 1, SUPERPAGES + 1);
    }

    /** Whether a superpage with slices here may hold {@code va}. */
    private boolean inCachedSuperpage(long va) {
        if (superpages > SUPERPAGES) {
            return true;
        }
        for (int k = 0; k < superpages; k++) {
            if (va >>> (12 + 9 * superpageLevels[k]) == superpageTags[k]) {
                return true;
            }
        }
        return false;
    }

    /** Drops the translation of the page holding {@code va}, and every slice of a superpage holding it. */
    void flushPage(long va) {
        int i = index(va);
        if ((tag[i] & ~0xFFFL) == (va & ~0xFFFL)) {
            tag[i] = 0;
        }
        if (superpages == 0 || !inCachedSuperpage(va)) {
            return;
        }
        for (int j = 0; j < SIZE; j++) {
            int l = level[j];
            if (l > 0 && (tag[j] & 0xFFF) == gen && (tag[j] ^ va) >>> (12 + 9 * l) == 0) {
                tag[j] = 0;
            }
        }
    }

    void flush() {
        superpages = 0;
        gen += GEN_STEP;
        if (gen >= GEN_LIMIT) {
            Arrays.fill(tag, 0);
            gen = GEN_STEP;
        }
    }
}
