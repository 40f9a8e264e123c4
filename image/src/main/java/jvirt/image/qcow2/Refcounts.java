package jvirt.image.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import jvirt.image.InvalidImageException;
import jvirt.image.host.HostFile;

/**
 * Host cluster management: the refcount table, its refcount blocks (through a cache) and the
 * allocator. Every host cluster has a reference count; 0 is free.
 *
 * <p>Crash safety comes from the order of writes, which {@link #writeIncrements} and
 * {@link #applyDecrements} let the image enforce: a cluster's new count of 1 reaches the disk
 * before any table that points at it, and a cluster's count only drops after the tables that
 * stopped pointing at it are on disk. So a crash at any point leaves, at worst, clusters whose
 * count is higher than their references: leaks, which {@code check -r leaks} reclaims. Decrements
 * are therefore queued and only applied at a flush, and a cluster freed since the last flush is
 * not handed out again until that flush is done (its old contents may still be what the on-disk
 * tables point at).
 */
final class Refcounts {
    /** Writes the header's refcount table fields and makes them durable. */
    interface TableMoved {
        void moved(long offset, int clusters) throws IOException;
    }

    private final HostFile file;
    private final Path path;
    private final int clusterBits;
    private final long clusterSize;
    private final int order;
    /** log2 of the refcounts one block holds. */
    private final int blockBits;
    private final long maxRefcount;
    private final MetadataCache blocks;
    private final TableMoved tableMoved;

    private long[] table;
    private long tableOffset;
    private int tableClusters;
    /** Table entries changed in memory (new blocks) and not yet written. */
    private final BitSet dirtyEntries = new BitSet();

    /** The lowest cluster index that may be free. */
    private long freeHint;
    /** One past the highest cluster index in use or in the file. */
    private long endCluster;
    /** Decrements waiting for the next flush (cluster indexes, one per decrement). */
    private long[] pending = new long[64];
    private int pendingCount;
    /** Clusters freed at the last flush, not reused until it completes. */
    private final BitSet quarantine = new BitSet();
    private boolean quarantined;
    /** During repair: clusters that are referenced whatever their stored count says. */
    private BitSet reserved;
    /** The refcount blocks' clusters, and the image's fixed structures: never handed out, whatever the counts say. */
    private final java.util.Set<Long> blockClusters = new java.util.HashSet<>();
    private java.util.function.LongPredicate fixedMetadata = c -> c == 0;

    Refcounts(HostFile file, Path path, Qcow2Header header, long fileSize, int cacheTables, TableMoved tableMoved)
            throws IOException {
        this.file = file;
        this.path = path;
        this.clusterBits = header.clusterBits;
        this.clusterSize = header.clusterSize();
        this.order = header.refcountOrder;
        this.blockBits = clusterBits + 3 - order;
        this.maxRefcount = order == 6 ? Long.MAX_VALUE : (1L << (1 << order)) - 1;
        this.tableMoved = tableMoved;
        this.blocks = new MetadataCache(file, (int) clusterSize, cacheTables, () -> { });
        this.tableOffset = header.refcountTableOffset;
        this.tableClusters = header.refcountTableClusters;
        ByteBuffer raw = ByteBuffer.allocate((int) (tableClusters * clusterSize));
        file.read(raw, tableOffset);
        this.table = new long[raw.capacity() / 8];
        for (int i = 0; i < table.length; i++) {
            table[i] = raw.getLong(i * 8);
        }
        this.endCluster = Qcow2Header.ceilDiv(fileSize, clusterSize);
        for (long entry : table) {
            long offset = entry & ~(clusterSize - 1);
            if (offset > 0 && (entry & (clusterSize - 1)) == 0) {
                blockClusters.add(offset >>> clusterBits);
            }
        }
    }

    /** Tells the allocator which clusters hold the image's fixed structures (header, tables), counted or not. */
    void protect(java.util.function.LongPredicate metadata) {
        this.fixedMetadata = metadata;
    }

    /** Whether {@code cluster} holds a refcount block. */
    boolean isBlock(long cluster) {
        return blockClusters.contains(cluster);
    }

    long tableOffset() {
        return tableOffset;
    }

    int tableClusters() {
        return tableClusters;
    }

    int tableEntries() {
        return table.length;
    }

    /** The refcount block's offset for table entry {@code index} (0 when none), checked. */
    long blockOffset(int index) throws InvalidImageException {
        long entry = table[index];
        long offset = entry & ~(clusterSize - 1);
        if ((entry & (clusterSize - 1)) != 0 || offset < 0 || offset >= Qcow2Image.MAX_HOST_OFFSET
                || (offset != 0 && offset < clusterSize)) {
            throw new InvalidImageException(path, "refcount table entry " + index + " (0x" + Long.toHexString(entry)
                    + ") is invalid");
        }
        return offset;
    }

    /** How many clusters the table's blocks can describe. */
    long coveredClusters() {
        return (long) table.length << blockBits;
    }

    long endCluster() {
        return endCluster;
    }

    long maxRefcount() {
        return maxRefcount;
    }

    /** The stored reference count of host cluster {@code cluster}. */
    long get(long cluster) throws IOException {
        long index = cluster >>> blockBits;
        if (index >= table.length) {
            return 0;
        }
        long block = blockOffset((int) index);
        if (block == 0) {
            return 0;
        }
        return read(blocks.get(block).data, (int) (cluster & ((1L << blockBits) - 1)));
    }

    private long read(ByteBuffer data, int i) {
        return switch (order) {
            case 0, 1, 2 -> {
                int bits = 1 << order;
                int bit = i << order;
                yield (data.get(bit >>> 3) >>> (bit & 7)) & ((1 << bits) - 1);
            }
            case 3 -> data.get(i) & 0xffL;
            case 4 -> data.getShort(i << 1) & 0xffffL;
            case 5 -> data.getInt(i << 2) & 0xffff_ffffL;
            default -> data.getLong(i << 3);
        };
    }

    private void write(MetadataCache.Table t, int i, long value) {
        ByteBuffer data = t.data;
        switch (order) {
            case 0, 1, 2 -> {
                int bits = 1 << order;
                int bit = i << order;
                int mask = ((1 << bits) - 1) << (bit & 7);
                int b = data.get(bit >>> 3);
                data.put(bit >>> 3, (byte) ((b & ~mask) | ((int) value << (bit & 7))));
            }
            case 3 -> data.put(i, (byte) value);
            case 4 -> data.putShort(i << 1, (short) value);
            case 5 -> data.putInt(i << 2, (int) value);
            default -> data.putLong(i << 3, value);
        }
        t.dirty = true;
    }

    /** Sets the count of {@code cluster}, creating its refcount block (and growing the table) when needed. */
    void set(long cluster, long value) throws IOException {
        if (value < 0 || value > maxRefcount) {
            throw new IOException(path + ": refcount of cluster " + cluster + " would overflow its "
                    + (1 << order) + " bits");
        }
        long index = cluster >>> blockBits;
        if (index >= table.length || blockOffset((int) index) == 0) {
            if (value == 0) {
                return;
            }
            createBlock(index);
        }
        write(blocks.get(blockOffset((int) index)), (int) (cluster & ((1L << blockBits) - 1)), value);
        if (value != 0) {
            endCluster = Math.max(endCluster, cluster + 1);
        }
    }

    /** Whether the allocator may hand out {@code cluster} (its count aside). */
    private boolean held(long cluster) {
        if (fixedMetadata.test(cluster) || blockClusters.contains(cluster)) {
            return true; // even when a corrupt image counts it free
        }
        if (cluster > Integer.MAX_VALUE) {
            return false;
        }
        return quarantined && quarantine.get((int) cluster) || reserved != null && reserved.get((int) cluster);
    }

    private boolean free(long cluster) throws IOException {
        return !held(cluster) && get(cluster) == 0;
    }

    /** Allocates {@code n} contiguous clusters, counts them 1 and returns the first one's file offset. */
    long allocate(int n) throws IOException {
        while (true) {
            long start = findFree(n);
            if ((start + n) << clusterBits > Qcow2Image.MAX_HOST_OFFSET) {
                throw new IOException(path + ": the image file would grow past 64 PiB");
            }
            long missing = missingBlock(start, n);
            if (missing < 0) {
                for (int i = 0; i < n; i++) {
                    set(start + i, 1);
                }
                if (start == freeHint) {
                    freeHint = start + n;
                }
                return start << clusterBits;
            }
            createBlock(missing); // it may take a cluster of the run: look again
        }
    }

    private long findFree(int n) throws IOException {
        long c = freeHint;
        int run = 0;
        while (run < n) {
            long at = c + run;
            if (at >= endCluster && !held(at) || free(at)) {
                run++;
            } else {
                c = at + 1;
                run = 0;
            }
        }
        return c;
    }

    /** The first table index without a block among those counting {@code [start, start + n)}, or -1. */
    private long missingBlock(long start, int n) throws IOException {
        for (long index = start >>> blockBits; index <= (start + n - 1) >>> blockBits; index++) {
            if (index >= table.length || blockOffset((int) index) == 0) {
                return index;
            }
        }
        return -1;
    }

    /**
     * Creates the refcount block for table entry {@code index} in the first free cluster. When
     * that cluster lies in the range the new block describes, the block counts itself; otherwise
     * the block of that cluster's range counts it (and is created first if it is missing too).
     */
    private void createBlock(long index) throws IOException {
        while (true) {
            if (index >= table.length) {
                growTable(index + 1);
                if (blockOffset((int) index) != 0) {
                    return; // the grown table's new area came with this block
                }
            }
            long c = findFree(1);
            long home = c >>> blockBits;
            if (home != index && (home >= table.length || blockOffset((int) home) == 0)) {
                createBlock(home); // whoever counts c must exist first; then look again
                continue;
            }
            MetadataCache.Table block = blocks.create(c << clusterBits, null);
            table[(int) index] = c << clusterBits;
            blockClusters.add(c);
            dirtyEntries.set((int) index);
            if (home == index) {
                write(block, (int) (c & ((1L << blockBits) - 1)), 1);
            } else {
                set(c, 1);
            }
            endCluster = Math.max(endCluster, c + 1);
            if (c == freeHint) {
                freeHint = c + 1;
            }
            return;
        }
    }

    /**
     * Moves the refcount table to a larger one past everything in use, followed by nothing but
     * new blocks for the area the new blocks and table occupy: write blocks and table, sync,
     * point the header at them (durably), then free the old table.
     */
    private void growTable(long minEntries) throws IOException {
        writeIncrements(); // the new table copies entries, which must point at blocks on disk
        long perCluster = clusterSize / 8;
        long start = Math.max(endCluster, coveredClusters());
        long newBlocks = 0;
        long newTableClusters;
        long end;
        while (true) {
            long clusters = start + newBlocks;
            long entries = Math.max(minEntries, (clusters >>> blockBits) + 1);
            newTableClusters = Math.max(Qcow2Header.ceilDiv(entries, perCluster), tableClusters + (tableClusters + 1) / 2);
            end = clusters + newTableClusters;
            long needed = ((end - 1) >>> blockBits) - (start >>> blockBits) + 1;
            if (needed == newBlocks && newTableClusters * perCluster > (end - 1) >>> blockBits) {
                break;
            }
            newBlocks = needed;
        }
        if (newTableClusters * clusterSize > Qcow2Header.MAX_REFTABLE_BYTES) {
            throw new IOException(path + ": the refcount table would exceed 8 MiB (the image is too large for its cluster size)");
        }
        long[] grown = Arrays.copyOf(table, (int) (newTableClusters * perCluster));
        long firstIndex = start >>> blockBits;
        for (long b = 0; b < newBlocks; b++) {
            long index = firstIndex + b;
            MetadataCache.Table block = blocks.create((start + b) << clusterBits, null);
            long from = Math.max(start, index << blockBits);
            long to = Math.min(end, (index + 1) << blockBits);
            for (long c = from; c < to; c++) {
                write(block, (int) (c - (index << blockBits)), 1);
            }
            grown[(int) index] = (start + b) << clusterBits;
            blockClusters.add(start + b);
        }
        blocks.writeDirty();
        long newOffset = (start + newBlocks) << clusterBits;
        ByteBuffer raw = ByteBuffer.allocate((int) (newTableClusters * clusterSize));
        for (int i = 0; i < grown.length; i++) {
            raw.putLong(i * 8, grown[i]);
        }
        file.write(raw, newOffset);
        file.sync();
        long oldOffset = tableOffset;
        int oldClusters = tableClusters;
        table = grown;
        tableOffset = newOffset;
        tableClusters = (int) newTableClusters;
        dirtyEntries.clear();
        endCluster = Math.max(endCluster, end);
        tableMoved.moved(newOffset, tableClusters);
        for (int i = 0; i < oldClusters; i++) {
            release((oldOffset >>> clusterBits) + i);
        }
    }

    /** Queues one decrement of {@code cluster}'s count, applied at the next flush. */
    void release(long cluster) {
        if (pendingCount == pending.length) {
            pending = Arrays.copyOf(pending, pending.length * 2);
        }
        pending[pendingCount++] = cluster;
    }

    /** Whether any counts changed in memory and are not yet on disk. */
    boolean dirty() {
        return blocks.hasDirty() || !dirtyEntries.isEmpty();
    }

    boolean hasPending() {
        return pendingCount > 0;
    }

    /**
     * Writes changed blocks and then the table entries of new blocks, each step synced, so
     * that the table never points at a block that is not on disk. Whether anything was written.
     */
    boolean writeIncrements() throws IOException {
        boolean wrote = false;
        if (blocks.writeDirty()) {
            file.sync();
            wrote = true;
        }
        if (!dirtyEntries.isEmpty()) {
            ByteBuffer entry = ByteBuffer.allocate(8);
            for (int i = dirtyEntries.nextSetBit(0); i >= 0; i = dirtyEntries.nextSetBit(i + 1)) {
                file.write(entry.clear().putLong(0, table[i]), tableOffset + i * 8L);
            }
            dirtyEntries.clear();
            file.sync();
            wrote = true;
        }
        return wrote;
    }

    /**
     * Applies the queued decrements in memory; clusters whose count reaches zero are returned
     * (sorted, with repeats removed) and kept from reuse until {@link #releaseQuarantine}.
     */
    long[] applyDecrements() throws IOException {
        long[] freed = new long[pendingCount];
        int n = 0;
        for (int i = 0; i < pendingCount; i++) {
            long c = pending[i];
            long count = get(c);
            if (count == 0) {
                continue; // a count already wrong: check reports it; never wrap below zero
            }
            set(c, count - 1);
            if (count == 1) {
                freed[n++] = c;
                if (c <= Integer.MAX_VALUE) {
                    quarantine.set((int) c);
                    quarantined = true;
                }
            }
        }
        pendingCount = 0;
        if (pending.length > 4096) {
            pending = new long[64];
        }
        long[] result = Arrays.copyOf(freed, n);
        Arrays.sort(result);
        return result;
    }

    /** Lets clusters freed at the last flush be allocated again. */
    void releaseQuarantine() {
        if (quarantined) {
            int lowest = quarantine.nextSetBit(0);
            if (lowest >= 0) {
                freeHint = Math.min(freeHint, lowest);
            }
            quarantine.clear();
            quarantined = false;
        }
    }

    /** Makes the allocator treat {@code referenced} clusters as in use (during repair), or stop doing so. */
    void reserve(BitSet referenced) {
        this.reserved = referenced;
        this.freeHint = 0;
    }

    /** Fills a new image's first refcount block: clusters {@code 0..n-1} counted once. */
    static void writeInitial(ByteBuffer block, int order, int n) {
        for (int c = 0; c < n; c++) {
            int bit = c << order;
            if (order < 3) {
                block.put(bit >>> 3, (byte) (block.get(bit >>> 3) | (1 << (bit & 7))));
            } else {
                block.put(((c + 1) << (order - 3)) - 1, (byte) 1); // the low byte of a big-endian count
            }
        }
    }

    /** Every table entry's block offset, for the checker (0 where none). */
    long rawEntry(int index) {
        return table[index];
    }

    /** Clears an invalid table entry (repair): the block it named is forgotten. */
    void clearEntry(int index) {
        blockClusters.remove((table[index] & ~(clusterSize - 1)) >>> clusterBits);
        table[index] = 0;
        dirtyEntries.set(index);
    }

    /** Forgets cached blocks (after a repair rewrote them). */
    void dropCache() {
        blocks.clear();
    }
}
