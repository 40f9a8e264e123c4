package jvirt.image.vdi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.BitSet;
import jvirt.image.InvalidImageException;
import jvirt.image.host.HostFile;

/**
 * The VDI block map: for each block of the disk, the index of the file block that holds it, or
 * one of two markers. Entries changed since the last flush are remembered, so that they reach the
 * file only after the data they point to.
 */
final class BlockMap {
    /** A block that was never written: reads as zeros. */
    static final int UNALLOCATED = 0xffffffff;
    /** A block whose data was dropped: reads as zeros. */
    static final int DISCARDED = 0xfffffffe;

    private final int[] entries;
    private int dirtyFrom = Integer.MAX_VALUE;
    private int dirtyTo = -1;

    private BlockMap(int[] entries) {
        this.entries = entries;
    }

    static boolean allocated(int entry) {
        return Integer.compareUnsigned(entry, DISCARDED) < 0;
    }

    static BlockMap empty(int blocks, boolean identity) {
        int[] e = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            e[i] = identity ? i : UNALLOCATED;
        }
        return new BlockMap(e);
    }

    /**
     * Reads the map and checks every entry: inside the image's block count, pointing before the
     * end of the file, and no file block used twice (which would make two disk blocks one).
     */
    static BlockMap read(Path path, HostFile file, VdiHeader header, long fileSize) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(header.blocks * 4).order(ByteOrder.LITTLE_ENDIAN);
        file.read(raw, header.offsetBmap);
        raw.flip();
        int[] entries = new int[header.blocks];
        BitSet used = new BitSet();
        for (int i = 0; i < entries.length; i++) {
            int e = raw.getInt();
            entries[i] = e;
            if (!allocated(e)) {
                continue;
            }
            if (Integer.compareUnsigned(e, header.blocks) >= 0) {
                throw new InvalidImageException(path, "VDI block " + i + " points to file block "
                        + Integer.toUnsignedString(e) + ", beyond the image's " + header.blocks);
            }
            if (header.offsetData + (long) e * header.blockSize >= fileSize) {
                throw new InvalidImageException(path, "VDI block " + i + " lies past the end of the file (" + fileSize
                        + " bytes); truncated?");
            }
            if (used.get(e)) {
                throw new InvalidImageException(path, "VDI file block " + e + " is used by two disk blocks (" + i + " too)");
            }
            used.set(e);
        }
        return new BlockMap(entries);
    }

    int get(int block) {
        return entries[block];
    }

    int size() {
        return entries.length;
    }

    void set(int block, int entry) {
        entries[block] = entry;
        dirtyFrom = Math.min(dirtyFrom, block);
        dirtyTo = Math.max(dirtyTo, block);
    }

    /** One past the highest file block in use: where new blocks go when the header's count is behind. */
    int nextFree() {
        int next = 0;
        for (int e : entries) {
            if (allocated(e)) {
                next = Math.max(next, e + 1);
            }
        }
        return next;
    }

    boolean dirty() {
        return dirtyTo >= 0;
    }

    /** Writes the sectors of the map that changed. */
    void writeDirty(HostFile file, long offsetBmap) throws IOException {
        if (!dirty()) {
            return;
        }
        int perSector = VdiHeader.SECTOR / 4;
        int from = dirtyFrom / perSector * perSector;
        int to = Math.min(entries.length, (dirtyTo / perSector + 1) * perSector);
        ByteBuffer out = ByteBuffer.allocate((to - from) * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            out.putInt(entries[i]);
        }
        file.write(out.flip(), offsetBmap + (long) from * 4);
        dirtyFrom = Integer.MAX_VALUE;
        dirtyTo = -1;
    }

    /** The whole map as the file stores it. */
    ByteBuffer toBytes() {
        ByteBuffer out = ByteBuffer.allocate(entries.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int e : entries) {
            out.putInt(e);
        }
        return out.flip();
    }
}
