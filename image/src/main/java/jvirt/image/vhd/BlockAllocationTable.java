package jvirt.image.vhd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import jvirt.image.InvalidImageException;
import jvirt.image.host.HostFile;

/**
 * A dynamic VHD's block allocation table: for each block, the sector where its sector bitmap
 * starts (the block's data follows the bitmap), or all ones for a block not stored. Big-endian
 * 32-bit entries; changed entries are written at flush.
 */
final class BlockAllocationTable {
    static final int UNUSED = 0xffffffff;
    /** Tables of more blocks than this are refused (a 2040 GiB disk has 1 Mi blocks of the usual 2 MiB). */
    static final long MAX_BLOCKS = 1L << 24;

    private final int[] entries;
    private int dirtyFrom = Integer.MAX_VALUE;
    private int dirtyTo = -1;

    private BlockAllocationTable(int[] entries) {
        this.entries = entries;
    }

    /**
     * Reads {@code blocks} entries at {@code offset} and checks that each stored block (bitmap
     * and data, {@code blockBytes} in all) lies inside the file, clear of {@code reserved} (pairs
     * of start and end offsets of the footer copy, the header and the table), and clear of every
     * other block.
     */
    static BlockAllocationTable read(Path path, HostFile file, long offset, int blocks, long blockBytes, long fileSize,
                                     long[] reserved) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(blocks * 4);
        file.read(raw, offset);
        raw.flip();
        int[] entries = new int[blocks];
        long[] starts = new long[blocks];
        int stored = 0;
        for (int i = 0; i < blocks; i++) {
            int e = raw.getInt();
            entries[i] = e;
            if (e == UNUSED) {
                continue;
            }
            long start = Integer.toUnsignedLong(e) * 512;
            long end = start + blockBytes;
            if (end > fileSize) {
                throw new InvalidImageException(path, "VHD block " + i + " (at " + start + ") runs past the end of the file ("
                        + fileSize + " bytes); truncated?");
            }
            for (int r = 0; r < reserved.length; r += 2) {
                if (start < reserved[r + 1] && end > reserved[r]) {
                    throw new InvalidImageException(path, "VHD block " + i + " (at " + start + ") overlaps the image's headers");
                }
            }
            starts[stored++] = start;
        }
        long[] sorted = Arrays.copyOf(starts, stored);
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] - sorted[i - 1] < blockBytes) {
                throw new InvalidImageException(path, "VHD blocks at " + sorted[i - 1] + " and " + sorted[i] + " overlap");
            }
        }
        return new BlockAllocationTable(entries);
    }

    static ByteBuffer empty(int entries, int padTo) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(entries * 4, padTo));
        while (b.hasRemaining()) {
            b.put((byte) 0xff);
        }
        return b.flip();
    }

    /** Where block {@code i}'s bitmap starts in the file, or -1 when the block is not stored. */
    long bitmapOffset(int i) {
        return entries[i] == UNUSED ? -1 : Integer.toUnsignedLong(entries[i]) * 512;
    }

    int size() {
        return entries.length;
    }

    /** One past the last byte any stored block uses. */
    long end(long blockBytes) {
        long end = 0;
        for (int e : entries) {
            if (e != UNUSED) {
                end = Math.max(end, Integer.toUnsignedLong(e) * 512 + blockBytes);
            }
        }
        return end;
    }

    void set(int i, long bitmapOffset) {
        entries[i] = (int) (bitmapOffset / 512);
        dirtyFrom = Math.min(dirtyFrom, i);
        dirtyTo = Math.max(dirtyTo, i);
    }

    boolean dirty() {
        return dirtyTo >= 0;
    }

    void writeDirty(HostFile file, long tableOffset) throws IOException {
        if (!dirty()) {
            return;
        }
        ByteBuffer out = ByteBuffer.allocate((dirtyTo - dirtyFrom + 1) * 4);
        for (int i = dirtyFrom; i <= dirtyTo; i++) {
            out.putInt(entries[i]);
        }
        file.write(out.flip(), tableOffset + (long) dirtyFrom * 4);
        dirtyFrom = Integer.MAX_VALUE;
        dirtyTo = -1;
    }
}
