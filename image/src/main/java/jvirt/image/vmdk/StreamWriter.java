package jvirt.image.vmdk;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import jvirt.image.InvalidImageException;
import jvirt.image.host.Buffers;
import jvirt.image.host.HostFile;

/**
 * Appends to a stream-optimized extent, the way {@code qemu-img convert} and VMware's exporters
 * write one: grains in ascending order, each deflated behind a grain marker, and at the end the
 * grain tables and directory (each behind its marker), a footer (a copy of the header that says
 * where the directory is) and the end-of-stream marker.
 *
 * <p>The grain being written stays in memory until a write moves past it. A write before it is
 * refused: a stream cannot go back. Each flush writes the pending grain and a complete end, so
 * the file is a valid image after every flush (between flushes, the end is being rewritten); the
 * next grain then overwrites that end. Grains that are all zeros are not stored.
 */
final class StreamWriter {
    static final int MARKER_EOS = 0;
    static final int MARKER_GT = 1;
    static final int MARKER_GD = 2;
    static final int MARKER_FOOTER = 3;

    /** Where a grain stored from a marker at a sector ends (rounded to a sector). */
    interface MarkerEnd {
        long end(long sector) throws IOException;
    }

    private final Path path;
    private final HostFile file;
    private final SparseExtentHeader header;
    private final GrainDirectory dir;
    private final long grainBytes;
    private final long capacityBytes;
    private final Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    /** Whether the header in sector 0 must be rewritten to send readers to the footer. */
    private boolean headerNeedsEnd;
    /** Where the next grain (or the end) goes. */
    private long appendAt;
    /** The first grain a new write may start; those before are written. */
    private long frontier;
    private long pending = -1;
    private final byte[] buffer;
    private boolean pendingChanged;
    /** Where the pending grain was stored by the last flush, or -1. */
    private long pendingAt = -1;
    private boolean endDirty;

    private StreamWriter(Path path, HostFile file, SparseExtentHeader header, GrainDirectory dir, long appendAt,
                         long frontier, boolean headerNeedsEnd) {
        this.path = path;
        this.file = file;
        this.header = header;
        this.dir = dir;
        this.grainBytes = header.grainBytes();
        this.capacityBytes = header.capacity * 512;
        this.buffer = new byte[(int) grainBytes];
        this.appendAt = appendAt;
        this.frontier = frontier;
        this.headerNeedsEnd = headerNeedsEnd;
    }

    /**
     * Takes over a stream-optimized extent for appending: its tables into memory, new grains after
     * the last stored one (over its old end, when the file has one there), writes allowed only
     * after the last grain written.
     */
    static StreamWriter open(Path path, HostFile file, SparseExtentHeader first, SparseExtentHeader h, GrainDirectory dir,
                             long fileSize, MarkerEnd markerEnd) throws IOException {
        dir.pinAll();
        long lastGrain = -1;
        long lastSector = -1;
        long tableStart = Long.MAX_VALUE;
        for (Map.Entry<Integer, GrainTable> e : dir.dirty.entrySet()) {
            int t = e.getKey();
            if (dir.gd[t] != 0) {
                tableStart = Math.min(tableStart, dir.gd[t] - 1); // its marker
            }
            int[] entries = e.getValue().entries;
            for (int i = 0; i < entries.length; i++) {
                long s = Integer.toUnsignedLong(entries[i]);
                if (s > 1 || (s == 1 && !h.zeroGrains())) {
                    lastGrain = Math.max(lastGrain, (long) t * dir.tableSize() + i);
                    lastSector = Math.max(lastSector, s);
                }
            }
        }
        long dataEnd = Math.max(h.overhead * 512, lastSector < 0 ? 0 : markerEnd.end(lastSector));
        boolean footerStyle = first.gdOffset == SparseExtentHeader.GD_AT_END;
        long appendAt;
        if (footerStyle) {
            long end = Math.min(tableStart, Math.min(h.gdOffset - 1, fileSize / 512 - 3)) * 512;
            appendAt = end >= dataEnd ? end : (fileSize + 511) / 512 * 512;
        } else {
            appendAt = Math.max(dataEnd, (fileSize + 511) / 512 * 512);
        }
        if (appendAt < h.overhead * 512) {
            throw new InvalidImageException(path, "stream-optimized VMDK ends inside its own header area");
        }
        return new StreamWriter(path, file, h.withGdOffset(h.gdOffset, h.flags & ~SparseExtentHeader.FLAG_RGD, 0), dir,
                appendAt, lastGrain + 1, !footerStyle);
    }

    /** Whether grain {@code g} is the one held in memory. */
    boolean holds(long g) {
        return g == pending;
    }

    byte[] pendingData() {
        return buffer;
    }

    void write(long pos, long length, List<MemorySegment> parts, long partsOffset) throws IOException {
        for (long done = 0; done < length; ) {
            long p = pos + done;
            long g = p / grainBytes;
            int within = (int) (p % grainBytes);
            int n = (int) Math.min(length - done, grainBytes - within);
            select(g, p);
            ByteBuffer dst = ByteBuffer.wrap(buffer, within, n);
            for (ByteBuffer src : Buffers.slice(parts, partsOffset + done, n)) {
                dst.put(src);
            }
            pendingChanged = true;
            done += n;
        }
    }

    void writeZeroes(long pos, long length) throws IOException {
        for (long done = 0; done < length; ) {
            long p = pos + done;
            long g = p / grainBytes;
            int within = (int) (p % grainBytes);
            int n = (int) Math.min(length - done, grainBytes - within);
            select(g, p);
            Arrays.fill(buffer, within, within + n, (byte) 0);
            pendingChanged = true;
            done += n;
        }
    }

    /** Makes grain {@code g} the pending one, storing the one before; refuses going back. */
    private void select(long g, long byteOffset) throws IOException {
        if (g == pending) {
            return;
        }
        if (g < frontier || g < pending) {
            long writtenTo = Math.max(frontier, pending + 1) * grainBytes;
            throw new IOException(path + ": a streamOptimized VMDK is written in ascending order only (as qemu-img convert"
                    + " writes it): this write at byte " + byteOffset + " comes after bytes up to " + writtenTo
                    + " were written");
        }
        if (pending >= 0) {
            if (pendingChanged || pendingAt < 0) {
                store();
            }
            frontier = pending + 1;
        }
        pending = g;
        pendingAt = -1;
        Arrays.fill(buffer, (byte) 0);
        pendingChanged = false;
    }

    /** Writes the pending grain at the end of the grains (again over its last copy, when a flush stored it). */
    private void store() throws IOException {
        long at = pendingAt >= 0 ? pendingAt : appendAt;
        int limit = (int) Math.min(grainBytes, capacityBytes - pending * grainBytes);
        boolean zero = true;
        for (int i = 0; i < limit && zero; i++) {
            zero = buffer[i] == 0;
        }
        if (zero) {
            if (pendingAt >= 0) {
                dir.set(pending, 0);
                appendAt = pendingAt;
                endDirty = true;
            }
            return;
        }
        byte[] out = new byte[limit + limit / 100 + 64];
        deflater.reset();
        deflater.setInput(buffer, 0, limit);
        deflater.finish();
        int n = 0;
        while (!deflater.finished()) {
            if (n == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            n += deflater.deflate(out, n, out.length - n);
        }
        int total = (12 + n + 511) / 512 * 512;
        ByteBuffer grain = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        grain.putLong(pending * header.grainSectors).putInt(n).put(out, 0, n);
        file.write(grain.clear(), at);
        int t = (int) (pending / dir.tableSize());
        if (dir.table(t) == null) {
            dir.addTable(t, 0, 0);
        }
        dir.set(pending, (int) (at / 512));
        appendAt = at + total;
        endDirty = true;
    }

    /** Stores the pending grain (keeping it pending) and writes a complete end: tables, directory, footer, end of stream. */
    void flush() throws IOException {
        if (pending >= 0 && pendingChanged) {
            long at = pendingAt >= 0 ? pendingAt : appendAt;
            store();
            pendingAt = dir.entry(pending) == 0 ? -1 : at;
            pendingChanged = false;
        }
        if (!endDirty) {
            return; // nothing stored since the last end was written (an image only opened leaves its file alone)
        }
        long at = appendAt;
        int tableSectors = (dir.tableSize() * 4 + 511) / 512;
        for (Map.Entry<Integer, GrainTable> e : dir.dirty.entrySet()) {
            if (e.getValue().empty()) {
                dir.gd[e.getKey()] = 0;
                continue;
            }
            file.write(marker(tableSectors, MARKER_GT), at);
            file.write(e.getValue().toBytes(), at + 512);
            dir.gd[e.getKey()] = at / 512 + 1;
            at += 512 + tableSectors * 512L;
        }
        ByteBuffer gd = dir.toBytes();
        file.write(marker(gd.capacity() / 512, MARKER_GD), at);
        long gdSector = at / 512 + 1;
        file.write(gd, at + 512);
        at += 512 + gd.capacity();
        at = writeFooter(file, header.withGdOffset(gdSector, header.flags, 0), at);
        if (file.size() > at) {
            file.truncate(at);
        }
        file.sync();
        if (headerNeedsEnd) {
            // Only now that a footer exists may the header send readers to it.
            SparseExtentHeader first = header.withGdOffset(SparseExtentHeader.GD_AT_END, header.flags, 0);
            file.write(ByteBuffer.wrap(first.toBytes()), 0);
            file.sync();
            headerNeedsEnd = false;
        }
        endDirty = false;
    }

    /** The end of an extent with no grains yet: an empty directory, the footer, the end-of-stream marker. */
    static void writeEmptyEnd(HostFile f, SparseExtentHeader h, long at) throws IOException {
        int gdBytes = (int) ((h.gdEntries() * 4 + 511) / 512 * 512);
        f.write(marker(gdBytes / 512, MARKER_GD), at);
        f.write(ByteBuffer.allocate(gdBytes), at + 512);
        long gdSector = at / 512 + 1;
        writeFooter(f, h.withGdOffset(gdSector, h.flags, 0), at + 512 + gdBytes);
    }

    private static long writeFooter(HostFile f, SparseExtentHeader footer, long at) throws IOException {
        f.write(marker(1, MARKER_FOOTER), at);
        f.write(ByteBuffer.wrap(footer.toBytes()), at + 512);
        f.write(marker(0, MARKER_EOS), at + 1024);
        return at + 1536;
    }

    private static ByteBuffer marker(long sectors, int type) {
        ByteBuffer m = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        m.putLong(0, sectors).putInt(8, 0).putInt(12, type);
        return m;
    }

    void close() {
        deflater.end();
    }
}
