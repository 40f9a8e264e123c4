package jvirt.image.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jvirt.image.InvalidImageException;

/**
 * {@code qemu-img check} for qcow2: count the references every host cluster really has (from the
 * header, the L1 and L2 tables of the disk and of each snapshot, the refcount structures and the
 * bitmaps), compare them with the stored refcounts and the COPIED flags, and optionally repair.
 *
 * <p>A stored count below the references is a corruption (the cluster could be handed out again
 * while in use); above them, a leak (space lost, nothing wrong). Repair raises counts first
 * (allocating nothing that is referenced), then recounts and lowers the leaked ones, then sets
 * the COPIED flags from the counts.
 */
public final class Qcow2Check {
    /** What to repair: nothing, leaks only ({@code -r leaks}), or everything ({@code -r all}). */
    public enum Repair { NONE, LEAKS, ALL }

    /**
     * What a check found, in {@code qemu-img check}'s terms.
     *
     * @param messages one line per problem, as qemu-img prints them on stderr
     */
    public record Result(long corruptions, long leaks, long checkErrors, long corruptionsFixed, long leaksFixed,
                         long imageEndOffset, long totalClusters, long allocatedClusters, long fragmentedClusters,
                         long compressedClusters, List<String> messages) {
    }

    private Qcow2Check() {
    }

    /** Checks (and with {@code repair}, repairs) an image opened for writing when repairing. */
    public static Result run(Qcow2Image image, Repair repair) throws IOException {
        synchronized (image) {
            if (repair != Repair.NONE && image.readOnly) {
                throw new IOException(image.path + " is open read-only and cannot be repaired");
            }
            if (!image.readOnly) {
                image.flushMetadata();
            }
            if (repair == Repair.NONE) {
                return new Scan(image, false).finish(0, 0);
            }
            long corruptionsFixed = 0;
            long leaksFixed = 0;
            if (repair == Repair.ALL) {
                Scan scan = new Scan(image, true);
                corruptionsFixed += scan.fixedEntries;
                corruptionsFixed += scan.raiseCounts();
                image.flushMetadata();
            }
            Scan scan = new Scan(image, false);
            leaksFixed += scan.lowerCounts();
            if (repair == Repair.ALL) {
                corruptionsFixed += scan.fixCopied();
            }
            image.refcounts.reserve(null);
            image.flushMetadata();
            return new Scan(image, false).finish(corruptionsFixed, leaksFixed);
        }
    }

    /** Reference counts per host cluster, in pages allocated only where the file has clusters. */
    private static final class Counts {
        private static final int PAGE_BITS = 16;
        private final Map<Long, int[]> pages = new HashMap<>();
        private long highest = -1;

        void add(long cluster) {
            int[] page = pages.computeIfAbsent(cluster >>> PAGE_BITS, k -> new int[1 << PAGE_BITS]);
            int i = (int) (cluster & ((1 << PAGE_BITS) - 1));
            if (page[i] != Integer.MAX_VALUE) {
                page[i]++;
            }
            highest = Math.max(highest, cluster);
        }

        long get(long cluster) {
            int[] page = pages.get(cluster >>> PAGE_BITS);
            return page == null ? 0 : page[(int) (cluster & ((1 << PAGE_BITS) - 1))];
        }

        BitSet referenced() {
            BitSet set = new BitSet();
            for (Map.Entry<Long, int[]> e : pages.entrySet()) {
                long base = e.getKey() << PAGE_BITS;
                int[] page = e.getValue();
                for (int i = 0; i < page.length; i++) {
                    if (page[i] != 0 && base + i <= Integer.MAX_VALUE) {
                        set.set((int) (base + i));
                    }
                }
            }
            return set;
        }
    }

    /** One pass over every structure of the image. */
    private static final class Scan {
        private static final int MAX_MESSAGES = 1000;
        private final Qcow2Image image;
        private final boolean fix;
        private final long fileClusters;
        private final Counts refs = new Counts();
        private final List<String> messages = new ArrayList<>();
        private long corruptions;
        private long checkErrors;
        long fixedEntries;
        private long allocated;
        private long fragmented;
        private long compressed;
        private long nextContiguous;
        private List<Long> recording;

        Scan(Qcow2Image image, boolean fix) throws IOException {
            this.image = image;
            this.fix = fix;
            this.fileClusters = Qcow2Header.ceilDiv(image.file.size(), image.clusterSize);
            count(0, image.clusterSize, "the header");
            count(image.header.l1TableOffset, (long) image.l1.length * 8, "the L1 table");
            walk(image.l1, true);
            long snapshotBytes = 0;
            for (Snapshot s : image.snapshots) {
                snapshotBytes += s.encodedSize();
            }
            count(image.header.snapshotsOffset, snapshotBytes, "the snapshot table");
            for (Snapshot s : image.snapshots) {
                count(s.l1Offset(), (long) s.l1Size() * 8, "snapshot " + s.name() + "'s L1 table");
                walk(Snapshots.readL1(image, s), false);
            }
            Refcounts rc = image.refcounts;
            count(rc.tableOffset(), (long) rc.tableClusters() * image.clusterSize, "the refcount table");
            for (int i = 0; i < rc.tableEntries(); i++) {
                long block;
                try {
                    block = rc.blockOffset(i);
                } catch (InvalidImageException e) {
                    corruption("ERROR refcount block " + i + " is not cluster aligned or is invalid; refcount table entry corrupted");
                    if (fix) {
                        rc.clearEntry(i);
                        fixedEntries++;
                    }
                    continue;
                }
                if (block != 0) {
                    count(block, image.clusterSize, "refcount block " + i);
                }
            }
            countBitmaps();
        }

        private void corruption(String message) {
            corruptions++;
            report(message);
        }

        /** Keeps the first problems' lines; a hostile image could have hundreds of millions. */
        private void report(String message) {
            if (messages.size() < MAX_MESSAGES) {
                messages.add(message);
            } else if (messages.size() == MAX_MESSAGES) {
                messages.add("(further problems are counted but not listed)");
            }
        }

        /** Counts one reference to every cluster of {@code [offset, offset + bytes)}. */
        private void count(long offset, long bytes, String what) {
            if (bytes <= 0) {
                return;
            }
            long first = offset >>> image.clusterBits;
            long last = (offset + bytes - 1) >>> image.clusterBits;
            for (long c = first; c <= last; c++) {
                if (c >= fileClusters) {
                    corruption("ERROR " + what + " at offset 0x" + Long.toHexString(c << image.clusterBits)
                            + " is beyond the end of the image file");
                    return;
                }
                refs.add(c);
            }
        }

        private void walk(long[] l1, boolean active) throws IOException {
            // An L2 table that one tree reaches again (a corruption in itself) is not walked again:
            // what it references is counted again from the first walk, so hostile tables stay cheap.
            Map<Long, long[]> walked = new HashMap<>();
            for (int i = 0; i < l1.length; i++) {
                long l2 = image.l2OffsetOrInvalid(l1, i);
                if (l2 < 0) {
                    corruption("ERROR L1 entry " + i + " (0x" + Long.toHexString(l1[i]) + ") is invalid");
                    fixL1(l1, active, i);
                    continue;
                }
                if (l2 == 0) {
                    continue;
                }
                if ((l2 >>> image.clusterBits) >= fileClusters) {
                    corruption("ERROR L2 table at offset 0x" + Long.toHexString(l2) + " is beyond the end of the image file");
                    fixL1(l1, active, i);
                    continue;
                }
                refs.add(l2 >>> image.clusterBits);
                long[] again = walked.get(l2);
                if (again != null) {
                    for (long c : again) {
                        refs.add(c);
                    }
                    continue;
                }
                recording = new java.util.ArrayList<>();
                MetadataCache.Table table = image.l2Cache.get(l2);
                for (int j = 0; j < image.l2Entries(); j++) {
                    entry(table, l2, j, active);
                }
                walked.put(l2, recording.stream().mapToLong(Long::longValue).toArray());
                recording = null;
            }
        }

        /** One reference from an L2 entry, remembered for the table's later visits. */
        private void reference(long cluster) {
            refs.add(cluster);
            if (recording != null) {
                recording.add(cluster);
            }
        }

        private void fixL1(long[] l1, boolean active, int i) {
            if (fix && active) {
                l1[i] = 0;
                image.dirtyL1.set(i);
                fixedEntries++;
            }
        }

        private void entry(MetadataCache.Table table, long l2, int j, boolean active) throws IOException {
            long entry = table.getLong(j);
            if ((entry & Qcow2Image.COMPRESSED) != 0 && (entry & Qcow2Image.COPIED) != 0) {
                corruption("ERROR compressed cluster entry 0x" + Long.toHexString(entry) + " has the COPIED flag");
                if (fix && active) {
                    image.l2Cache.get(l2).putLong(j, entry & ~Qcow2Image.COPIED);
                    fixedEntries++;
                }
                entry &= ~Qcow2Image.COPIED;
            }
            Qcow2Image.Type type = image.typeOrNull(entry);
            if (type == null) {
                corruption("ERROR invalid L2 entry 0x" + Long.toHexString(entry) + " in the L2 table at 0x" + Long.toHexString(l2));
                clear(l2, j, active);
                return;
            }
            switch (type) {
                case COMPRESSED -> {
                    long offset = image.compressedOffset(entry);
                    long end = offset + image.compressedLength(entry);
                    if (((end - 1) >>> image.clusterBits) >= fileClusters) {
                        corruption("ERROR compressed cluster at 0x" + Long.toHexString(offset) + " is beyond the end of the image file");
                        clear(l2, j, active);
                        return;
                    }
                    for (long c = offset >>> image.clusterBits; c <= (end - 1) >>> image.clusterBits; c++) {
                        reference(c);
                    }
                    if (active) {
                        allocated++;
                        compressed++;
                        fragmented++; // compressed clusters are fragmented by nature
                        nextContiguous = 0;
                    }
                }
                case NORMAL, ZERO_ALLOC -> {
                    long host = entry & Qcow2Image.OFFSET_MASK;
                    if ((host >>> image.clusterBits) >= fileClusters) {
                        corruption("ERROR cluster at offset 0x" + Long.toHexString(host) + " is beyond the end of the image file");
                        clear(l2, j, active);
                        return;
                    }
                    reference(host >>> image.clusterBits);
                    if (active) {
                        allocated++;
                        if (nextContiguous != 0 && host != nextContiguous) {
                            fragmented++;
                        }
                        nextContiguous = host + image.clusterSize;
                    }
                }
                case UNALLOCATED, ZERO_PLAIN -> {
                }
            }
        }

        private void clear(long l2, int j, boolean active) throws IOException {
            if (fix && active) {
                image.l2Cache.get(l2).putLong(j, 0);
                fixedEntries++;
            }
        }

        /** Bitmap directory, bitmap tables and bitmap data clusters are referenced too. */
        private void countBitmaps() throws IOException {
            byte[] ext = image.header.bitmaps;
            if (ext == null) {
                return;
            }
            if (ext.length < 24) {
                checkErrors++;
                messages.add("ERROR the bitmaps header extension is truncated");
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(ext);
            int count = b.getInt(0);
            long dirSize = b.getLong(8);
            long dirOffset = b.getLong(16);
            if (dirSize < 0 || dirSize > 64L << 20 || count < 0 || !validOffset(dirOffset)) {
                checkErrors++;
                messages.add("ERROR the bitmap directory is too large");
                return;
            }
            count(dirOffset, dirSize, "the bitmap directory");
            ByteBuffer dir = ByteBuffer.allocate((int) dirSize);
            image.file.read(dir, dirOffset);
            int at = 0;
            for (int i = 0; i < count && at + 24 <= dirSize; i++) {
                long tableOffset = dir.getLong(at);
                long tableSize = Integer.toUnsignedLong(dir.getInt(at + 8));
                int nameSize = dir.getShort(at + 18) & 0xffff;
                long extra = Integer.toUnsignedLong(dir.getInt(at + 20));
                if (tableSize * 8 > 64L << 20 || extra > 1024 || !validOffset(tableOffset)) {
                    checkErrors++;
                    messages.add("ERROR bitmap " + i + " is malformed");
                    return;
                }
                count(tableOffset, tableSize * 8, "bitmap table " + i);
                ByteBuffer table = ByteBuffer.allocate((int) (tableSize * 8));
                image.file.read(table, tableOffset);
                for (int k = 0; k < tableSize; k++) {
                    long data = table.getLong(k * 8) & Qcow2Image.OFFSET_MASK;
                    if (data != 0) {
                        count(data, image.clusterSize, "bitmap data");
                    }
                }
                at += (int) ((24 + extra + nameSize + 7) & ~7L);
            }
        }

        private boolean validOffset(long offset) {
            return offset > 0 && offset < Qcow2Image.MAX_HOST_OFFSET && (offset & (image.clusterSize - 1)) == 0;
        }

        /** Stored counts below the references go up to them (repair of corruptions). */
        long raiseCounts() throws IOException {
            Refcounts rc = image.refcounts;
            rc.reserve(refs.referenced());
            long fixed = 0;
            for (Map.Entry<Long, int[]> e : refs.pages.entrySet()) {
                long base = e.getKey() << Counts.PAGE_BITS;
                int[] page = e.getValue();
                for (int i = 0; i < page.length; i++) {
                    if (page[i] != 0 && rc.get(base + i) < page[i]) {
                        rc.set(base + i, Math.min(page[i], rc.maxRefcount()));
                        fixed++;
                    }
                }
            }
            return fixed;
        }

        /** Stored counts above the references come down to them (repair of leaks). */
        long lowerCounts() throws IOException {
            Refcounts rc = image.refcounts;
            rc.reserve(refs.referenced());
            long fixed = 0;
            for (int index = 0; index < rc.tableEntries(); index++) {
                long block;
                try {
                    block = rc.blockOffset(index);
                } catch (InvalidImageException e) {
                    continue;
                }
                if (block == 0) {
                    continue;
                }
                long perBlock = image.clusterSize * 8 >>> image.header.refcountOrder;
                // Counts past the end of the file describe nothing and are left alone, as qemu-img does.
                for (long c = index * perBlock; c < Math.min((index + 1) * perBlock, fileClusters); c++) {
                    long stored = rc.get(c);
                    long r = refs.get(c);
                    if (stored > r) {
                        rc.set(c, r);
                        fixed++;
                    }
                }
            }
            return fixed;
        }

        /** COPIED flags that disagree with the stored counts are set right (after counts were repaired). */
        long fixCopied() throws IOException {
            long before = copiedErrors(false);
            if (before > 0) {
                Snapshots.fixCopiedFlags(image);
            }
            return before;
        }

        /** COPIED flags in the active tables that disagree with the stored counts. */
        private long copiedErrors(boolean report) throws IOException {
            long errors = 0;
            Refcounts rc = image.refcounts;
            long[] l1 = image.l1;
            for (int i = 0; i < l1.length; i++) {
                long l2 = image.l2OffsetOrInvalid(l1, i);
                if (l2 <= 0 || (l2 >>> image.clusterBits) >= fileClusters) {
                    continue;
                }
                long count = rc.get(l2 >>> image.clusterBits);
                if ((count == 1) != ((l1[i] & Qcow2Image.COPIED) != 0)) {
                    errors++;
                    if (report) {
                        report("ERROR OFLAG_COPIED L2 cluster: l1_index=" + i + " l1_entry=" + Long.toHexString(l1[i])
                                + " refcount=" + count);
                    }
                }
                MetadataCache.Table table = image.l2Cache.get(l2);
                for (int j = 0; j < image.l2Entries(); j++) {
                    long entry = table.getLong(j);
                    Qcow2Image.Type type = image.typeOrNull(entry);
                    if (type == null) {
                        continue;
                    }
                    if (type != Qcow2Image.Type.NORMAL && type != Qcow2Image.Type.ZERO_ALLOC) {
                        continue;
                    }
                    long host = entry & Qcow2Image.OFFSET_MASK;
                    if ((host >>> image.clusterBits) >= fileClusters) {
                        continue;
                    }
                    long n = rc.get(host >>> image.clusterBits);
                    if ((n == 1) != ((entry & Qcow2Image.COPIED) != 0)) {
                        errors++;
                        if (report) {
                            report("ERROR OFLAG_COPIED data cluster: l2_entry=" + Long.toHexString(entry) + " refcount=" + n);
                        }
                    }
                }
            }
            return errors;
        }

        /** Compares stored counts with the references and reports what differs. */
        Result finish(long corruptionsFixed, long leaksFixed) throws IOException {
            Refcounts rc = image.refcounts;
            long leaks = 0;
            long highest = refs.highest;
            long perBlock = image.clusterSize * 8 >>> image.header.refcountOrder;
            BitSet covered = new BitSet();
            for (int index = 0; index < rc.tableEntries(); index++) {
                long block;
                try {
                    block = rc.blockOffset(index);
                } catch (InvalidImageException e) {
                    continue;
                }
                if (block == 0) {
                    continue;
                }
                covered.set(index);
                for (long c = index * perBlock; c < Math.min((index + 1) * perBlock, fileClusters); c++) {
                    long stored = rc.get(c);
                    long r = refs.get(c);
                    if (stored > 0) {
                        highest = Math.max(highest, c);
                    }
                    if (stored < r) {
                        corruption("ERROR cluster " + c + " refcount=" + stored + " reference=" + r);
                    } else if (stored > r) {
                        leaks++;
                        report("Leaked cluster " + c + " refcount=" + stored + " reference=" + r);
                    }
                }
            }
            for (Map.Entry<Long, int[]> e : refs.pages.entrySet()) {
                long base = e.getKey() << Counts.PAGE_BITS;
                int[] page = e.getValue();
                for (int i = 0; i < page.length; i++) {
                    long c = base + i;
                    long index = c / perBlock;
                    if (page[i] != 0 && (index >= rc.tableEntries() || !covered.get((int) index))) {
                        corruption("ERROR cluster " + c + " refcount=0 reference=" + page[i]);
                    }
                }
            }
            corruptions += copiedErrors(true);
            long total = Qcow2Header.ceilDiv(image.header.size, image.clusterSize);
            return new Result(corruptions, leaks, checkErrors, corruptionsFixed, leaksFixed,
                    (highest + 1) * image.clusterSize, total, allocated, fragmented, compressed, List.copyOf(messages));
        }
    }
}
