package jvirt.image.vmdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import jvirt.image.InvalidImageException;
import jvirt.image.host.HostFile;

/**
 * A sparse extent's grain directory (and its redundant copy): for each grain table, the sector
 * where it lies, 0 where the table is absent (all its grains unallocated). Tables are read when
 * first needed and checked then; a bounded number stay cached. Tables changed since the last flush
 * stay in memory until it writes them.
 */
final class GrainDirectory {
    private static final int CACHE = 4096;

    private final Path path;
    private final HostFile file;
    private final SparseExtentHeader header;
    final long[] gd;
    final long[] rgd;
    private final int tableSize;
    private final long minGrainSector;
    private final Map<Integer, GrainTable> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, GrainTable> eldest) {
            return size() > CACHE;
        }
    };
    /** Tables changed in memory, in directory order: kept here (not in the cache) until written. */
    final TreeMap<Integer, GrainTable> dirty = new TreeMap<>();
    final BitSet dirtyDirectory = new BitSet();

    private GrainDirectory(Path path, HostFile file, SparseExtentHeader header, long[] gd, long[] rgd) {
        this.path = path;
        this.file = file;
        this.header = header;
        this.gd = gd;
        this.rgd = rgd;
        this.tableSize = header.gtesPerGt;
        this.minGrainSector = Math.max(1, header.overhead);
    }

    /** Reads the directories of a checked header, and checks that every table they name lies inside the file. */
    static GrainDirectory read(Path path, HostFile file, SparseExtentHeader header, long fileSize) throws IOException {
        int entries = (int) header.gdEntries();
        long[] gd = readDirectory(path, file, header.gdOffset, entries, header.gtesPerGt, fileSize);
        long[] rgd = header.redundant() ? readDirectory(path, file, header.rgdOffset, entries, header.gtesPerGt, fileSize) : null;
        return new GrainDirectory(path, file, header, gd, rgd);
    }

    private static long[] readDirectory(Path path, HostFile file, long sector, int entries, int tableSize, long fileSize)
            throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(entries * 4).order(ByteOrder.LITTLE_ENDIAN);
        file.read(raw, sector * 512);
        raw.flip();
        long[] out = new long[entries];
        for (int i = 0; i < entries; i++) {
            long at = Integer.toUnsignedLong(raw.getInt());
            if (at != 0 && (at * 512 + tableSize * 4L > fileSize)) {
                throw new InvalidImageException(path, "VMDK grain table " + i + " (sector " + at
                        + ") lies past the end of the file (" + fileSize + " bytes); truncated?");
            }
            out[i] = at;
        }
        return out;
    }

    /** A directory of absent tables for a stream being written (tables get their place when the stream ends). */
    static GrainDirectory empty(Path path, HostFile file, SparseExtentHeader header) {
        int entries = (int) header.gdEntries();
        return new GrainDirectory(path, file, header, new long[entries], null);
    }

    int tables() {
        return gd.length;
    }

    int tableSize() {
        return tableSize;
    }

    /** Table {@code t}, or null where the directory has none. */
    GrainTable table(int t) throws IOException {
        GrainTable table = dirty.get(t);
        if (table == null) {
            table = cache.get(t);
        }
        if (table != null || gd[t] == 0) {
            return table;
        }
        ByteBuffer raw = ByteBuffer.allocate(tableSize * 4);
        file.read(raw, gd[t] * 512);
        table = GrainTable.of(raw.flip(), tableSize);
        long fileSize = file.size();
        for (int i = 0; i < tableSize; i++) {
            long e = Integer.toUnsignedLong(table.entries[i]);
            if (e == 0 || (e == GrainTable.ZEROED && header.zeroGrains())) {
                continue;
            }
            if (e < minGrainSector || e * 512 >= fileSize) {
                throw new InvalidImageException(path, "VMDK grain " + ((long) t * tableSize + i) + " points to sector " + e
                        + ", " + (e < minGrainSector ? "inside the extent's metadata" : "past the end of the file")
                        + (e < minGrainSector ? "" : "; truncated?"));
            }
        }
        cache.put(t, table);
        return table;
    }

    /** Whether table {@code t} is absent: every grain it would cover is unallocated. */
    boolean absent(int t) {
        return gd[t] == 0 && !dirty.containsKey(t);
    }

    /** The entry for grain {@code grain} (0 where its table is absent). */
    int entry(long grain) throws IOException {
        GrainTable t = table((int) (grain / tableSize));
        return t == null ? 0 : t.entries[(int) (grain % tableSize)];
    }

    /** Sets a grain's entry; its table must exist (see {@link #addTable}). The table waits in memory for the flush. */
    void set(long grain, int value) throws IOException {
        int t = (int) (grain / tableSize);
        GrainTable table = table(t);
        if (table == null) {
            throw new IllegalStateException("grain table " + t + " is absent");
        }
        table.entries[(int) (grain % tableSize)] = value;
        cache.remove(t);
        dirty.put(t, table);
    }

    /** A new table of unallocated grains for directory entry {@code t}, placed at {@code sector} (and {@code rsector} for the copy). */
    void addTable(int t, long sector, long rsector) {
        GrainTable table = new GrainTable(tableSize);
        gd[t] = sector;
        if (rgd != null) {
            rgd[t] = rsector;
        }
        dirty.put(t, table);
        dirtyDirectory.set(t);
    }

    /** Writes the changed tables where the directories say they are (both copies). */
    void writeTables() throws IOException {
        for (Map.Entry<Integer, GrainTable> e : dirty.entrySet()) {
            int t = e.getKey();
            file.write(e.getValue().toBytes(), gd[t] * 512);
            if (rgd != null && rgd[t] != 0) {
                file.write(e.getValue().toBytes(), rgd[t] * 512);
            }
        }
        cache.putAll(dirty);
        dirty.clear();
    }

    /** Writes the changed directory entries (both copies). */
    void writeDirectories() throws IOException {
        if (dirtyDirectory.isEmpty()) {
            return;
        }
        int from = dirtyDirectory.nextSetBit(0);
        int to = dirtyDirectory.length();
        writeRange(gd, header.gdOffset, from, to);
        if (rgd != null) {
            writeRange(rgd, header.rgdOffset, from, to);
        }
        dirtyDirectory.clear();
    }

    private void writeRange(long[] dir, long sector, int from, int to) throws IOException {
        ByteBuffer out = ByteBuffer.allocate((to - from) * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
            out.putInt((int) dir[i]);
        }
        file.write(out.flip(), sector * 512 + from * 4L);
    }

    /** Reads every table into memory and keeps it there: a stream being written rewrites them all at its end. */
    void pinAll() throws IOException {
        for (int t = 0; t < gd.length; t++) {
            GrainTable table = table(t);
            if (table != null) {
                cache.remove(t);
                dirty.put(t, table);
            }
        }
    }

    /** The whole directory as a stream's end stores it, padded to whole sectors. */
    ByteBuffer toBytes() {
        int bytes = (gd.length * 4 + 511) / 512 * 512;
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (long e : gd) {
            b.putInt((int) e);
        }
        return b.clear();
    }
}
