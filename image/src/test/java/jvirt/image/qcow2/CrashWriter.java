package jvirt.image.qcow2;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;

/**
 * The child process of {@link Qcow2CrashTest}: opens an existing qcow2 image read-write and runs
 * a seeded random workload on it until it is killed.
 *
 * <p>Every operation is first appended to a journal (one {@link #RECORD}-byte record, written
 * straight to the kernel with one {@code write}, so that it survives a SIGKILL), then performed.
 * After each {@link BlockDevice#flush} returns, a {@link #FLUSH} record is appended and the journal
 * is fsynced. So every operation before the last FLUSH record completed before a flush that
 * returned: its effect must be on the disk; operations after it may or may not have happened,
 * in whole or in part.
 *
 * <p>Arguments: {@code image journal seed [flags]} where flags is a comma-separated list of
 * {@code compressed} (also write compressed clusters), {@code reopen} (sometimes close and reopen
 * the image), {@code sg} (sometimes use scatter-gather writes).
 */
public final class CrashWriter {
    /** Bytes of one journal record: type, offset, length, seed (four big-endian longs). */
    static final int RECORD = 32;
    /** The writer opened the image; seed is the writer's seed. */
    static final long OPEN = 0;
    /** A write of {@link #data}(seed, length) at offset. */
    static final long WRITE = 1;
    /** writeZeroes(offset, length, seed != 0). */
    static final long ZEROES = 2;
    /** discard(offset, length): what the range reads afterwards is unspecified. */
    static final long DISCARD = 3;
    /** A flush returned (or a close did): everything before this record is durable. */
    static final long FLUSH = 4;
    /** writeCompressed of {@link #compressible}(seed, length) at a cluster-aligned offset. */
    static final long COMPRESSED = 5;
    /** The image is about to be closed and reopened (a FLUSH record follows the close). */
    static final long REOPEN = 6;

    private final FileChannel journal;
    private final ByteBuffer record = ByteBuffer.allocate(RECORD);

    private CrashWriter(FileChannel journal) {
        this.journal = journal;
    }

    /** The bytes a WRITE record with {@code seed} writes: random, reproducible. */
    static byte[] data(long seed, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** The bytes a COMPRESSED record writes: a short random pattern repeated, so that deflate and zstd shrink it. */
    static byte[] compressible(long seed, int length) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] pattern = new byte[1 + r.nextInt(64)];
        r.nextBytes(pattern);
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = pattern[i % pattern.length];
        }
        return b;
    }

    private void log(long type, long offset, long length, long seed, boolean force) throws IOException {
        record.clear().putLong(type).putLong(offset).putLong(length).putLong(seed).flip();
        while (record.hasRemaining()) {
            journal.write(record);
        }
        if (force) {
            journal.force(false);
        }
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        Path journalPath = Path.of(args[1]);
        long seed = Long.parseLong(args[2]);
        String flags = args.length > 3 ? args[3] : "";
        boolean compressed = flags.contains("compressed");
        boolean reopen = flags.contains("reopen");
        boolean sg = flags.contains("sg");
        try (FileChannel journal = FileChannel.open(journalPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            new CrashWriter(journal).run(image, seed, compressed, reopen, sg);
        }
    }

    private void run(Path image, long seed, boolean compressed, boolean reopen, boolean sg) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        BlockDevice disk = ImageFormats.open(image, ImageFormats.QCOW2, OpenOptions.forWriting());
        long size = disk.size();
        long cluster = ((Qcow2Image) disk).clusterSize();
        long l2Span = cluster / 8 * cluster;
        log(OPEN, 0, 0, seed, true);
        System.out.println("READY");
        System.out.flush();
        // This writer's mix: each run leans a different way.
        int flushWeight = 5 + r.nextInt(20);
        int zeroWeight = 5 + r.nextInt(15);
        int discardWeight = 2 + r.nextInt(10);
        int compressedWeight = compressed ? 5 + r.nextInt(15) : 0;
        int writeWeight = 60;
        int total = flushWeight + zeroWeight + discardWeight + compressedWeight + writeWeight;
        long hot = Math.min(size, Math.max(cluster * 4, size / (1 + r.nextInt(16))));
        while (true) {
            int pick = r.nextInt(total);
            if (reopen && r.nextInt(200) == 0) {
                log(REOPEN, 0, 0, 0, false);
                disk.close();
                disk = ImageFormats.open(image, ImageFormats.QCOW2, OpenOptions.forWriting());
                log(FLUSH, 0, 0, 0, true);
                continue;
            }
            if ((pick -= flushWeight) < 0) {
                disk.flush();
                log(FLUSH, 0, 0, 0, true);
                continue;
            }
            if ((pick -= compressedWeight) < 0) {
                long offset = r.nextLong(Qcow2Header.ceilDiv(size, cluster)) * cluster;
                int length = (int) Math.min(cluster, size - offset);
                long s = r.nextLong();
                log(COMPRESSED, offset, length, s, false);
                ((Qcow2Image) disk).writeCompressed(offset, MemorySegment.ofArray(compressible(s, length)));
                continue;
            }
            long length = length(r, cluster);
            long offset = offset(r, size, cluster, l2Span, hot, length);
            length = Math.min(length, size - offset);
            if (length <= 0) {
                continue;
            }
            if ((pick -= zeroWeight) < 0) {
                boolean unmap = r.nextBoolean();
                log(ZEROES, offset, length, unmap ? 1 : 0, false);
                disk.writeZeroes(offset, length, unmap);
            } else if ((pick -= discardWeight) < 0) {
                log(DISCARD, offset, length, 0, false);
                disk.discard(offset, length);
            } else {
                long s = r.nextLong();
                byte[] data = data(s, (int) length);
                log(WRITE, offset, length, s, false);
                if (sg && r.nextInt(4) == 0) {
                    disk.write(offset, pieces(r, data));
                } else {
                    disk.write(offset, MemorySegment.ofArray(data));
                }
            }
        }
    }

    /** {@code data} cut into a few segments of odd sizes, as a guest's scattered pages would be. */
    private static List<MemorySegment> pieces(SplittableRandom r, byte[] data) {
        List<MemorySegment> parts = new ArrayList<>();
        MemorySegment all = MemorySegment.ofArray(data);
        long at = 0;
        while (at < data.length) {
            long n = Math.min(data.length - at, 1 + r.nextInt(r.nextBoolean() ? 4096 : 65536));
            parts.add(all.asSlice(at, n));
            at += n;
        }
        return parts;
    }

    /** 512 bytes to a few hundred KiB, often sector- or cluster-sized. */
    private static long length(SplittableRandom r, long cluster) {
        int kind = r.nextInt(10);
        long length = switch (kind) {
            case 0, 1, 2 -> 512 + r.nextInt(8192 - 512);
            case 3, 4, 5, 6 -> 512 + r.nextInt(65536);
            default -> 512 + r.nextInt(384 << 10);
        };
        int align = r.nextInt(5);
        if (align == 0) {
            length = Math.max(512, length & ~511L);
        } else if (align == 1) {
            length = Math.max(1, length / cluster) * cluster;
        }
        return length;
    }

    /** Anywhere, in a hot region (so that writes overwrite), or straddling a cluster or L2-table boundary. */
    private static long offset(SplittableRandom r, long size, long cluster, long l2Span, long hot, long length) {
        long offset;
        int kind = r.nextInt(10);
        if (kind < 3) {
            offset = r.nextLong(hot);
        } else if (kind < 5) {
            long boundary = r.nextLong(Math.max(1, size / cluster)) * cluster;
            offset = boundary - 1 - r.nextLong(Math.min(length, cluster) + 1);
        } else if (kind < 7 && l2Span < size) {
            long boundary = (1 + r.nextLong(Math.max(1, size / l2Span - 1))) * l2Span;
            offset = boundary - 1 - r.nextLong(length + 1);
        } else {
            offset = r.nextLong(size);
        }
        int align = r.nextInt(4);
        if (align == 0) {
            offset &= ~511L;
        } else if (align == 1) {
            offset &= ~(cluster - 1);
        }
        return Math.max(0, Math.min(offset, size - 1));
    }
}
