package jvirt.image.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jvirt.image.host.HostFile;

/**
 * A bounded, least-recently-used cache of one kind of cluster-sized metadata table (L2 tables or
 * refcount blocks), each kept as the bytes of its cluster. Changes stay in memory, marked dirty,
 * until the image writes them in the order crash safety needs; a dirty table that must be evicted
 * first runs {@link Eviction#beforeWrite}, which makes what it depends on durable.
 */
final class MetadataCache {
    /** One cached table: the cluster's bytes, big-endian. */
    static final class Table {
        final long offset;
        final ByteBuffer data;
        boolean dirty;

        Table(long offset, ByteBuffer data) {
            this.offset = offset;
            this.data = data;
        }

        long getLong(int index) {
            return data.getLong(index << 3);
        }

        void putLong(int index, long value) {
            data.putLong(index << 3, value);
            dirty = true;
        }
    }

    /** Ordering hook: runs before a dirty table leaves the cache for the file. */
    interface Eviction {
        void beforeWrite() throws IOException;
    }

    private final HostFile file;
    private final int tableSize;
    private final int capacity;
    private final Eviction eviction;
    private final LinkedHashMap<Long, Table> tables;

    MetadataCache(HostFile file, int tableSize, int capacity, Eviction eviction) {
        this.file = file;
        this.tableSize = tableSize;
        this.capacity = Math.max(capacity, 2);
        this.eviction = eviction;
        this.tables = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** The table at {@code offset}, read from the file unless cached. */
    Table get(long offset) throws IOException {
        Table t = tables.get(offset);
        if (t == null) {
            ByteBuffer data = ByteBuffer.allocate(tableSize);
            file.read(data, offset);
            t = insert(offset, data.clear());
        }
        return t;
    }

    /** A new table at {@code offset} with {@code contents} (zeros when null), dirty: never read from the file. */
    Table create(long offset, ByteBuffer contents) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(tableSize);
        if (contents != null) {
            data.put(contents.duplicate().clear()).clear();
        }
        tables.remove(offset);
        Table t = insert(offset, data);
        t.dirty = true;
        return t;
    }

    private Table insert(long offset, ByteBuffer data) throws IOException {
        while (tables.size() >= capacity) {
            Iterator<Map.Entry<Long, Table>> eldest = tables.entrySet().iterator();
            Table victim = eldest.next().getValue();
            if (victim.dirty) {
                eviction.beforeWrite();
                write(victim);
            }
            tables.remove(victim.offset);
        }
        Table t = new Table(offset, data);
        tables.put(offset, t);
        return t;
    }

    private void write(Table t) throws IOException {
        file.write(t.data.duplicate().clear(), t.offset);
        t.dirty = false;
    }

    boolean hasDirty() {
        for (Table t : tables.values()) {
            if (t.dirty) {
                return true;
            }
        }
        return false;
    }

    /** Writes every dirty table (no sync); whether there were any. */
    boolean writeDirty() throws IOException {
        List<Table> dirty = new ArrayList<>();
        for (Table t : tables.values()) {
            if (t.dirty) {
                dirty.add(t);
            }
        }
        dirty.sort((a, b) -> Long.compare(a.offset, b.offset));
        for (Table t : dirty) {
            write(t);
        }
        return !dirty.isEmpty();
    }

    /** Forgets the table at {@code offset} without writing it: its cluster was freed. */
    void drop(long offset) {
        tables.remove(offset);
    }

    /** Forgets every table, dirty or not. */
    void clear() {
        tables.clear();
    }
}
