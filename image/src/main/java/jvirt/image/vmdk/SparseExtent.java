package jvirt.image.vmdk;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import jvirt.image.Extent;
import jvirt.image.InvalidImageException;
import jvirt.image.host.Buffers;
import jvirt.image.host.HostFile;

/**
 * A hosted sparse extent ({@code KDMV}): the extent in grains (64 KiB as VMware and QEMU make
 * them), found through the grain directory and grain tables, allocated at the end of the file as
 * they are first written. The table entries of new grains reach the file at {@link #flush}, after
 * the grains. A stream-optimized extent holds deflated grains behind markers; opened for writing
 * it is appended to by a {@link StreamWriter}.
 */
final class SparseExtent implements VmdkExtent {
    /** Tables changed in memory that make a write flush the extent (bounding what waits in memory). */
    private static final int MAX_DIRTY_TABLES = 1024;
    private static final int MARKER_HEADER = 12;

    private final Path path;
    private final HostFile file;
    private final String type;
    private final SparseExtentHeader header;
    private final long sectors;
    private final GrainDirectory dir;
    private final long grainBytes;
    private final boolean readOnly;
    private long nextSector;
    private StreamWriter stream;
    private final Inflater inflater = new Inflater();
    private long cachedGrain = -1;
    private byte[] cachedData;

    private SparseExtent(Path path, HostFile file, String type, SparseExtentHeader header, long sectors, GrainDirectory dir,
                         boolean readOnly) throws IOException {
        this.path = path;
        this.file = file;
        this.type = type;
        this.header = header;
        this.sectors = sectors;
        this.dir = dir;
        this.grainBytes = header.grainBytes();
        this.readOnly = readOnly;
        long fileSectors = (file.size() + 511) / 512;
        this.nextSector = (fileSectors + header.grainSectors - 1) / header.grainSectors * header.grainSectors;
    }

    /**
     * Opens the sparse extent in {@code file} ({@code sectors} of it, or all its capacity when -1).
     * A stream-optimized extent's header may defer to the footer at the end of the file.
     */
    static SparseExtent open(Path path, HostFile file, String type, long sectors, boolean readOnly) throws IOException {
        long fileSize = file.size();
        if (fileSize < SparseExtentHeader.SIZE) {
            throw new InvalidImageException(path, "too short for a VMDK sparse extent header (" + fileSize + " bytes)");
        }
        byte[] raw = new byte[SparseExtentHeader.SIZE];
        file.read(ByteBuffer.wrap(raw), 0);
        if (SparseExtentHeader.magic(raw) != SparseExtentHeader.MAGIC) {
            throw new InvalidImageException(path, "not a VMDK sparse extent (no KDMV magic)");
        }
        SparseExtentHeader first = SparseExtentHeader.parse(raw);
        SparseExtentHeader h = first;
        if (first.gdOffset == SparseExtentHeader.GD_AT_END) {
            h = readFooter(path, file, fileSize);
        }
        h.check(path, fileSize);
        if (!h.compressed() && first.gdOffset == SparseExtentHeader.GD_AT_END && !readOnly) {
            throw new IOException(path + ": VMDK sparse extents with their grain directory in a footer can only be written"
                    + " when stream-optimized; open it read-only");
        }
        if (h.version == 3 && !h.compressed() && !readOnly) {
            throw new IOException(path + ": VMDK version 3 extents (changed block tracking) can only be opened read-only");
        }
        long extentSectors = sectors < 0 ? h.capacity : sectors;
        if (extentSectors > h.capacity) {
            throw new InvalidImageException(path, "VMDK extent line says " + extentSectors + " sectors but the extent holds "
                    + h.capacity);
        }
        SparseExtent e = new SparseExtent(path, file, type, h, extentSectors, GrainDirectory.read(path, file, h, fileSize),
                readOnly);
        if (h.compressed() && !readOnly) {
            e.stream = StreamWriter.open(path, file, first, h, e.dir, fileSize, e::markerEnd);
        }
        return e;
    }

    /** The header in a stream's footer: footer marker, header copy, end-of-stream marker, in the last three sectors. */
    private static SparseExtentHeader readFooter(Path path, HostFile file, long fileSize) throws IOException {
        if (fileSize < 4 * 512) {
            throw new InvalidImageException(path, "stream-optimized VMDK has no footer (truncated, or never finished)");
        }
        ByteBuffer f = ByteBuffer.allocate(3 * 512).order(ByteOrder.LITTLE_ENDIAN);
        file.read(f, fileSize / 512 * 512 - 3 * 512);
        byte[] b = f.array();
        ByteBuffer m = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        boolean ok = m.getInt(8) == 0 && m.getInt(12) == StreamWriter.MARKER_FOOTER
                && m.getInt(512) == SparseExtentHeader.MAGIC
                && m.getLong(1024) == 0 && m.getInt(1032) == 0 && m.getInt(1036) == StreamWriter.MARKER_EOS;
        if (!ok) {
            throw new InvalidImageException(path, "stream-optimized VMDK has no valid footer (truncated, or never finished)");
        }
        byte[] header = java.util.Arrays.copyOfRange(b, 512, 1024);
        SparseExtentHeader h = SparseExtentHeader.parse(header);
        if (h.gdOffset == SparseExtentHeader.GD_AT_END) {
            throw new InvalidImageException(path, "stream-optimized VMDK footer does not say where its grain directory is");
        }
        return h;
    }

    /**
     * Writes a new empty sparse extent of {@code capacity} sectors: 64 KiB grains, and (as VMware
     * and QEMU lay it out) the embedded descriptor area, the redundant directory and tables, the
     * directory and tables, then the grains. A stream-optimized extent instead gets its header
     * (directory at the end), the descriptor, and an empty stream end.
     */
    static void create(HostFile f, long capacity, boolean stream, boolean zeroedGrain, String descriptor) throws IOException {
        long grain = 128;
        int gtes = 512;
        long grains = (capacity + grain - 1) / grain;
        long gtSectors = gtes * 4 / 512;
        long gtCount = (grains + gtes - 1) / gtes;
        long gdSectors = (gtCount * 4 + 511) / 512;
        long descOffset = 1;
        long descSize = 20;
        int flags = SparseExtentHeader.FLAG_NL_DETECT | (zeroedGrain ? SparseExtentHeader.FLAG_ZERO_GRAIN : 0);
        if (stream) {
            flags |= SparseExtentHeader.FLAG_COMPRESSED | SparseExtentHeader.FLAG_MARKERS;
            long overhead = 128;
            SparseExtentHeader h = new SparseExtentHeader(3, flags, capacity, grain, descOffset, descSize, gtes, 0,
                    SparseExtentHeader.GD_AT_END, overhead, SparseExtentHeader.COMPRESSION_DEFLATE);
            f.write(ByteBuffer.wrap(h.toBytes()), 0);
            writeDescriptor(f, descriptor, descSize);
            StreamWriter.writeEmptyEnd(f, h, overhead * 512);
        } else {
            flags |= SparseExtentHeader.FLAG_RGD;
            long rgd = descOffset + descSize;
            long gd = rgd + gdSectors + gtSectors * gtCount;
            long overhead = (gd + gdSectors + gtSectors * gtCount + grain - 1) / grain * grain;
            SparseExtentHeader h = new SparseExtentHeader(zeroedGrain ? 2 : 1, flags, capacity, grain, descOffset, descSize,
                    gtes, rgd, gd, overhead, 0);
            f.write(ByteBuffer.wrap(h.toBytes()), 0);
            writeDescriptor(f, descriptor, descSize);
            for (long at : new long[] {rgd, gd}) {
                ByteBuffer dirBytes = ByteBuffer.allocate((int) (gdSectors * 512)).order(ByteOrder.LITTLE_ENDIAN);
                for (long i = 0; i < gtCount; i++) {
                    dirBytes.putInt((int) (at + gdSectors + i * gtSectors));
                }
                f.write(dirBytes.clear(), at * 512);
            }
            f.truncate(overhead * 512);
        }
    }

    private static void writeDescriptor(HostFile f, String descriptor, long descSize) throws IOException {
        if (descriptor == null) {
            return;
        }
        byte[] text = descriptor.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        if (text.length > descSize * 512) {
            throw new IOException("VMDK descriptor of " + text.length + " bytes does not fit its " + descSize * 512);
        }
        f.write(ByteBuffer.wrap(text), 512);
    }

    SparseExtentHeader header() {
        return header;
    }

    HostFile file() {
        return file;
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long grainBytes() {
        return grainBytes;
    }

    @Override
    public boolean compressed() {
        return header.compressed();
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    private Extent.Kind kindOf(int entry) {
        if (entry == 0) {
            return Extent.Kind.UNALLOCATED;
        }
        if (entry == GrainTable.ZEROED && header.zeroGrains()) {
            return Extent.Kind.ZERO;
        }
        return header.compressed() ? Extent.Kind.COMPRESSED : Extent.Kind.DATA;
    }

    /** A run of one kind; {@code at} is the byte in the file where DATA starts, or the sector of a COMPRESSED grain's marker. */
    private record Run(long length, Extent.Kind kind, long at) {
    }

    private Run run(long pos, long max) throws IOException {
        long g = pos / grainBytes;
        long within = pos % grainBytes;
        long length = Math.min(max, grainBytes - within);
        if (stream != null && stream.holds(g)) {
            return new Run(length, Extent.Kind.COMPRESSED, -1);
        }
        int entry = dir.entry(g);
        Extent.Kind kind = kindOf(entry);
        long at = Integer.toUnsignedLong(entry) * 512 + within;
        if (kind == Extent.Kind.COMPRESSED) {
            return new Run(length, kind, Integer.toUnsignedLong(entry));
        }
        int tableSize = dir.tableSize();
        while (length < max) {
            long next = g + 1;
            if (stream != null && stream.holds(next)) {
                break;
            }
            if (kind == Extent.Kind.UNALLOCATED && dir.absent((int) (next / tableSize))) {
                long tableEnd = (next / tableSize + 1) * tableSize;
                length = Math.min(max, length + (tableEnd - next) * grainBytes);
                g = tableEnd - 1;
                continue;
            }
            int e = dir.entry(next);
            if (kindOf(e) != kind || (kind == Extent.Kind.DATA && Integer.toUnsignedLong(e) * 512 != at + length)) {
                break;
            }
            length = Math.min(max, length + grainBytes);
            g = next;
        }
        return new Run(length, kind, kind == Extent.Kind.DATA ? at : -1);
    }

    @Override
    public void read(long pos, long length, List<MemorySegment> parts, long partsOffset) throws IOException {
        for (long done = 0; done < length; ) {
            Run r = run(pos + done, length - done);
            ByteBuffer[] b = Buffers.slice(parts, partsOffset + done, r.length());
            switch (r.kind()) {
                case DATA -> Buffers.read(file, r.at(), b);
                case COMPRESSED -> {
                    long g = (pos + done) / grainBytes;
                    byte[] data = stream != null && stream.holds(g) ? stream.pendingData() : grain(g, r.at());
                    int from = (int) ((pos + done) % grainBytes);
                    for (ByteBuffer x : b) {
                        int n = x.remaining();
                        x.put(data, from, n);
                        from += n;
                    }
                }
                default -> Buffers.zero(b);
            }
            done += r.length();
        }
    }

    /** Grain {@code g}, inflated from behind its marker at {@code sector}; the last one read is kept. */
    private byte[] grain(long g, long sector) throws IOException {
        if (g == cachedGrain) {
            return cachedData;
        }
        long at = sector * 512;
        long fileSize = file.size();
        if (at + MARKER_HEADER > fileSize) {
            throw new InvalidImageException(path, "VMDK grain " + g + " points past the end of the file");
        }
        ByteBuffer m = ByteBuffer.allocate(MARKER_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        file.read(m, at);
        long lba = m.getLong(0);
        long size = Integer.toUnsignedLong(m.getInt(8));
        if (lba != g * header.grainSectors) {
            throw new InvalidImageException(path, "VMDK grain " + g + "'s marker says it holds sector " + lba + ", not "
                    + g * header.grainSectors);
        }
        if (size == 0 || size > 2 * grainBytes + 1024 || at + MARKER_HEADER + size > fileSize) {
            throw new InvalidImageException(path, "VMDK compressed grain " + g + " of " + size + " bytes is impossible here");
        }
        byte[] in = new byte[(int) size];
        file.read(ByteBuffer.wrap(in), at + MARKER_HEADER);
        byte[] out = new byte[(int) grainBytes];
        inflater.reset();
        inflater.setInput(in);
        try {
            int n = 0;
            while (n < out.length && !inflater.finished()) {
                int k = inflater.inflate(out, n, out.length - n);
                if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += k;
            }
            if (!inflater.finished()) {
                boolean more = n == out.length && inflater.inflate(new byte[1]) > 0;
                if (more) {
                    throw new InvalidImageException(path, "VMDK compressed grain " + g + " inflates past a grain");
                }
                if (!inflater.finished()) {
                    throw new InvalidImageException(path, "VMDK compressed grain " + g + " is truncated or corrupt");
                }
            }
        } catch (DataFormatException e) {
            throw new InvalidImageException(path, "VMDK compressed grain " + g + " is corrupt (" + e.getMessage() + ")");
        }
        cachedGrain = g;
        cachedData = out;
        return out;
    }

    /** Where the grain whose marker is at {@code sector} ends (for a stream appended to). */
    private long markerEnd(long sector) throws IOException {
        ByteBuffer m = ByteBuffer.allocate(MARKER_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        file.read(m, sector * 512);
        return (sector * 512 + MARKER_HEADER + Integer.toUnsignedLong(m.getInt(8)) + 511) / 512 * 512;
    }

    @Override
    public void write(long pos, long length, List<MemorySegment> parts, long partsOffset) throws IOException {
        checkWritable();
        if (stream != null) {
            stream.write(pos, length, parts, partsOffset);
            cachedGrain = -1; // a grain read back from the file may have been written again
            return;
        }
        long last = (pos + length - 1) / grainBytes;
        for (long g = pos / grainBytes; g <= last; g++) {
            Extent.Kind k = kindOf(dir.entry(g));
            if (k == Extent.Kind.UNALLOCATED || k == Extent.Kind.ZERO) {
                allocate(g);
            }
        }
        for (long done = 0; done < length; ) {
            Run r = run(pos + done, length - done);
            Buffers.write(file, r.at(), Buffers.slice(parts, partsOffset + done, r.length()));
            done += r.length();
        }
        if (dir.dirty.size() > MAX_DIRTY_TABLES) {
            flush();
        }
    }

    /** Places grain {@code g} at the end of the file (zeros until written), making its table first if it has none. */
    private void allocate(long g) throws IOException {
        int t = (int) (g / dir.tableSize());
        if (dir.table(t) == null) {
            long tableSectors = (dir.tableSize() * 4L + 511) / 512;
            long at = nextSector;
            long copy = dir.rgd != null ? at + tableSectors : 0;
            nextSector += tableSectors * (dir.rgd != null ? 2 : 1);
            nextSector = (nextSector + header.grainSectors - 1) / header.grainSectors * header.grainSectors;
            checkAddressable();
            file.truncate(Math.max(file.size(), nextSector * 512));
            dir.addTable(t, at, copy);
        }
        long sector = nextSector;
        nextSector += header.grainSectors;
        checkAddressable();
        if (nextSector * 512 > file.size()) {
            file.truncate(nextSector * 512);
        }
        dir.set(g, (int) sector);
    }

    private void checkAddressable() throws IOException {
        if (nextSector > 0xffffffffL) {
            throw new IOException(path + ": VMDK sparse extent cannot grow past 2 TiB (its grain offsets are 32-bit)");
        }
    }

    @Override
    public Extent status(long pos, long max) throws IOException {
        Run r = run(pos, max);
        return new Extent(r.length(), r.kind(), r.kind() == Extent.Kind.DATA ? r.at() : -1);
    }

    /**
     * Stored grains are zeroed by punching holes in the file; with the zeroed-grain feature whole
     * grains instead become zero entries (and their old space is punched out).
     */
    @Override
    public void writeZeroes(long pos, long length, boolean unmap) throws IOException {
        checkWritable();
        if (stream != null) {
            stream.writeZeroes(pos, length);
            return;
        }
        for (long done = 0; done < length; ) {
            long p = pos + done;
            Run r = run(p, length - done);
            long g = p / grainBytes;
            if (unmap && header.zeroGrains() && p % grainBytes == 0 && r.length() >= grainBytes && r.kind() == Extent.Kind.DATA) {
                long whole = r.length() / grainBytes;
                for (long i = 0; i < whole; i++) {
                    dir.set(g + i, GrainTable.ZEROED);
                }
                file.punchHole(r.at(), whole * grainBytes);
                done += whole * grainBytes;
                continue;
            }
            if (r.kind() == Extent.Kind.DATA) {
                Buffers.zeroHost(file, r.at(), r.length(), unmap);
            }
            done += r.length();
        }
    }

    @Override
    public void discard(long pos, long length) throws IOException {
        checkWritable();
        if (stream != null) {
            return; // a hint; a stream cannot take space back
        }
        for (long done = 0; done < length; ) {
            Run r = run(pos + done, length - done);
            if (r.kind() == Extent.Kind.DATA) {
                file.punchHole(r.at(), r.length());
            }
            done += r.length();
        }
    }

    /** Grains first; once they are stable, the tables that point to them; then the directory entries of new tables. */
    @Override
    public void flush() throws IOException {
        if (readOnly) {
            return;
        }
        if (stream != null) {
            stream.flush();
            return;
        }
        file.sync();
        if (!dir.dirty.isEmpty() || !dir.dirtyDirectory.isEmpty()) {
            boolean newTables = !dir.dirtyDirectory.isEmpty();
            dir.writeTables();
            if (newTables) {
                file.sync();
                dir.writeDirectories();
            }
            file.sync();
        }
    }

    private void checkWritable() throws IOException {
        if (readOnly) {
            throw new IOException(path + " is read-only");
        }
    }

    @Override
    public long allocatedBytes() {
        return file.allocatedBytes();
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        if (stream != null) {
            stream.close();
        }
        file.close();
    }
}
