package jvirt.image.qcow2;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageFormat;
import jvirt.image.ImageFormats;
import jvirt.image.ImageInfo;
import jvirt.image.InvalidImageException;
import jvirt.image.OpenOptions;
import jvirt.image.SnapshotInfo;
import jvirt.image.host.HostFile;

/**
 * A qcow2 image as a disk: guest clusters mapped through the L1 table and L2 tables to host
 * clusters, allocated on first write, copied on write where shared with a snapshot, read from
 * the backing image where unallocated.
 *
 * <p>Metadata lives in caches and reaches the file at {@link #flush} in the order that keeps a
 * crash harmless (see {@link Refcounts}): refcount increments, then L2 tables, then the L1 table,
 * then refcount decrements, each step synced before the next. Guest data goes straight to the
 * file, before the tables that point at it.
 *
 * <p>All public methods are synchronized: one request at a time owns the metadata.
 */
public final class Qcow2Image implements BlockDevice {
    /** L1/L2 entries and table pointers address at most 2^56 bytes of file. */
    static final long MAX_HOST_OFFSET = 1L << 56;
    static final long COPIED = 1L << 63;
    static final long COMPRESSED = 1L << 62;
    static final long ZERO_FLAG = 1;
    static final long OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;
    private static final long L1_RESERVED = 0x7f00_0000_0000_01ffL;
    private static final long L2_RESERVED = 0x3f00_0000_0000_01feL;
    /** QEMU sizes its L2 cache to cover the whole disk, up to 32 MiB. */
    private static final long L2_CACHE_BYTES = 32L << 20;
    /** Clusters written by one allocating run at most: bounds the buffers a request pins. */
    private static final int MAX_RUN_CLUSTERS = 512;

    /** What one guest cluster is, from its L2 entry. */
    enum Type { UNALLOCATED, NORMAL, COMPRESSED, ZERO_PLAIN, ZERO_ALLOC }

    final Path path;
    final HostFile file;
    final Qcow2Header header;
    final boolean readOnly;
    final int clusterBits;
    final long clusterSize;
    /** log2 of the entries in one L2 table. */
    final int l2Bits;
    private final BlockDevice backing;
    long[] l1;
    final BitSet dirtyL1 = new BitSet();
    final MetadataCache l2Cache;
    final Refcounts refcounts;
    final List<Snapshot> snapshots;
    private final boolean lazyRefcounts;
    private boolean dirtyMarked;
    /** The last compressed cluster read: its L2 entry and bytes. */
    private long inflatedEntry;
    private byte[] inflated;
    /** Where the next compressed cluster may go: inside a host cluster partly filled, or 0. */
    private long freeByte;
    private boolean closed;
    /** Set when corruption was found while writing: no metadata is written any more. */
    private boolean broken;

    private Qcow2Image(Path path, HostFile file, Qcow2Header header, boolean readOnly, long fileSize,
                       BlockDevice backing) throws IOException {
        this.path = path;
        this.file = file;
        this.header = header;
        this.readOnly = readOnly;
        this.clusterBits = header.clusterBits;
        this.clusterSize = header.clusterSize();
        this.l2Bits = clusterBits - 3;
        this.backing = backing;
        this.l1 = readL1(header.l1TableOffset, header.l1Size);
        long l2Tables = Math.max(16, Math.min(l1.length, L2_CACHE_BYTES / clusterSize));
        this.l2Cache = new MetadataCache(file, (int) clusterSize, (int) l2Tables, this::beforeL2Eviction);
        this.refcounts = new Refcounts(file, path, header, fileSize, (int) Math.max(4, l2Tables / 4), this::refcountTableMoved);
        this.snapshots = Snapshot.readTable(this);
        refcounts.protect(this::fixedMetadata);
        this.lazyRefcounts = !readOnly && (header.compatibleFeatures & Qcow2Header.COMPAT_LAZY_REFCOUNTS) != 0;
    }

    /** Opens {@code path}, and its backing chain when {@code options} asks for it. */
    public static Qcow2Image open(Path path, OpenOptions options) throws IOException {
        return open(path, options, false);
    }

    /**
     * Opens {@code path} for writing even when it is marked corrupt, without its backing chain,
     * to repair it; {@link #check} with a repair clears the mark when nothing is left to fix.
     */
    public static Qcow2Image openForRepair(Path path) throws IOException {
        return open(path, OpenOptions.forWriting().withoutBacking(), true);
    }

    private static Qcow2Image open(Path path, OpenOptions options, boolean repair) throws IOException {
        HostFile file = HostFile.open(path, options.readOnly());
        BlockDevice backing = null;
        try {
            long fileSize = file.size();
            ByteBuffer first = ByteBuffer.allocate((int) Math.min(fileSize, 1L << Qcow2Header.MAX_CLUSTER_BITS));
            file.read(first, 0);
            Qcow2Header header = Qcow2Header.parse(path, first.flip(), fileSize);
            if (!options.readOnly() && !repair && (header.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0) {
                throw new InvalidImageException(path, "image is marked corrupt and cannot be opened for writing;"
                        + " repair it with 'jvirt img check -r all'");
            }
            if (header.backingFile != null && options.openBacking()) {
                backing = openBacking(path, header, options);
            }
            Qcow2Image image = new Qcow2Image(path, file, header, options.readOnly(), fileSize, backing);
            if (!options.readOnly()) {
                image.prepareForWriting();
            }
            return image;
        } catch (IOException | RuntimeException e) {
            if (backing != null) {
                backing.close();
            }
            file.close();
            throw e;
        }
    }

    private static BlockDevice openBacking(Path path, Qcow2Header header, OpenOptions options) throws IOException {
        Path self = path.toAbsolutePath().normalize();
        Set<Path> chain = new HashSet<>(options.chain());
        chain.add(realPath(self));
        if (chain.size() > OpenOptions.MAX_CHAIN_DEPTH) {
            throw new InvalidImageException(path, "backing chain is deeper than " + OpenOptions.MAX_CHAIN_DEPTH + " images");
        }
        Path target = resolveBacking(path, header.backingFile);
        if (!Files.exists(target)) {
            throw new IOException(path + ": could not open backing file " + InvalidImageException.printable(header.backingFile)
                    + ": no such file");
        }
        if (chain.contains(realPath(target))) {
            throw new InvalidImageException(path, "backing chain loops back to " + InvalidImageException.printable(header.backingFile));
        }
        ImageFormat format;
        try {
            format = header.backingFormat != null ? ImageFormats.byName(header.backingFormat) : null;
        } catch (IllegalArgumentException e) {
            throw new InvalidImageException(path, "unknown backing file format '"
                    + InvalidImageException.printable(header.backingFormat) + "'");
        }
        return ImageFormats.open(target, format, new OpenOptions(true, true, chain));
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** A backing file name is relative to the folder of the image that names it. */
    public static Path resolveBacking(Path image, String name) {
        Path parent = image.getParent();
        Path p = Path.of(name);
        return p.isAbsolute() || parent == null ? p : parent.resolve(p);
    }

    private void prepareForWriting() throws IOException {
        boolean rewrite = false;
        if (header.version == 3 && header.autoclearFeatures != 0) {
            // jvirt does not keep bitmaps up to date: an auto-clear bit promises consistency it must withdraw.
            header.autoclearFeatures = 0;
            rewrite = true;
        }
        if ((header.incompatibleFeatures & Qcow2Header.INCOMPAT_DIRTY) != 0) {
            // Refcounts may be stale (lazy refcounts and a crash): rebuild them from the tables.
            Qcow2Check.run(this, Qcow2Check.Repair.ALL);
            refcounts.writeIncrements(); // with lazy refcounts a flush leaves them in memory: they must be on disk first
            header.incompatibleFeatures &= ~Qcow2Header.INCOMPAT_DIRTY;
            rewrite = true;
        }
        if (rewrite) {
            writeHeaderFields();
        }
    }

    private long[] readL1(long offset, int entries) throws IOException {
        long[] table = new long[entries];
        if (entries > 0) {
            ByteBuffer raw = ByteBuffer.allocate(entries * 8);
            file.read(raw, offset);
            for (int i = 0; i < entries; i++) {
                table[i] = raw.getLong(i * 8);
            }
        }
        return table;
    }

    // ---- geometry and entries ------------------------------------------------------------------

    int l2Entries() {
        return 1 << l2Bits;
    }

    /** The L2 table offset of L1 entry {@code index} (0 when none), checked. */
    long l2Offset(long[] table, int index) throws InvalidImageException {
        long offset = l2OffsetOrInvalid(table, index);
        if (offset < 0) {
            throw corrupt("L1 entry " + index + " (0x" + Long.toHexString(table[index]) + ") is invalid");
        }
        return offset;
    }

    /** {@link #l2Offset}, or -1 for an invalid entry. */
    long l2OffsetOrInvalid(long[] table, int index) {
        long entry = table[index];
        long offset = entry & OFFSET_MASK;
        if ((entry & L1_RESERVED) != 0 || (offset & (clusterSize - 1)) != 0 || (offset != 0 && offset < clusterSize)) {
            return -1;
        }
        return offset;
    }

    /** The type of an L2 entry, refusing reserved bits, unaligned offsets and flags that cannot be. */
    Type type(long entry) throws InvalidImageException {
        Type type = typeOrNull(entry);
        if (type == null) {
            throw corrupt("L2 entry 0x" + Long.toHexString(entry) + " is invalid (reserved bits, an unaligned or"
                    + " header offset, COPIED on a compressed cluster, or the zero flag in a version 2 image)");
        }
        return type;
    }

    /** {@link #type}, or null for an invalid entry: the checker meets millions of them in a hostile image. */
    Type typeOrNull(long entry) {
        if ((entry & COMPRESSED) != 0) {
            return (entry & COPIED) == 0 && (compressedOffset(entry) >>> 56) == 0 ? Type.COMPRESSED : null;
        }
        long offset = entry & OFFSET_MASK;
        if ((entry & L2_RESERVED) != 0 || (offset & (clusterSize - 1)) != 0 || (offset != 0 && offset < clusterSize)) {
            return null;
        }
        if ((entry & ZERO_FLAG) != 0) {
            return header.version < 3 ? null : offset == 0 ? Type.ZERO_PLAIN : Type.ZERO_ALLOC;
        }
        return offset == 0 ? Type.UNALLOCATED : Type.NORMAL;
    }

    /** Bits of a compressed entry that hold the host offset. */
    private int compressedOffsetBits() {
        return 62 - (clusterBits - 8);
    }

    long compressedOffset(long entry) {
        return entry & ((1L << compressedOffsetBits()) - 1);
    }

    /** Bytes from the compressed offset to the end of its last sector. */
    long compressedLength(long entry) {
        long sectors = ((entry >>> compressedOffsetBits()) & ((1L << (clusterBits - 8)) - 1)) + 1;
        long offset = compressedOffset(entry);
        return sectors * 512 - (offset & 511);
    }

    private InvalidImageException corrupt(String problem) {
        return new InvalidImageException(path, problem);
    }

    // ---- mapping -------------------------------------------------------------------------------

    /** A run of guest bytes of one type: where it is in the file (for NORMAL) and how long. */
    private record Run(Type type, long host, long length, long entry) {
    }

    /** The run starting at guest offset {@code pos}, at most {@code max} bytes, within one L2 table. */
    private Run map(long pos, long max) throws IOException {
        long cluster = pos >>> clusterBits;
        long inCluster = pos & (clusterSize - 1);
        int l1Index = (int) (cluster >>> l2Bits);
        int l2Index = (int) (cluster & (l2Entries() - 1));
        long toTableEnd = ((long) (l2Entries() - l2Index) << clusterBits) - inCluster;
        max = Math.min(max, toTableEnd);
        long l2 = l1Index < l1.length ? l2Offset(l1, l1Index) : 0;
        if (l2 == 0) {
            return new Run(Type.UNALLOCATED, 0, max, 0);
        }
        MetadataCache.Table table = l2Cache.get(l2);
        long entry = table.getLong(l2Index);
        Type type = type(entry);
        long length = clusterSize - inCluster;
        if (type == Type.COMPRESSED) {
            return new Run(type, 0, Math.min(length, max), entry);
        }
        long host = entry & OFFSET_MASK;
        for (int i = l2Index + 1; length < max && i < l2Entries(); i++) {
            long next = table.getLong(i);
            Type t = type(next);
            if (t != type || type == Type.NORMAL && (next & OFFSET_MASK) != host + ((long) (i - l2Index) << clusterBits)) {
                break;
            }
            length += clusterSize;
        }
        return new Run(type, type == Type.NORMAL ? host + inCluster : 0, Math.min(length, max), entry);
    }

    // ---- reads ---------------------------------------------------------------------------------

    @Override
    public synchronized void read(long offset, MemorySegment destination) throws IOException {
        checkOpen();
        BlockDevice.checkRange(offset, destination.byteSize(), size());
        read(offset, Span.of(destination), 0, destination.byteSize());
    }

    @Override
    public synchronized void read(long offset, List<MemorySegment> destinations) throws IOException {
        checkOpen();
        Span span = Span.of(destinations);
        BlockDevice.checkRange(offset, span.length(), size());
        read(offset, span, 0, span.length());
    }

    /** Reads guest bytes {@code [offset, offset + length)} into {@code into} from {@code at}. */
    private void read(long offset, Span into, long at, long length) throws IOException {
        long done = 0;
        while (done < length) {
            long pos = offset + done;
            Run run = map(pos, length - done);
            switch (run.type) {
                case NORMAL -> file.read(into.slice(at + done, run.length), run.host);
                case ZERO_PLAIN, ZERO_ALLOC -> into.fill(at + done, run.length);
                case UNALLOCATED -> readBacking(pos, into, at + done, run.length);
                case COMPRESSED -> into.copyFrom(MemorySegment.ofArray(inflate(run.entry)),
                        pos & (clusterSize - 1), at + done, run.length);
            }
            done += run.length;
        }
    }

    private void readBacking(long pos, Span into, long at, long length) throws IOException {
        long inBacking = backing == null ? 0 : Math.max(0, Math.min(length, backing.size() - pos));
        if (inBacking > 0) {
            backing.read(pos, into.slice(at, inBacking));
        }
        if (inBacking < length) {
            into.fill(at + inBacking, length - inBacking);
        }
    }

    /** The bytes of the compressed cluster {@code entry} describes. */
    private byte[] inflate(long entry) throws IOException {
        if (inflated != null && inflatedEntry == entry) {
            return inflated;
        }
        long offset = compressedOffset(entry);
        int length = (int) Math.min(compressedLength(entry), clusterSize * 2);
        byte[] input = new byte[length];
        file.read(ByteBuffer.wrap(input), offset);
        byte[] cluster = new byte[(int) clusterSize];
        String problem = Compression.decompress(header.compressionType, input, length, cluster);
        if (problem != null) {
            throw corrupt(problem + " (at 0x" + Long.toHexString(offset) + ")");
        }
        inflatedEntry = entry;
        inflated = cluster;
        return cluster;
    }

    // ---- writes --------------------------------------------------------------------------------

    @Override
    public synchronized void write(long offset, MemorySegment source) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, source.byteSize(), size());
        write(offset, Span.of(source));
    }

    @Override
    public synchronized void write(long offset, List<MemorySegment> sources) throws IOException {
        checkWritable();
        Span span = Span.of(sources);
        BlockDevice.checkRange(offset, span.length(), size());
        write(offset, span);
    }

    private void write(long offset, Span source) throws IOException {
        markDirty();
        long length = source.length();
        long done = 0;
        while (done < length) {
            long pos = offset + done;
            long cluster = pos >>> clusterBits;
            int l2Index = (int) (cluster & (l2Entries() - 1));
            long inCluster = pos & (clusterSize - 1);
            long max = Math.min(length - done, ((long) (l2Entries() - l2Index) << clusterBits) - inCluster);
            MetadataCache.Table table = l2ForWrite((int) (cluster >>> l2Bits));
            long entry = table.getLong(l2Index);
            if (type(entry) == Type.NORMAL && (entry & COPIED) != 0) {
                long host = entry & OFFSET_MASK;
                long run = clusterSize - inCluster;
                for (int i = l2Index + 1; run < max && i < l2Entries(); i++) {
                    long next = table.getLong(i);
                    if (type(next) != Type.NORMAL || (next & COPIED) == 0
                            || (next & OFFSET_MASK) != host + ((long) (i - l2Index) << clusterBits)) {
                        break;
                    }
                    run += clusterSize;
                }
                run = Math.min(run, max);
                checkInPlace(host, inCluster + run); // a corrupt L2 entry must not aim guest data at metadata
                file.write(source.slice(done, run), host + inCluster);
                done += run;
            } else {
                int clusters = 1;
                long run = clusterSize - inCluster;
                while (run < max && clusters < MAX_RUN_CLUSTERS) {
                    long next = table.getLong(l2Index + clusters);
                    if (type(next) == Type.NORMAL && (next & COPIED) != 0) {
                        break;
                    }
                    clusters++;
                    run += clusterSize;
                }
                run = Math.min(run, max);
                allocatingWrite(table, l2Index, clusters, pos, source, done, run);
                done += run;
            }
        }
    }

    /**
     * Writes guest bytes into {@code clusters} new host clusters, filling the parts of the first
     * and last cluster the request does not cover with what the guest saw there before (backing
     * file, zeros, a compressed or shared cluster), then points the L2 entries at them.
     */
    private void allocatingWrite(MetadataCache.Table table, int l2Index, int clusters, long pos, Span source,
                                 long at, long length) throws IOException {
        long guestStart = pos & ~(clusterSize - 1);
        long head = pos - guestStart;
        long tail = ((long) clusters << clusterBits) - head - length;
        long host = refcounts.allocate(clusters);
        checkOverlap(host, (long) clusters << clusterBits);
        List<MemorySegment> parts = new ArrayList<>(3);
        if (head > 0) {
            parts.add(previousContents(guestStart, head));
        }
        parts.addAll(source.slice(at, length));
        if (tail > 0) {
            parts.add(previousContents(pos + length, tail));
        }
        file.write(parts, host);
        for (int i = 0; i < clusters; i++) {
            long old = table.getLong(l2Index + i);
            table.putLong(l2Index + i, (host + ((long) i << clusterBits)) | COPIED);
            release(old);
        }
    }

    /** What the guest reads at {@code [pos, pos + length)} now, as a buffer of its own. */
    private MemorySegment previousContents(long pos, long length) throws IOException {
        MemorySegment buffer = MemorySegment.ofArray(new byte[(int) length]);
        read(pos, Span.of(buffer), 0, length);
        return buffer;
    }

    /** Queues the decrements that dropping the L2 entry {@code entry} implies. */
    void release(long entry) throws IOException {
        switch (type(entry)) {
            case NORMAL, ZERO_ALLOC -> refcounts.release((entry & OFFSET_MASK) >>> clusterBits);
            case COMPRESSED -> {
                long first = compressedOffset(entry) >>> clusterBits;
                long last = (compressedOffset(entry) + compressedLength(entry) - 1) >>> clusterBits;
                for (long c = first; c <= last; c++) {
                    refcounts.release(c);
                }
            }
            case UNALLOCATED, ZERO_PLAIN -> {
            }
        }
        if (entry == inflatedEntry) {
            inflated = null;
        }
    }

    /**
     * The L2 table for L1 entry {@code l1Index}, ready to be changed: allocated when there is
     * none, copied when it is shared with a snapshot.
     */
    private MetadataCache.Table l2ForWrite(int l1Index) throws IOException {
        long entry = l1[l1Index];
        long offset = l2Offset(l1, l1Index);
        if (offset != 0 && (entry & COPIED) != 0) {
            return l2Cache.get(offset);
        }
        ByteBuffer contents = offset == 0 ? null : l2Cache.get(offset).data;
        long host = refcounts.allocate(1);
        checkOverlap(host, clusterSize);
        MetadataCache.Table table = l2Cache.create(host, contents);
        l1[l1Index] = host | COPIED;
        dirtyL1.set(l1Index);
        if (offset != 0) {
            refcounts.release(offset >>> clusterBits);
        }
        return table;
    }

    /**
     * Refuses to put data where metadata lives: a freshly allocated cluster can only overlap
     * metadata when the refcounts are wrong, and writing there would destroy the image.
     */
    private void checkOverlap(long host, long length) throws IOException {
        String what = null;
        if (host < clusterSize) {
            what = "the header";
        } else if (overlaps(host, length, header.l1TableOffset, (long) l1.length * 8)) {
            what = "the L1 table";
        } else if (overlaps(host, length, refcounts.tableOffset(), (long) refcounts.tableClusters() << clusterBits)) {
            what = "the refcount table";
        } else if (header.snapshotsOffset != 0 && overlaps(host, length, header.snapshotsOffset, snapshotTableBytes())) {
            what = "the snapshot table";
        } else {
            for (Snapshot s : snapshots) {
                if (overlaps(host, length, s.l1Offset(), (long) s.l1Size() * 8)) {
                    what = "snapshot " + s.name() + "'s L1 table";
                }
            }
            for (int i = 0; i < l1.length && what == null; i++) {
                long l2 = l1[i] & OFFSET_MASK;
                if (l2 != 0 && overlaps(host, length, l2, clusterSize)) {
                    what = "an L2 table";
                }
            }
            for (long c = host >>> clusterBits; c <= (host + length - 1) >>> clusterBits && what == null; c++) {
                if (refcounts.isBlock(c)) {
                    what = "a refcount block";
                }
            }
        }
        if (what != null) {
            markCorrupt();
            throw new IOException(path + ": refcounts are corrupt (a free cluster at 0x" + Long.toHexString(host)
                    + " overlaps " + what + "); the image is now marked corrupt: repair it with 'jvirt img check -r all'");
        }
    }

    /**
     * The per-request check of an in-place write: O(1) per cluster against the structures a
     * corrupt L2 entry could aim at (header, L1/refcount/snapshot tables, refcount blocks). The
     * full scan of {@link #checkOverlap}, L2 tables included, is for new allocations only.
     */
    private void checkInPlace(long host, long length) throws IOException {
        for (long c = host >>> clusterBits; c <= (host + length - 1) >>> clusterBits; c++) {
            if (fixedMetadata(c) || refcounts.isBlock(c)) {
                checkOverlap(host, length); // names what it hits, marks the image corrupt
            }
        }
    }

    /** Whether a cluster holds the header, the L1 table, the refcount table, the snapshot table or a snapshot's L1 table. */
    private boolean fixedMetadata(long cluster) {
        long at = cluster << clusterBits;
        if (cluster == 0 || overlaps(at, clusterSize, header.l1TableOffset, (long) l1.length * 8)
                || overlaps(at, clusterSize, refcounts.tableOffset(), (long) refcounts.tableClusters() << clusterBits)) {
            return true;
        }
        if (header.snapshotsOffset != 0 && overlaps(at, clusterSize, header.snapshotsOffset, snapshotTableBytes())) {
            return true;
        }
        for (Snapshot s : snapshots) {
            if (overlaps(at, clusterSize, s.l1Offset(), (long) s.l1Size() * 8)) {
                return true;
            }
        }
        return false;
    }

    private long snapshotTableBytes() {
        long n = 0;
        for (Snapshot s : snapshots) {
            n += s.encodedSize();
        }
        return n;
    }

    private static boolean overlaps(long a, long aLength, long b, long bLength) {
        return bLength > 0 && a < b + bLength && b < a + aLength;
    }

    /**
     * Writes one whole guest cluster compressed ({@code qemu-img convert -c}); a cluster that does
     * not compress is written as it is. {@code offset} is cluster-aligned; {@code data} is one
     * cluster, or the rest of the disk for its last cluster.
     */
    public void writeCompressed(long offset, MemorySegment data) throws IOException {
        writeCompressed(offset, data, compress(data));
    }

    /**
     * Compresses one cluster's {@code data} as this image compresses: the bytes to hand to
     * {@link #writeCompressed(long, MemorySegment, byte[])}, or null when it does not compress.
     * Needs no lock, so that several clusters can be compressed at once.
     */
    public byte[] compress(MemorySegment data) {
        if (data.byteSize() > clusterSize) {
            throw new IllegalArgumentException("compressed writes are whole clusters");
        }
        byte[] cluster = new byte[(int) clusterSize];
        MemorySegment.copy(data, 0, MemorySegment.ofArray(cluster), 0, data.byteSize());
        return Compression.compress(header.compressionType, cluster);
    }

    /** Writes a cluster {@link #compress} compressed ({@code packed}), or as it is when {@code packed} is null. */
    public synchronized void writeCompressed(long offset, MemorySegment data, byte[] packed) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, data.byteSize(), size());
        if ((offset & (clusterSize - 1)) != 0 || data.byteSize() != Math.min(clusterSize, size() - offset)) {
            throw new IllegalArgumentException("compressed writes are whole clusters");
        }
        if (packed == null) {
            write(offset, Span.of(data));
            return;
        }
        markDirty();
        long guestCluster = offset >>> clusterBits;
        MetadataCache.Table table = l2ForWrite((int) (guestCluster >>> l2Bits)); // the L2 table first, as QEMU lays it out
        long host = allocateBytes(packed.length);
        // Written to the end of its last sector, as QEMU's files end: the next cluster may overwrite the padding.
        int padded = (int) (((host + packed.length + 511) & ~511L) - host);
        file.write(ByteBuffer.wrap(java.util.Arrays.copyOf(packed, padded)), host);
        long sectors = ((host + packed.length - 1) >>> 9) - (host >>> 9) + 1;
        long entry = COMPRESSED | host | ((sectors - 1) << compressedOffsetBits());
        int l2Index = (int) (guestCluster & (l2Entries() - 1));
        long old = table.getLong(l2Index);
        table.putLong(l2Index, entry);
        release(old);
    }

    /**
     * Space for {@code size} bytes of compressed data, packed after the previous compressed
     * cluster as QEMU packs them; every host cluster the bytes touch counts one more reference.
     */
    private long allocateBytes(int size) throws IOException {
        long offset = freeByte;
        long used = offset & (clusterSize - 1);
        if (offset != 0 && used != 0) {
            long cluster = offset >>> clusterBits;
            if (used + size <= clusterSize) {
                refcounts.set(cluster, refcounts.get(cluster) + 1);
                freeByte = offset + size;
                return offset;
            }
            long next = refcounts.allocate(1);
            if (next == (cluster + 1) << clusterBits) {
                refcounts.set(cluster, refcounts.get(cluster) + 1); // the data spans both clusters
                freeByte = offset + size;
                return offset;
            }
            checkOverlap(next, clusterSize);
            freeByte = next + size;
            return next;
        }
        long host = refcounts.allocate(1);
        checkOverlap(host, clusterSize);
        freeByte = host + size;
        return host;
    }

    // ---- zeroes and discard --------------------------------------------------------------------

    @Override
    public synchronized void writeZeroes(long offset, long length, boolean unmap) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, length, size());
        if (header.version < 3 && backing != null) {
            writeZeroBytes(offset, length); // version 2 has no zero clusters
            return;
        }
        long first = (offset + clusterSize - 1) & ~(clusterSize - 1);
        long end = offset + length;
        long last = end == size() ? end : end & ~(clusterSize - 1); // the disk's last partial cluster counts whole
        if (first >= last) {
            writeZeroBytes(offset, length);
            return;
        }
        writeZeroBytes(offset, first - offset);
        markDirty();
        for (long pos = first; pos < last; pos += clusterSize) {
            long cluster = pos >>> clusterBits;
            MetadataCache.Table table = l2ForWrite((int) (cluster >>> l2Bits));
            int l2Index = (int) (cluster & (l2Entries() - 1));
            long old = table.getLong(l2Index);
            Type type = type(old);
            if (!unmap && header.version >= 3 && (old & COPIED) != 0 && (type == Type.NORMAL || type == Type.ZERO_ALLOC)) {
                table.putLong(l2Index, (old & OFFSET_MASK) | COPIED | ZERO_FLAG); // keep the allocation
                continue;
            }
            table.putLong(l2Index, header.version >= 3 ? ZERO_FLAG : 0);
            release(old);
        }
        if (last < end) {
            writeZeroBytes(last, end - last);
        }
    }

    private void writeZeroBytes(long offset, long length) throws IOException {
        for (long done = 0; done < length; ) {
            long n = Math.min(length - done, 1 << 20);
            write(offset + done, Span.of(MemorySegment.ofArray(new byte[(int) n])));
            done += n;
        }
    }

    @Override
    public synchronized void discard(long offset, long length) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, length, size());
        if (header.version < 3 && backing != null) {
            return; // without zero clusters, unmapping would expose the backing file: a discard is only a hint
        }
        long first = (offset + clusterSize - 1) & ~(clusterSize - 1);
        long end = offset + length;
        long last = end == size() ? end : end & ~(clusterSize - 1);
        if (first < last) {
            markDirty();
        }
        for (long pos = first; pos < last; pos += clusterSize) {
            long cluster = pos >>> clusterBits;
            int l1Index = (int) (cluster >>> l2Bits);
            if (l2Offset(l1, l1Index) == 0 && backing == null) {
                pos = ((long) (l1Index + 1) << (l2Bits + clusterBits)) - clusterSize; // nothing mapped here
                continue;
            }
            MetadataCache.Table table = l2ForWrite(l1Index);
            int l2Index = (int) (cluster & (l2Entries() - 1));
            long old = table.getLong(l2Index);
            Type type = type(old);
            long now = header.version >= 3 && (backing != null || type != Type.UNALLOCATED) ? ZERO_FLAG : 0;
            if (old != now) {
                table.putLong(l2Index, now);
                release(old);
            }
        }
    }

    // ---- flush and the order of metadata writes ------------------------------------------------

    /** Before a dirty L2 table is evicted: the clusters it counts on are counted, and its data is on disk. */
    private void beforeL2Eviction() throws IOException {
        if (!lazyRefcounts) {
            refcounts.writeIncrements();
        }
        file.syncIfWritten();
    }

    @Override
    public synchronized void flush() throws IOException {
        if (readOnly || closed) {
            return;
        }
        flushMetadata();
    }

    /**
     * Writes metadata in the order that keeps every crash a leak at worst: counts up, data and
     * L2 tables, the L1 table, counts down; then frees the host space of released clusters.
     */
    void flushMetadata() throws IOException {
        if (broken) {
            return;
        }
        if (!lazyRefcounts) {
            refcounts.writeIncrements();
        }
        if (l2Cache.hasDirty()) {
            file.syncIfWritten(); // guest data before the tables that point at it
            l2Cache.writeDirty();
            file.sync();
        }
        if (!dirtyL1.isEmpty()) {
            writeL1Entries();
            file.sync();
        }
        if (refcounts.hasPending()) {
            long[] freed = refcounts.applyDecrements();
            for (long c : freed) {
                l2Cache.drop(c << clusterBits); // a freed L2 table must never be written back over what reuses it
                if (freeByte != 0 && freeByte >>> clusterBits == c) {
                    freeByte = 0; // the cluster compressed data was packed into is free now: never pack into it again
                }
            }
            if (!lazyRefcounts) {
                refcounts.writeIncrements(); // now the decrements: their tables no longer point here
            }
            punch(freed);
        }
        file.syncIfWritten();
        refcounts.releaseQuarantine();
    }

    /** Writes the changed L1 entries, one write per run of neighbours. */
    private void writeL1Entries() throws IOException {
        for (int i = dirtyL1.nextSetBit(0); i >= 0; ) {
            int end = dirtyL1.nextClearBit(i);
            ByteBuffer run = ByteBuffer.allocate((end - i) * 8);
            for (int k = i; k < end; k++) {
                run.putLong((k - i) * 8, l1[k]);
            }
            file.write(run, header.l1TableOffset + i * 8L);
            i = dirtyL1.nextSetBit(end);
        }
        dirtyL1.clear();
    }

    /** Gives the host back the space of freed clusters, in contiguous runs. */
    private void punch(long[] freed) {
        for (int i = 0; i < freed.length; ) {
            int j = i + 1;
            while (j < freed.length && freed[j] == freed[j - 1] + 1) {
                j++;
            }
            file.punchHole(freed[i] << clusterBits, (long) (j - i) << clusterBits);
            i = j;
        }
    }

    /** With lazy refcounts the dirty bit goes on before the first change, and off at a clean close. */
    private void markDirty() throws IOException {
        if (lazyRefcounts && !dirtyMarked) {
            header.incompatibleFeatures |= Qcow2Header.INCOMPAT_DIRTY;
            writeHeaderFields();
            dirtyMarked = true;
        }
    }

    private void markCorrupt() {
        if (readOnly) {
            return;
        }
        // Nothing more of this session's metadata goes to the file: it was built on counts that lie.
        broken = true;
        l2Cache.clear();
        refcounts.dropCache();
        dirtyL1.clear();
        if (header.version < 3) {
            return;
        }
        header.incompatibleFeatures |= Qcow2Header.INCOMPAT_CORRUPT;
        try {
            writeHeaderFields();
        } catch (IOException e) {
            // The write that failed is reported; marking is best effort.
        }
    }

    /** Rewrites the header's fixed fields (not its extensions) in one write, durably. */
    void writeHeaderFields() throws IOException {
        int length = header.version == 2 ? Qcow2Header.V2_LENGTH : header.headerLength;
        file.write(header.encode().limit(length), 0);
        file.sync();
    }

    /** Rewrites the header with its extensions and backing file name, durably. */
    void writeWholeHeader() throws IOException {
        ByteBuffer encoded = header.encode();
        file.write(encoded, 0);
        file.sync();
    }

    private void refcountTableMoved(long offset, int clusters) throws IOException {
        header.refcountTableOffset = offset;
        header.refcountTableClusters = clusters;
        writeHeaderFields();
    }

    // ---- size ----------------------------------------------------------------------------------

    @Override
    public synchronized long size() {
        return header.size;
    }

    /**
     * Changes the virtual size. Growing may move the L1 table to a larger one; shrinking frees
     * the clusters past the new end (QEMU asks for {@code --shrink} first; the caller does too).
     */
    public synchronized void resize(long newSize) throws IOException {
        checkWritable();
        if (newSize < 0 || newSize > (Long.MAX_VALUE & ~(clusterSize - 1))) {
            throw new IllegalArgumentException("invalid size " + newSize);
        }
        long needed = Qcow2Header.ceilDiv(Qcow2Header.ceilDiv(newSize, clusterSize), l2Entries());
        if (needed * 8 > Qcow2Header.MAX_L1_BYTES) {
            throw new IllegalArgumentException("a " + newSize + "-byte disk needs an L1 table over 32 MiB;"
                    + " use a larger cluster_size");
        }
        boolean shrink = newSize < header.size;
        if (shrink) {
            if (!snapshots.isEmpty()) {
                throw new IOException(path + ": can't shrink an image which has snapshots");
            }
            discardFrom(newSize);
        }
        flushMetadata();
        if (needed > l1.length) {
            growL1((int) needed);
        }
        header.size = newSize;
        writeHeaderFields();
        if (shrink) {
            flushMetadata();
        }
    }

    /** Unmaps every cluster at or past {@code newSize}: they are gone with the shrink. */
    private void discardFrom(long newSize) throws IOException {
        long firstCluster = Qcow2Header.ceilDiv(newSize, clusterSize);
        for (long c = firstCluster; c < Qcow2Header.ceilDiv(header.size, clusterSize); c++) {
            int l1Index = (int) (c >>> l2Bits);
            if (l2Offset(l1, l1Index) == 0) {
                c = ((long) (l1Index + 1) << l2Bits) - 1;
                continue;
            }
            MetadataCache.Table table = l2ForWrite(l1Index);
            int l2Index = (int) (c & (l2Entries() - 1));
            long old = table.getLong(l2Index);
            if (old != 0) {
                table.putLong(l2Index, 0);
                release(old);
            }
        }
        for (int i = (int) Qcow2Header.ceilDiv(firstCluster, l2Entries()); i < l1.length; i++) {
            long l2 = l2Offset(l1, i);
            if (l2 != 0) {
                l1[i] = 0;
                dirtyL1.set(i);
                refcounts.release(l2 >>> clusterBits);
            }
        }
        inflated = null;
    }

    /**
     * Moves the active L1 table to a larger one: copy, sync, point the header at it (durably),
     * free the old one. QEMU grows it the same way, and so does applying a larger snapshot.
     */
    void growL1(int entries) throws IOException {
        long bytes = (long) entries * 8;
        int clusters = (int) Qcow2Header.ceilDiv(bytes, clusterSize);
        long host = refcounts.allocate(clusters);
        checkOverlap(host, (long) clusters << clusterBits);
        long[] grown = java.util.Arrays.copyOf(l1, entries);
        refcounts.writeIncrements();
        ByteBuffer raw = ByteBuffer.allocate((int) bytes);
        for (int i = 0; i < grown.length; i++) {
            raw.putLong(i * 8, grown[i]);
        }
        file.write(raw, host);
        file.sync();
        long oldOffset = header.l1TableOffset;
        int oldEntries = l1.length;
        l1 = grown;
        dirtyL1.clear();
        header.l1TableOffset = host;
        header.l1Size = entries;
        writeHeaderFields();
        releaseTable(oldOffset, oldEntries);
    }

    /** Queues the release of a table of {@code entries} 8-byte entries at {@code offset} (an L1 table). */
    void releaseTable(long offset, int entries) {
        if (offset == 0 || entries == 0) {
            return;
        }
        long clusters = Qcow2Header.ceilDiv((long) entries * 8, clusterSize);
        for (long i = 0; i < clusters; i++) {
            refcounts.release((offset >>> clusterBits) + i);
        }
    }

    /**
     * Allocates every guest cluster of a new, empty image ({@code preallocation=metadata}), and
     * reserves ({@code falloc}) or writes ({@code full}) its host space.
     */
    synchronized void preallocate(String mode) throws IOException {
        if (mode.equals("off") || header.size == 0) {
            return;
        }
        long clusters = Qcow2Header.ceilDiv(header.size, clusterSize);
        long end = 0;
        for (long c = 0; c < clusters; c += l2Entries()) {
            MetadataCache.Table table = l2ForWrite((int) (c >>> l2Bits));
            int n = (int) Math.min(l2Entries(), clusters - c);
            long host = refcounts.allocate(n);
            for (int i = 0; i < n; i++) {
                table.putLong(i, (host + ((long) i << clusterBits)) | COPIED);
            }
            long bytes = (long) n << clusterBits;
            if (mode.equals("full")) {
                writeZeroBytesAt(host, bytes);
            } else if (mode.equals("falloc") && !file.allocate(host, bytes)) {
                writeZeroBytesAt(host, bytes);
            }
            end = Math.max(end, host + bytes);
        }
        if (file.size() < end) {
            file.truncate(end);
        }
        flushMetadata();
    }

    private void writeZeroBytesAt(long host, long bytes) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(bytes, 1 << 20));
        for (long done = 0; done < bytes; done += zeros.capacity()) {
            file.write(zeros.clear().limit((int) Math.min(zeros.capacity(), bytes - done)), host + done);
        }
    }

    // ---- the rest of BlockDevice ---------------------------------------------------------------

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public synchronized Extent status(long offset, long maxLength) throws IOException {
        checkOpen();
        BlockDevice.checkRange(offset, maxLength, size());
        Run run = map(offset, maxLength);
        return switch (run.type) {
            case NORMAL -> new Extent(run.length, Extent.Kind.DATA, run.host);
            case COMPRESSED -> new Extent(run.length, Extent.Kind.COMPRESSED, -1);
            case ZERO_PLAIN -> new Extent(run.length, Extent.Kind.ZERO, -1);
            case ZERO_ALLOC -> new Extent(run.length, Extent.Kind.ZERO, (run.entry & OFFSET_MASK) + (offset & (clusterSize - 1)));
            case UNALLOCATED -> new Extent(run.length, Extent.Kind.UNALLOCATED, -1);
        };
    }

    @Override
    public BlockDevice backing() {
        return backing;
    }

    @Override
    public synchronized ImageInfo info() throws IOException {
        Map<String, Object> specific = new LinkedHashMap<>();
        specific.put("compat", header.version >= 3 ? "1.1" : "0.10");
        specific.put("compression-type", Compression.name(header.compressionType));
        if (header.version >= 3) {
            specific.put("lazy-refcounts", (header.compatibleFeatures & Qcow2Header.COMPAT_LAZY_REFCOUNTS) != 0);
        }
        specific.put("refcount-bits", 1 << header.refcountOrder);
        if (header.version >= 3) {
            specific.put("corrupt", (header.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0);
            specific.put("extended-l2", false);
        }
        List<SnapshotInfo> list = new ArrayList<>();
        for (Snapshot s : snapshots) {
            list.add(s.info());
        }
        String full = header.backingFile == null ? null : resolveBacking(path, header.backingFile).toString();
        return new ImageInfo("qcow2", header.size, file.allocatedBytes(), clusterSize, header.backingFile, full,
                header.backingFormat, (header.incompatibleFeatures & Qcow2Header.INCOMPAT_DIRTY) != 0, list, specific);
    }

    /** The file this image lives in. */
    public Path path() {
        return path;
    }

    public long clusterSize() {
        return clusterSize;
    }

    /** The backing file as the header names it, or {@code null}. */
    public String backingFile() {
        return header.backingFile;
    }

    /**
     * Points the header at another backing file (or none), as {@code rebase -u} does: only the
     * header changes. A name too long for the first cluster is refused.
     */
    public synchronized void setBacking(String file, String format) throws IOException {
        checkWritable();
        String oldFile = header.backingFile;
        String oldFormat = header.backingFormat;
        header.backingFile = file;
        header.backingFormat = file == null ? null : format;
        if (header.backingNameTooLong() || !header.fits()) {
            header.backingFile = oldFile;
            header.backingFormat = oldFormat;
            throw new IllegalArgumentException("backing file name '" + file + "' does not fit in the image header");
        }
        flushMetadata();
        writeWholeHeader();
    }

    /**
     * Unmaps every guest cluster, so that the whole disk reads from the backing image again
     * ({@code qemu-img commit} empties the committed image this way).
     */
    public synchronized void makeEmpty() throws IOException {
        checkWritable();
        markDirty();
        for (int i = 0; i < l1.length; i++) {
            long l2 = l2Offset(l1, i);
            if (l2 == 0) {
                continue;
            }
            MetadataCache.Table table = l2Cache.get(l2);
            for (int j = 0; j < l2Entries(); j++) {
                release(table.getLong(j));
            }
            l1[i] = 0;
            dirtyL1.set(i);
            refcounts.release(l2 >>> clusterBits);
        }
        flushMetadata();
    }

    // ---- snapshots and check ---------------------------------------------------------------------

    /** Creates an internal snapshot of the disk as it is now ({@code qemu-img snapshot -c}). */
    public synchronized void createSnapshot(String name) throws IOException {
        checkWritable();
        Snapshots.create(this, name);
    }

    /** Reverts the disk to a snapshot, by name or id ({@code qemu-img snapshot -a}). */
    public synchronized void applySnapshot(String nameOrId) throws IOException {
        checkWritable();
        Snapshots.apply(this, nameOrId);
        inflated = null;
        freeByte = 0;
    }

    /** Deletes a snapshot, by name or id ({@code qemu-img snapshot -d}). */
    public synchronized void deleteSnapshot(String nameOrId) throws IOException {
        checkWritable();
        Snapshots.delete(this, nameOrId);
    }

    /** Checks the image's metadata and, with {@code repair}, fixes what it can ({@code qemu-img check}). */
    public synchronized Qcow2Check.Result check(Qcow2Check.Repair repair) throws IOException {
        checkOpen();
        Qcow2Check.Result result = Qcow2Check.run(this, repair);
        if (repair == Qcow2Check.Repair.ALL && result.corruptions() == 0
                && (header.incompatibleFeatures & Qcow2Header.INCOMPAT_CORRUPT) != 0) {
            header.incompatibleFeatures &= ~Qcow2Header.INCOMPAT_CORRUPT;
            writeHeaderFields();
        }
        return result;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException(path + " is closed");
        }
    }

    private void checkWritable() throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException(path + " is read-only");
        }
        if (broken) {
            throw new IOException(path + ": the image is corrupt and no longer written; repair it with 'jvirt img check -r all'");
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (!readOnly) {
                flushMetadata();
                if (lazyRefcounts && !broken) {
                    refcounts.writeIncrements(); // the counts kept in memory, then the dirty bit off
                    if (dirtyMarked) {
                        header.incompatibleFeatures &= ~Qcow2Header.INCOMPAT_DIRTY;
                        writeHeaderFields();
                    }
                }
            }
        } finally {
            closed = true;
            try {
                if (backing != null) {
                    backing.close();
                }
            } finally {
                file.close();
            }
        }
    }

    @Override
    public String toString() {
        return "qcow2:" + path;
    }
}
