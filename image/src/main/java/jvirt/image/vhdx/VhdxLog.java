package jvirt.image.vhdx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jvirt.image.InvalidImageException;
import jvirt.image.host.HostFile;

/**
 * The VHDX metadata log: a circular buffer of 4 KiB sectors holding entries (header,
 * descriptors, data sectors, a CRC-32C over it all) that record writes to the file's metadata.
 * A log whose GUID matches the current header's and that holds a valid sequence of entries must
 * be replayed before the image is read: the writes of the sequence with the highest sequence
 * number, in order.
 */
final class VhdxLog {
    static final int SECTOR = 4096;
    /** Logs longer than this are refused when they need replaying (1 MiB is what Hyper-V and QEMU make). */
    static final long MAX_LENGTH = 64L << 20;
    private static final int ENTRY = 0x65676f6c; // "loge"
    private static final int ZERO_DESC = 0x6f72657a; // "zero"
    private static final int DATA_DESC = 0x63736564; // "desc"
    private static final int DATA_SECTOR = 0x61746164; // "data"
    /** Replayed writes must stay clear of the headers (updated by their own scheme)… */
    private static final long FIRST_TARGET = VhdxRegionTable.FIRST;
    /** …and inside the file, which a replay may grow by at most this much (a few blocks are what a log records). */
    private static final long MAX_GROWTH = 1L << 30;

    /** One write of the log: a 4 KiB sector of {@code data}, or {@code zeroLength} bytes of zeros. */
    record Write(long offset, byte[] data, long zeroLength) {
        long length() {
            return data != null ? data.length : zeroLength;
        }
    }

    /** What replaying means: the writes in order, and the size the file had to grow to. */
    record Replay(List<Write> writes, long lastFileOffset) {
        static final Replay NONE = new Replay(List.of(), 0);

        boolean empty() {
            return writes.isEmpty() && lastFileOffset == 0;
        }
    }

    private record Entry(int start, int sectors, long sequence, long flushedFileOffset, long lastFileOffset, List<Write> writes) {
    }

    private VhdxLog() {
    }

    /** Checks where the header puts the log (always: the regions must stay clear of it). */
    static void checkPlace(Path path, VhdxHeader h, long fileSize) throws InvalidImageException {
        if (h.logVersion != 0) {
            throw new InvalidImageException(path, "VHDX log version " + h.logVersion + " is not supported");
        }
        if (h.logLength == 0) {
            return;
        }
        long mib = VhdxRegionTable.MIB;
        if (h.logOffset < mib || h.logOffset % mib != 0 || h.logLength % mib != 0 || h.logOffset > fileSize
                || h.logLength > fileSize - h.logOffset) {
            throw new InvalidImageException(path, "VHDX log (" + h.logLength + " bytes at " + Long.toUnsignedString(h.logOffset)
                    + ") is misaligned or outside the file (" + fileSize + " bytes)");
        }
    }

    /** The active sequence's writes; none when the log is empty (a zero GUID, or no valid entry with the header's GUID). */
    static Replay read(Path path, HostFile file, VhdxHeader h, long fileSize) throws IOException {
        if (h.logGuid.equals(Guid.ZERO) || h.logLength == 0) {
            return Replay.NONE;
        }
        if (h.logLength > MAX_LENGTH) {
            throw new InvalidImageException(path, "VHDX log of " + h.logLength + " bytes needs replaying and is larger than supported");
        }
        byte[] log = new byte[(int) h.logLength];
        file.read(ByteBuffer.wrap(log), h.logOffset);
        int sectors = log.length / SECTOR;
        Search search = new Search(path, log, h.logGuid);
        List<Entry> best = null;
        for (int start = 0; start < sectors; start++) {
            Entry e = search.entry(start);
            if (e == null) {
                continue;
            }
            List<Entry> run = new ArrayList<>(List.of(e));
            int used = e.sectors();
            int at = (start + e.sectors()) % sectors;
            while (used < sectors) {
                Entry n = search.entry(at);
                if (n == null || n.sequence() != run.getLast().sequence() + 1 || used + n.sectors() > sectors) {
                    break;
                }
                run.add(n);
                used += n.sectors();
                at = (at + n.sectors()) % sectors;
            }
            if (best == null || run.getLast().sequence() > best.getLast().sequence()) {
                best = run;
            }
        }
        if (best == null) {
            return Replay.NONE;
        }
        Entry head = best.getLast();
        if (head.flushedFileOffset() > fileSize) {
            throw new InvalidImageException(path, "VHDX log says the file was " + head.flushedFileOffset() + " bytes; it is "
                    + fileSize + " (truncated?)");
        }
        if (head.lastFileOffset() < 0 || head.lastFileOffset() > fileSize + MAX_GROWTH) {
            throw new InvalidImageException(path, "VHDX log says the file ends at " + Long.toUnsignedString(head.lastFileOffset())
                    + ", far past its " + fileSize + " bytes");
        }
        long fileEnd = Math.max(fileSize, head.lastFileOffset());
        List<Write> writes = new ArrayList<>();
        for (Entry e : best) {
            for (Write w : e.writes()) {
                long end = w.offset() + w.length();
                if (w.offset() < FIRST_TARGET || w.length() < 0 || w.length() > fileEnd || end > fileEnd
                        || (w.offset() < h.logOffset + h.logLength && end > h.logOffset)) {
                    throw new InvalidImageException(path, "VHDX log writes " + Long.toUnsignedString(w.length()) + " bytes at "
                            + Long.toUnsignedString(w.offset()) + ": in the headers, the log itself or past the file's end");
                }
                writes.add(w);
            }
        }
        return new Replay(writes, head.lastFileOffset());
    }

    /**
     * Entries found so far, each sector tried once; the bytes checksummed are bounded, so a log
     * crafted with overlapping entries cannot keep the search busy for long.
     */
    private static final class Search {
        private final Path path;
        private final byte[] log;
        private final Guid guid;
        private final Entry[] found;
        private final boolean[] tried;
        private long budget;

        Search(Path path, byte[] log, Guid guid) {
            this.path = path;
            this.log = log;
            this.guid = guid;
            this.found = new Entry[log.length / SECTOR];
            this.tried = new boolean[found.length];
            this.budget = 8L * log.length + (16L << 20);
        }

        Entry entry(int start) throws InvalidImageException {
            if (!tried[start]) {
                tried[start] = true;
                long[] cost = {0};
                found[start] = VhdxLog.entry(log, start, guid, cost);
                budget -= cost[0];
                if (budget < 0) {
                    throw new InvalidImageException(path, "VHDX log holds too many overlapping entries to search");
                }
            }
            return found[start];
        }
    }

    /** The entry starting at sector {@code start}, or null where there is no valid one; {@code cost[0]} gets the bytes checksummed. */
    private static Entry entry(byte[] log, int start, Guid logGuid, long[] cost) {
        int sectors = log.length / SECTOR;
        ByteBuffer first = ByteBuffer.wrap(log, start * SECTOR, SECTOR).slice().order(ByteOrder.LITTLE_ENDIAN);
        if (first.getInt(0) != ENTRY) {
            return null;
        }
        long length = Integer.toUnsignedLong(first.getInt(8));
        long sequence = first.getLong(16);
        long count = Integer.toUnsignedLong(first.getInt(24));
        if (length == 0 || length % SECTOR != 0 || length > log.length || sequence == 0
                || !Guid.read(first, 32).equals(logGuid) || 64 + count * 32 > length) {
            return null;
        }
        int n = (int) (length / SECTOR);
        byte[] raw = new byte[(int) length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(log, ((start + i) % sectors) * SECTOR, raw, i * SECTOR, SECTOR);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        cost[0] = raw.length;
        if (b.getInt(4) != VhdxHeader.crc(raw, 4)) {
            return null;
        }
        int descSectors = (int) ((64 + count * 32 + SECTOR - 1) / SECTOR);
        int data = descSectors;
        List<Write> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = 64 + 32 * i;
            int sig = b.getInt(at);
            long offset = b.getLong(at + 16);
            if (b.getLong(at + 24) != sequence || offset % SECTOR != 0) {
                return null;
            }
            if (sig == ZERO_DESC) {
                long zeros = b.getLong(at + 8);
                if (zeros % SECTOR != 0 || zeros < 0) {
                    return null;
                }
                writes.add(new Write(offset, null, zeros));
            } else if (sig == DATA_DESC) {
                if (data >= n) {
                    return null;
                }
                int d = data * SECTOR;
                long seq = (Integer.toUnsignedLong(b.getInt(d + 4)) << 32) | Integer.toUnsignedLong(b.getInt(d + 4092));
                if (b.getInt(d) != DATA_SECTOR || seq != sequence) {
                    return null;
                }
                byte[] sector = new byte[SECTOR];
                b.get(at + 8, sector, 0, 8); // leading bytes, kept in the descriptor
                System.arraycopy(raw, d + 8, sector, 8, 4084);
                b.get(at + 4, sector, 4092, 4); // trailing bytes
                writes.add(new Write(offset, sector, 0));
                data++;
            } else {
                return null;
            }
        }
        return new Entry(start, n, sequence, first.getLong(48), first.getLong(56), writes);
    }

    /** Puts the replayed bytes over a read of {@code [position, …)} of the file, as if the log had been applied. */
    static void patch(List<Write> writes, long position, ByteBuffer[] buffers) {
        long length = 0;
        for (ByteBuffer b : buffers) {
            length += b.remaining();
        }
        long end = position + length;
        for (Write w : writes) {
            long from = Math.max(position, w.offset());
            long to = Math.min(end, w.offset() + w.length());
            if (from >= to) {
                continue;
            }
            long at = position;
            for (ByteBuffer b : buffers) {
                long bEnd = at + b.remaining();
                long s = Math.max(from, at);
                long e = Math.min(to, bEnd);
                if (s < e) {
                    int index = b.position() + (int) (s - at);
                    int n = (int) (e - s);
                    if (w.data() == null) {
                        java.lang.foreign.MemorySegment.ofBuffer(b.slice(index, n)).fill((byte) 0);
                    } else {
                        b.put(index, w.data(), (int) (s - w.offset()), n);
                    }
                }
                at = bEnd;
            }
        }
    }

    /**
     * Writes a log entry of {@code writes} (4 KiB-aligned sectors of data) at the start of the log,
     * for tests and tools that need a log to replay.
     */
    static byte[] entry(Guid logGuid, long sequence, long fileSize, List<Write> writes) {
        int count = writes.size();
        int descSectors = (64 + count * 32 + SECTOR - 1) / SECTOR;
        int dataSectors = (int) writes.stream().filter(w -> w.data() != null).count();
        byte[] raw = new byte[(descSectors + dataSectors) * SECTOR];
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, ENTRY).putInt(8, raw.length).putInt(12, 0).putLong(16, sequence).putInt(24, count)
                .put(32, logGuid.bytes()).putLong(48, fileSize).putLong(56, fileSize);
        int data = descSectors;
        for (int i = 0; i < count; i++) {
            Write w = writes.get(i);
            int at = 64 + 32 * i;
            b.putLong(at + 16, w.offset()).putLong(at + 24, sequence);
            if (w.data() == null) {
                b.putInt(at, ZERO_DESC).putLong(at + 8, w.zeroLength());
            } else {
                b.putInt(at, DATA_DESC);
                b.put(at + 4, w.data(), 4092, 4).put(at + 8, w.data(), 0, 8);
                int d = data * SECTOR;
                b.putInt(d, DATA_SECTOR).putInt(d + 4, (int) (sequence >>> 32)).putInt(d + 4092, (int) sequence);
                System.arraycopy(w.data(), 8, raw, d + 8, 4084);
                data++;
            }
        }
        b.putInt(4, VhdxHeader.crc(raw, 4));
        return raw;
    }
}
