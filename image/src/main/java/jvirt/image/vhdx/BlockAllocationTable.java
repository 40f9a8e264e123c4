package jvirt.image.vhdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import jvirt.image.InvalidImageException;

/**
 * The VHDX block allocation table: a 64-bit entry per payload block (its state in the low three
 * bits, its file offset in MiB from bit 20), with a sector-bitmap entry after every chunk of
 * payload entries (used only by differencing disks, which are not supported).
 */
final class BlockAllocationTable {
    static final int NOT_PRESENT = 0;
    static final int UNDEFINED = 1;
    static final int ZERO = 2;
    static final int UNMAPPED = 3;
    static final int UNMAPPED_V095 = 5;
    static final int FULLY_PRESENT = 6;
    static final int PARTIALLY_PRESENT = 7;
    static final long OFFSET_MASK = 0xfffffffffff00000L;
    /** Tables of more entries than this (128 MiB of table) are refused. */
    static final long MAX_ENTRIES = 1L << 24;

    private final long[] entries;
    private final long chunkRatio;
    private int dirtyFrom = Integer.MAX_VALUE;
    private int dirtyTo = -1;

    private BlockAllocationTable(long[] entries, long chunkRatio) {
        this.entries = entries;
        this.chunkRatio = chunkRatio;
    }

    /**
     * Reads and checks the entries: known payload states only (no partially present blocks
     * without a parent), present blocks 1 MiB-aligned past the header section, inside the file
     * (the last block may be cut short, as QEMU once wrote), clear of the metadata regions and of
     * one another.
     */
    static BlockAllocationTable parse(Path path, ByteBuffer raw, VhdxMetadata m, long fileSize, long[][] regions)
            throws InvalidImageException {
        raw.order(ByteOrder.LITTLE_ENDIAN);
        int count = (int) m.batEntries();
        long chunk = m.chunkRatio();
        long[] entries = new long[count];
        long[] starts = new long[count];
        int present = 0;
        for (int i = 0; i < count; i++) {
            long e = raw.getLong();
            entries[i] = e;
            if ((i + 1) % (chunk + 1) == 0) {
                continue; // a sector bitmap entry: nothing to read without a parent
            }
            int state = (int) (e & 7);
            long block = i - i / (chunk + 1);
            switch (state) {
                case NOT_PRESENT, UNDEFINED, ZERO, UNMAPPED, UNMAPPED_V095 -> {
                }
                case FULLY_PRESENT -> {
                    long offset = e & OFFSET_MASK;
                    long length = Math.min(m.blockSize, m.virtualSize - block * m.blockSize);
                    if (offset < VhdxRegionTable.MIB || offset >= fileSize || length > fileSize - offset) {
                        throw new InvalidImageException(path, "VHDX block " + block + " (at " + Long.toUnsignedString(offset)
                                + ") lies " + (offset < VhdxRegionTable.MIB ? "in the header section" : "past the end of the file ("
                                + fileSize + " bytes); truncated?"));
                    }
                    for (long[] r : regions) {
                        if (offset < r[1] && offset + m.blockSize > r[0]) {
                            throw new InvalidImageException(path, "VHDX block " + block + " (at " + offset
                                    + ") overlaps the log or a metadata region");
                        }
                    }
                    starts[present++] = offset;
                }
                case PARTIALLY_PRESENT -> throw new InvalidImageException(path, "VHDX block " + block
                        + " is partially present, which only differencing images may be");
                default -> throw new InvalidImageException(path, "VHDX block " + block + " has unknown state " + state);
            }
        }
        long[] sorted = Arrays.copyOf(starts, present);
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] - sorted[i - 1] < m.blockSize) {
                throw new InvalidImageException(path, "VHDX blocks at " + sorted[i - 1] + " and " + sorted[i] + " overlap");
            }
        }
        return new BlockAllocationTable(entries, chunk);
    }

    private int index(long block) {
        return (int) (block + block / chunkRatio);
    }

    int state(long block) {
        return (int) (entries[index(block)] & 7);
    }

    /** Where a fully present block starts in the file, or -1. */
    long offset(long block) {
        long e = entries[index(block)];
        return (e & 7) == FULLY_PRESENT ? e & OFFSET_MASK : -1;
    }

    /** One past the last byte a present block uses. */
    long end(long blockSize) {
        long end = 0;
        for (long e : entries) {
            if ((e & 7) == FULLY_PRESENT) {
                end = Math.max(end, (e & OFFSET_MASK) + blockSize);
            }
        }
        return end;
    }

    void setPresent(long block, long offset) {
        int i = index(block);
        entries[i] = offset | FULLY_PRESENT;
        dirtyFrom = Math.min(dirtyFrom, i);
        dirtyTo = Math.max(dirtyTo, i);
    }

    boolean dirty() {
        return dirtyTo >= 0;
    }

    /** The changed entries, the offset (in the table) of the first, as one buffer to write. */
    ByteBuffer dirtyBytes() {
        ByteBuffer out = ByteBuffer.allocate((dirtyTo - dirtyFrom + 1) * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = dirtyFrom; i <= dirtyTo; i++) {
            out.putLong(entries[i]);
        }
        return out.flip();
    }

    long dirtyOffset() {
        return dirtyFrom * 8L;
    }

    void clean() {
        dirtyFrom = Integer.MAX_VALUE;
        dirtyTo = -1;
    }

    /** A table for a new disk: every block not present, or (fixed disks) present one after the other from {@code firstBlock}. */
    static ByteBuffer create(VhdxMetadata m, long firstBlock, long tableLength) {
        ByteBuffer b = ByteBuffer.allocate((int) tableLength).order(ByteOrder.LITTLE_ENDIAN);
        long chunk = m.chunkRatio();
        long block = 0;
        for (int i = 0; i < m.batEntries(); i++) {
            if ((i + 1) % (chunk + 1) == 0) {
                continue;
            }
            if (firstBlock > 0) {
                b.putLong(i * 8, (firstBlock + block * m.blockSize) | FULLY_PRESENT);
            }
            block++;
        }
        return b.clear();
    }
}
