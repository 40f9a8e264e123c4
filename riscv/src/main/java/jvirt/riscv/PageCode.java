package jvirt.riscv;

import java.util.ArrayList;
import java.util.List;

/**
 * Every block decoded from one RAM page while the page keeps one generation (contents), by page
 * offset: the backing store behind a hart's direct-mapped block cache, and what the translator
 * reads. An open-addressing table, so that looking a block up allocates nothing.
 */
final class PageCode {
    /** Retranslations allowed per page and generation, so that a page cannot keep the translator busy. */
    static final int MAX_TRANSLATIONS = 8;

    final int generation;
    int translations;
    private int[] offsets = new int[16];
    private Block[] blocks = new Block[16];
    private int size;

    PageCode(int generation) {
        this.generation = generation;
    }

    /** The block starting at {@code pageOffset}, or null. */
    Block get(int pageOffset) {
        int mask = blocks.length - 1;
        for (int i = hash(pageOffset) & mask; blocks[i] != null; i = (i + 1) & mask) {
            if (offsets[i] == pageOffset) {
                return blocks[i];
            }
        }
        return null;
    }

    void put(int pageOffset, Block block) {
        if (2 * (size + 1) > blocks.length) {
            grow();
        }
        int mask = blocks.length - 1;
        int i = hash(pageOffset) & mask;
        while (blocks[i] != null && offsets[i] != pageOffset) {
            i = (i + 1) & mask;
        }
        if (blocks[i] == null) {
            size++;
        }
        offsets[i] = pageOffset;
        blocks[i] = block;
    }

    /** All blocks, in no particular order. */
    List<Block> blocks() {
        List<Block> all = new ArrayList<>(size);
        for (Block b : blocks) {
            if (b != null) {
                all.add(b);
            }
        }
        return all;
    }

    private void grow() {
        int[] oldOffsets = offsets;
        Block[] oldBlocks = blocks;
        offsets = new int[oldBlocks.length * 2];
        blocks = new Block[oldBlocks.length * 2];
        size = 0;
        for (int i = 0; i < oldBlocks.length; i++) {
            if (oldBlocks[i] != null) {
                put(oldOffsets[i], oldBlocks[i]);
            }
        }
    }

    private static int hash(int pageOffset) {
        return (pageOffset >>> 1) * 0x9E3779B1 >>> 16;
    }
}
