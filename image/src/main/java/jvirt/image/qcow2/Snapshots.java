package jvirt.image.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Internal snapshots: create (copy the L1 table, count every cluster it reaches once more),
 * apply (make a snapshot's tables the active ones) and delete (count them once less). Each step
 * is ordered like every other metadata change: counts go up before new references reach the
 * disk and come down only after old references left it.
 */
final class Snapshots {
    private Snapshots() {
    }

    static Snapshot find(Qcow2Image image, String nameOrId) {
        for (Snapshot s : image.snapshots) {
            if (s.name().equals(nameOrId)) {
                return s;
            }
        }
        for (Snapshot s : image.snapshots) {
            if (s.id().equals(nameOrId)) {
                return s;
            }
        }
        return null;
    }

    static void create(Qcow2Image image, String name) throws IOException {
        if (name.isEmpty() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 0xffff) {
            throw new IllegalArgumentException("invalid snapshot name '" + name + "'");
        }
        for (Snapshot s : image.snapshots) {
            if (s.name().equals(name)) {
                throw new IllegalArgumentException("a snapshot named '" + name + "' already exists");
            }
        }
        if (image.snapshots.size() >= Qcow2Header.MAX_SNAPSHOTS) {
            throw new IllegalArgumentException("the image has the most snapshots qcow2 allows");
        }
        if (image.refcounts.maxRefcount() < 2) {
            throw new IllegalArgumentException("an image with refcount_bits=1 cannot share clusters, so it cannot have"
                    + " snapshots; convert it with -o refcount_bits=16");
        }
        image.flushMetadata();
        long[] l1 = image.l1;
        long copy = 0;
        if (l1.length > 0) {
            int clusters = (int) Qcow2Header.ceilDiv((long) l1.length * 8, image.clusterSize);
            copy = image.refcounts.allocate(clusters);
            ByteBuffer raw = ByteBuffer.allocate(l1.length * 8);
            for (int i = 0; i < l1.length; i++) {
                raw.putLong(i * 8, l1[i] & ~Qcow2Image.COPIED);
            }
            image.file.write(raw, copy);
        }
        addReferences(image, l1, true);
        image.flushMetadata();
        Instant now = Instant.now();
        int id = 1;
        for (Snapshot s : image.snapshots) {
            try {
                id = Math.max(id, Integer.parseInt(s.id()) + 1);
            } catch (NumberFormatException e) {
                // Non-numeric ids (other tools) do not take part in numbering.
            }
        }
        List<Snapshot> list = new ArrayList<>(image.snapshots);
        list.add(new Snapshot(copy, l1.length, Integer.toString(id), name, now.getEpochSecond(), now.getNano(), 0, 0,
                image.header.size, 0, new byte[0]));
        writeTable(image, list);
        image.flushMetadata();
    }

    static void apply(Qcow2Image image, String nameOrId) throws IOException {
        Snapshot s = require(image, nameOrId);
        image.flushMetadata();
        long[] target = readL1(image, s);
        if (target.length > image.l1.length) {
            image.growL1(target.length);
        }
        addReferences(image, target, false);
        image.refcounts.writeIncrements();
        long[] old = image.l1;
        long[] fresh = new long[old.length];
        System.arraycopy(target, 0, fresh, 0, target.length);
        image.l1 = fresh;
        ByteBuffer raw = ByteBuffer.allocate(fresh.length * 8);
        for (int i = 0; i < fresh.length; i++) {
            raw.putLong(i * 8, fresh[i]);
        }
        image.file.write(raw, image.header.l1TableOffset);
        image.file.sync();
        image.dirtyL1.clear();
        releaseTree(image, old);
        image.flushMetadata();
        image.header.size = s.diskSize();
        image.writeHeaderFields();
        fixCopiedFlags(image);
        image.flushMetadata();
    }

    static void delete(Qcow2Image image, String nameOrId) throws IOException {
        Snapshot s = require(image, nameOrId);
        image.flushMetadata();
        long[] l1 = readL1(image, s);
        List<Snapshot> list = new ArrayList<>(image.snapshots);
        list.remove(s);
        writeTable(image, list);
        releaseTree(image, l1);
        image.releaseTable(s.l1Offset(), s.l1Size());
        image.flushMetadata();
        fixCopiedFlags(image);
        image.flushMetadata();
    }

    private static Snapshot require(Qcow2Image image, String nameOrId) {
        Snapshot s = find(image, nameOrId);
        if (s == null) {
            throw new IllegalArgumentException("no snapshot '" + nameOrId + "' in " + image.path);
        }
        return s;
    }

    static long[] readL1(Qcow2Image image, Snapshot s) throws IOException {
        long[] l1 = new long[s.l1Size()];
        if (l1.length > 0) {
            ByteBuffer raw = ByteBuffer.allocate(l1.length * 8);
            image.file.read(raw, s.l1Offset());
            for (int i = 0; i < l1.length; i++) {
                l1[i] = raw.getLong(i * 8);
            }
        }
        return l1;
    }

    /**
     * Counts every L2 table and data cluster {@code l1} reaches once more. With {@code active}
     * (a snapshot of the active tables) their COPIED flags go too: they are shared now.
     */
    private static void addReferences(Qcow2Image image, long[] l1, boolean active) throws IOException {
        Refcounts rc = image.refcounts;
        for (int i = 0; i < l1.length; i++) {
            long l2 = image.l2Offset(l1, i);
            if (l2 == 0) {
                continue;
            }
            MetadataCache.Table table = image.l2Cache.get(l2);
            for (int j = 0; j < image.l2Entries(); j++) {
                long entry = table.getLong(j);
                switch (image.type(entry)) {
                    case NORMAL, ZERO_ALLOC -> increment(rc, (entry & Qcow2Image.OFFSET_MASK) >>> image.clusterBits);
                    case COMPRESSED -> {
                        long first = image.compressedOffset(entry) >>> image.clusterBits;
                        long last = (image.compressedOffset(entry) + image.compressedLength(entry) - 1) >>> image.clusterBits;
                        for (long c = first; c <= last; c++) {
                            increment(rc, c);
                        }
                    }
                    case UNALLOCATED, ZERO_PLAIN -> {
                    }
                }
                if (active && (entry & Qcow2Image.COPIED) != 0) {
                    table = image.l2Cache.get(l2);
                    table.putLong(j, entry & ~Qcow2Image.COPIED);
                }
            }
            increment(rc, l2 >>> image.clusterBits);
            if (active && (l1[i] & Qcow2Image.COPIED) != 0) {
                l1[i] &= ~Qcow2Image.COPIED;
                image.dirtyL1.set(i);
            }
        }
    }

    private static void increment(Refcounts rc, long cluster) throws IOException {
        rc.set(cluster, rc.get(cluster) + 1);
    }

    /** Queues one decrement for every L2 table and data cluster {@code l1} reaches. */
    private static void releaseTree(Qcow2Image image, long[] l1) throws IOException {
        for (int i = 0; i < l1.length; i++) {
            long l2 = image.l2Offset(l1, i);
            if (l2 == 0) {
                continue;
            }
            MetadataCache.Table table = image.l2Cache.get(l2);
            for (int j = 0; j < image.l2Entries(); j++) {
                image.release(table.getLong(j));
            }
            image.refcounts.release(l2 >>> image.clusterBits);
        }
    }

    /** Sets COPIED exactly where the active tables' clusters are counted once: after counts changed. */
    static void fixCopiedFlags(Qcow2Image image) throws IOException {
        long[] l1 = image.l1;
        for (int i = 0; i < l1.length; i++) {
            long l2 = image.l2Offset(l1, i);
            if (l2 == 0) {
                continue;
            }
            boolean single = image.refcounts.get(l2 >>> image.clusterBits) == 1;
            long want = single ? l2 | Qcow2Image.COPIED : l2;
            if (l1[i] != want) {
                l1[i] = want;
                image.dirtyL1.set(i);
            }
            MetadataCache.Table table = image.l2Cache.get(l2);
            for (int j = 0; j < image.l2Entries(); j++) {
                long entry = table.getLong(j);
                Qcow2Image.Type type = image.type(entry);
                if (type != Qcow2Image.Type.NORMAL && type != Qcow2Image.Type.ZERO_ALLOC) {
                    continue;
                }
                boolean one = image.refcounts.get((entry & Qcow2Image.OFFSET_MASK) >>> image.clusterBits) == 1;
                long fixed = one ? entry | Qcow2Image.COPIED : entry & ~Qcow2Image.COPIED;
                if (fixed != entry) {
                    table = image.l2Cache.get(l2);
                    table.putLong(j, fixed);
                }
            }
        }
    }

    /** Writes a new snapshot table, points the header at it (durably) and frees the old one. */
    private static void writeTable(Qcow2Image image, List<Snapshot> list) throws IOException {
        Qcow2Header h = image.header;
        long oldOffset = h.snapshotsOffset;
        long oldBytes = 0;
        for (Snapshot s : image.snapshots) {
            oldBytes += s.encodedSize();
        }
        long offset = 0;
        if (!list.isEmpty()) {
            int bytes = 0;
            for (Snapshot s : list) {
                bytes += s.encodedSize();
            }
            offset = image.refcounts.allocate((int) Qcow2Header.ceilDiv(bytes, image.clusterSize));
            ByteBuffer raw = ByteBuffer.allocate(bytes);
            for (Snapshot s : list) {
                s.encode(raw);
            }
            image.file.write(raw.flip(), offset);
            image.refcounts.writeIncrements();
            image.file.sync();
        }
        h.nbSnapshots = list.size();
        h.snapshotsOffset = offset;
        image.writeHeaderFields();
        image.snapshots.clear();
        image.snapshots.addAll(list);
        if (oldOffset != 0 && oldBytes > 0) {
            long clusters = Qcow2Header.ceilDiv(oldBytes, image.clusterSize);
            for (long c = 0; c < clusters; c++) {
                image.refcounts.release((oldOffset >>> image.clusterBits) + c);
            }
        }
    }
}
