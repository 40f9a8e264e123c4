package jvirt.image.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.image.QemuImg;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile qcow2 images: hand-made malformed images (each a named test) and random mutations of
 * valid images made by qemu-img. Opening, reading every byte, mapping with {@code status},
 * checking, and (read-write) writing a little and flushing must either work or fail with an
 * {@link IOException} whose message is one line naming the file: never another exception, a
 * hang or an {@link OutOfMemoryError}.
 *
 * <p>{@code -Djvirt.fuzz.iterations=N} (default 400) sets the mutations per base image,
 * {@code -Djvirt.fuzz.seed=S} the seed, {@code -Djvirt.fuzz.only=IMAGE:ITERATION} replays one
 * mutation, {@code -Djvirt.fuzz.heavy=true} adds slow pathological cases. Failing mutated images
 * are kept under {@code target/qcow2-fuzz-failures/}.
 */
class Qcow2FuzzTest {
    private static final long SEED = Long.getLong("jvirt.fuzz.seed", System.nanoTime());
    private static final int ITERATIONS = Integer.getInteger("jvirt.fuzz.iterations", 400);
    private static final String ONLY = System.getProperty("jvirt.fuzz.only");
    /** Also the slow pathological cases (tables of QEMU's largest sizes that alias or point past EOF). */
    private static final boolean HEAVY = Boolean.getBoolean("jvirt.fuzz.heavy");
    private static final Duration CASE_TIMEOUT = Duration.ofSeconds(10);
    /** Bytes one exercise reads at most (a hostile size can claim petabytes). */
    private static final long READ_BUDGET = 64L << 20;
    /** status() calls one exercise makes at most. */
    private static final int STATUS_BUDGET = 300_000;
    private static final Path FAILURES = Path.of("target", "qcow2-fuzz-failures");

    static final long COPIED = 1L << 63;
    static final long COMPRESSED = 1L << 62;

    @TempDir
    static Path bases;

    @TempDir
    Path dir;

    // ---- base images ---------------------------------------------------------------------------------

    /** A valid image made by qemu-img, as bytes, and the folder it must live in (its backing files are there). */
    record Base(String name, byte[] bytes) {
    }

    private static final Map<String, Base> BASES = new LinkedHashMap<>();

    private static Path qemuImage(String name, String size, String... options) throws IOException {
        Path img = bases.resolve(name);
        List<String> args = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        if (options.length > 0) {
            args.add("-o");
            args.add(String.join(",", options));
        }
        args.add(img.toString());
        args.add(size);
        QemuImg.ok(args.toArray(String[]::new));
        return img;
    }

    private static void writes(Path img, String... cmds) throws IOException {
        QemuImg.io(img, "qcow2", cmds);
    }

    private static void addBase(String name, Path img) throws IOException {
        BASES.put(name, new Base(name, Files.readAllBytes(img)));
    }

    @BeforeAll
    static void makeBases() throws IOException {
        Path plain = qemuImage("plain.qcow2", "4M");
        writes(plain, "write -q -P 0x11 0 64k", "write -q -P 0x22 1M 100k", "write -q -z 2M 64k",
                "write -q -P 0x33 4000k 96k");
        addBase("plain-64k", plain);

        Path plain4k = qemuImage("plain4k.qcow2", "4M", "cluster_size=4096");
        writes(plain4k, "write -q -P 0x11 0 12k", "write -q -P 0x22 2040k 16k", "write -q -z 3M 8k",
                "write -q -P 0x44 4092k 4k");
        addBase("plain-4k", plain4k);

        Path backingBase = qemuImage("base.qcow2", "4M", "cluster_size=4096");
        writes(backingBase, "write -q -P 0x55 0 1M");
        Path overlay = qemuImage("overlay.qcow2", "4M", "cluster_size=4096", "backing_file=base.qcow2",
                "backing_fmt=qcow2");
        writes(overlay, "write -q -P 0x66 512k 16k", "write -q -z 8k 8k");
        addBase("backing", overlay);

        Path snap = qemuImage("snap.qcow2", "4M", "cluster_size=4096");
        writes(snap, "write -q -P 0x71 0 64k");
        QemuImg.ok("snapshot", "-c", "one", snap.toString());
        writes(snap, "write -q -P 0x72 16k 16k", "write -q -P 0x73 3M 8k");
        QemuImg.ok("snapshot", "-c", "two", snap.toString());
        writes(snap, "write -q -P 0x74 0 4k");
        addBase("snapshots", snap);

        Path raw = bases.resolve("content.raw");
        byte[] content = new byte[1 << 20];
        Random r = new Random(5);
        for (int i = 0; i < content.length; i += 4096) {
            if (r.nextBoolean()) {
                Arrays.fill(content, i, i + 4096, (byte) r.nextInt());
            } else if (r.nextBoolean()) {
                byte[] chunk = new byte[4096];
                r.nextBytes(chunk);
                System.arraycopy(chunk, 0, content, i, 2048);
            }
        }
        Files.write(raw, content);
        Path zlib = bases.resolve("zlib.qcow2");
        QemuImg.ok("convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=4096", raw.toString(), zlib.toString());
        addBase("compressed-zlib", zlib);
        Path zstd = bases.resolve("zstd.qcow2");
        QemuImg.ok("convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=4096,compression_type=zstd",
                raw.toString(), zstd.toString());
        addBase("compressed-zstd", zstd);

        Path bitmaps = qemuImage("bitmaps.qcow2", "4M", "cluster_size=4096");
        QemuImg.ok("bitmap", "--add", "--granularity", "65536", bitmaps.toString(), "b0");
        QemuImg.ok("bitmap", "--add", bitmaps.toString(), "b1");
        writes(bitmaps, "write -q -P 0x61 0 64k", "write -q -P 0x62 3M 256k");
        addBase("bitmaps", bitmaps);

        Path tiny = qemuImage("tiny.qcow2", "1M", "cluster_size=512", "refcount_bits=1");
        writes(tiny, "write -q -P 0x81 0 3k", "write -q -P 0x82 33k 2k", "write -q -P 0x83 1023k 1k");
        addBase("512-refcount1", tiny);

        Path v2 = qemuImage("v2.qcow2", "4M", "compat=0.10", "cluster_size=4096");
        writes(v2, "write -q -P 0x91 0 8k", "write -q -P 0x92 1M 8k");
        QemuImg.ok("snapshot", "-c", "old", v2.toString());
        writes(v2, "write -q -P 0x93 0 4k");
        addBase("v2-compat-0.10", v2);
    }

    // ---- the layout of a valid image, to aim mutations at its metadata ----------------------------

    /** Where an image's metadata lies: [offset, length) pairs, and the interesting fields. */
    record Layout(int clusterBits, long l1Offset, int l1Size, long refTableOffset, List<long[]> regions,
                  List<Long> l2Tables) {
        long clusterSize() {
            return 1L << clusterBits;
        }
    }

    static Layout layout(byte[] image) {
        ByteBuffer b = ByteBuffer.wrap(image);
        int clusterBits = b.getInt(20);
        long cs = 1L << clusterBits;
        int l1Size = b.getInt(36);
        long l1 = b.getLong(40);
        long rt = b.getLong(48);
        int rtClusters = b.getInt(56);
        int nbSnapshots = b.getInt(60);
        long snapshots = b.getLong(64);
        List<long[]> regions = new ArrayList<>();
        List<Long> l2s = new ArrayList<>();
        regions.add(new long[] {0, Math.min(cs, 4096)});
        regions.add(new long[] {l1, l1Size * 8L});
        regions.add(new long[] {rt, rtClusters * cs});
        for (int i = 0; i < rtClusters * cs / 8; i++) {
            long block = b.getLong((int) (rt + i * 8L));
            if (block != 0) {
                regions.add(new long[] {block, cs});
            }
        }
        List<long[]> l1s = new ArrayList<>();
        l1s.add(new long[] {l1, l1Size});
        long at = snapshots;
        for (int i = 0; i < nbSnapshots; i++) {
            long sl1 = b.getLong((int) at);
            int sl1Size = b.getInt((int) at + 8);
            int idSize = b.getShort((int) at + 12) & 0xffff;
            int nameSize = b.getShort((int) at + 14) & 0xffff;
            int extra = b.getInt((int) at + 36);
            long entry = (40 + extra + idSize + nameSize + 7) & ~7L;
            regions.add(new long[] {at, entry});
            regions.add(new long[] {sl1, sl1Size * 8L});
            l1s.add(new long[] {sl1, sl1Size});
            at += entry;
        }
        for (long[] t : l1s) {
            for (int i = 0; i < t[1]; i++) {
                long l2 = b.getLong((int) (t[0] + i * 8L)) & 0x00ff_ffff_ffff_fe00L;
                if (l2 != 0 && !l2s.contains(l2)) {
                    l2s.add(l2);
                    regions.add(new long[] {l2, cs});
                }
            }
        }
        return new Layout(clusterBits, l1, l1Size, rt, regions, l2s);
    }

    // ---- mutations -------------------------------------------------------------------------------------

    private static long interestingLong(SplittableRandom r, long fileSize, long cs) {
        return switch (r.nextInt(16)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Long.MIN_VALUE;
            case 3 -> 1L << 56;
            case 4 -> fileSize;
            case 5 -> fileSize + r.nextInt(-8, 9);
            case 6 -> (fileSize & ~(cs - 1)) + r.nextInt(-2, 3) * cs;
            case 7 -> r.nextLong(Math.max(1, fileSize * 2 / cs)) * cs;
            case 8 -> COPIED | r.nextLong(Math.max(1, fileSize * 2 / cs)) * cs;
            case 9 -> COMPRESSED | r.nextLong(fileSize * 2) | (r.nextLong() & 0x3ff0_0000_0000_0000L);
            case 10 -> Long.MAX_VALUE;
            case 11 -> 1L << r.nextInt(64);
            case 12 -> (1L << r.nextInt(64)) - 1;
            case 13 -> r.nextLong();
            case 14 -> COPIED | (r.nextLong(Math.max(1, fileSize * 2 / cs)) * cs) | 1;
            default -> r.nextLong(fileSize + 1);
        };
    }

    private static int interestingInt(SplittableRandom r) {
        return switch (r.nextInt(12)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> Integer.MAX_VALUE;
            case 3 -> Integer.MIN_VALUE;
            case 4 -> r.nextInt(8, 24);
            case 5 -> 1 << r.nextInt(31);
            case 6 -> 0xffff;
            case 7 -> 0x10000;
            case 8 -> r.nextInt(1, 2048);
            case 9 -> 65537;
            case 10 -> r.nextInt();
            default -> 1 << 22;
        };
    }

    /** Where to hit: mostly metadata (the header's fields above all), sometimes anywhere. */
    private static int target(SplittableRandom r, Layout layout, int length) {
        int kind = r.nextInt(10);
        if (kind < 3) {
            return r.nextInt(0, Math.min(length, 112));
        }
        if (kind < 8) {
            long[] region = layout.regions().get(r.nextInt(layout.regions().size()));
            long off = region[0] + (region[1] <= 0 ? 0 : r.nextLong(region[1]));
            if (off >= 0 && off < length) {
                return (int) off;
            }
        }
        return r.nextInt(length);
    }

    /** One mutated copy of {@code original}, and a line describing each change made. */
    static byte[] mutate(byte[] original, SplittableRandom r, List<String> log) {
        Layout layout = layout(original);
        byte[] b = original.clone();
        int changes = 1 + r.nextInt(r.nextInt(10) == 0 ? 12 : 4);
        for (int k = 0; k < changes; k++) {
            int kind = r.nextInt(100);
            if (kind < 25) {
                int at = target(r, layout, b.length);
                int bit = r.nextInt(8);
                b[at] ^= (byte) (1 << bit);
                log.add("flip bit " + bit + " of byte " + at);
            } else if (kind < 35) {
                int at = target(r, layout, b.length);
                byte v = (byte) r.nextInt();
                b[at] = v;
                log.add("byte " + at + " = " + v);
            } else if (kind < 70) {
                int at = target(r, layout, b.length) & ~7;
                if (at + 8 > b.length) {
                    continue;
                }
                long v = interestingLong(r, b.length, layout.clusterSize());
                ByteBuffer.wrap(b).putLong(at, v);
                log.add("long at " + at + " = 0x" + Long.toHexString(v));
            } else if (kind < 88) {
                int at = target(r, layout, b.length) & ~3;
                if (at + 4 > b.length) {
                    continue;
                }
                int v = interestingInt(r);
                ByteBuffer.wrap(b).putInt(at, v);
                log.add("int at " + at + " = 0x" + Integer.toHexString(v));
            } else if (kind < 96) {
                int length = r.nextInt(4) == 0 ? r.nextInt(Math.min(b.length, 4096)) : r.nextInt(b.length);
                b = Arrays.copyOf(b, length);
                log.add("truncate to " + length);
                if (b.length < 8) {
                    break;
                }
            } else {
                int extra = r.nextInt(1, 3 * (int) layout.clusterSize());
                int old = b.length;
                b = Arrays.copyOf(b, old + extra);
                for (int i = old; i < b.length; i++) {
                    b[i] = (byte) r.nextInt();
                }
                log.add("append " + extra + " random bytes");
            }
        }
        return b;
    }

    // ---- exercising one image ----------------------------------------------------------------------------

    /** What one exercise saw: the IOExceptions of its phases (null where a phase succeeded), and oddities. */
    static final class Outcome {
        IOException readOnly;
        IOException check;
        IOException readWrite;
        IOException repair;
        boolean readWriteOpened;
        Qcow2Check.Result checkResult;
        /** The phase running now: what a hang was doing. */
        volatile String phase = "start";
        final List<String> findings = new ArrayList<>();

        @Override
        public String toString() {
            return "read-only: " + msg(readOnly) + "; check: " + msg(check) + "; read-write: " + msg(readWrite)
                    + "; repair: " + msg(repair) + (findings.isEmpty() ? "" : "; findings: " + findings);
        }

        private static String msg(IOException e) {
            return e == null ? "ok" : e.getClass().getSimpleName() + "(" + e.getMessage() + ")";
        }
    }

    /** A rule broken: an exception other than IOException, a multi-line message, one that names no file. */
    static final class Violation extends AssertionError {
        private static final long serialVersionUID = 1L;

        Violation(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static void requireGoodMessage(IOException e, Path img, String phase) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            throw new Violation(phase + ": " + e.getClass().getName() + " without a message", e);
        }
        if (m.contains("\n") || m.contains("\r")) {
            throw new Violation(phase + ": the message of " + e.getClass().getName() + " is several lines: " + m, e);
        }
        if (!m.contains(img.getFileName().toString()) && !m.contains(img.getParent().toString())) {
            throw new Violation(phase + ": the message of " + e.getClass().getName() + " names no file: " + m, e);
        }
    }

    /** Runs {@code action}; an IOException is recorded (after its message is checked), anything else is a violation. */
    private interface Phase {
        void run() throws IOException;
    }

    private static IOException phase(String name, Path img, Phase action) {
        try {
            action.run();
            return null;
        } catch (IOException e) {
            requireGoodMessage(e, img, name);
            return e;
        } catch (OutOfMemoryError e) {
            throw new Violation(name + ": OutOfMemoryError", e);
        } catch (Violation e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new Violation(name + ": " + e.getClass().getName() + " escaped: " + e.getMessage(), e);
        }
    }

    /** Reads the whole disk (within a budget), maps it with status() and reads each allocated run. */
    static void readAll(BlockDevice d) throws IOException {
        long size = d.size();
        byte[] buffer = new byte[1 << 20];
        MemorySegment seg = MemorySegment.ofArray(buffer);
        long budget = READ_BUDGET;
        if (size <= READ_BUDGET / 2) {
            for (long at = 0; at < size; at += buffer.length) {
                d.read(at, seg.asSlice(0, Math.min(buffer.length, size - at)));
            }
            budget -= size;
            if (size > 1) {
                d.read(size / 2 - 1, seg.asSlice(0, Math.min(size - size / 2 + 1, 4097))); // unaligned, across the middle
            }
        } else {
            d.read(0, seg.asSlice(0, 1 << 20));
            d.read(size - (1 << 20), seg.asSlice(0, 1 << 20));
            budget -= 2 << 20;
        }
        long pos = 0;
        for (int calls = 0; pos < size && calls < STATUS_BUDGET; calls++) {
            Extent e = d.status(pos, size - pos);
            if (e.length() <= 0 || e.length() > size - pos) {
                throw new Violation("status(" + pos + ", " + (size - pos) + ") returned a run of " + e.length()
                        + " bytes", null);
            }
            if (e.kind() != Extent.Kind.UNALLOCATED && e.kind() != Extent.Kind.ZERO && budget > 0) {
                long n = Math.min(Math.min(e.length(), budget), buffer.length);
                d.read(pos, seg.asSlice(0, n));
                budget -= n;
            }
            pos += e.length();
        }
    }

    /**
     * Exercises one image: read-only (read all, map, info), check, read-write (write a little,
     * zero, discard, flush, read back), and repair (check -r all). IOExceptions are allowed;
     * anything else throws a {@link Violation}.
     */
    static Outcome exercise(Path img, boolean readWrite, Outcome o) {
        o.phase = "read-only";
        o.readOnly = phase("read-only", img, () -> {
            try (BlockDevice d = ImageFormats.open(img, ImageFormats.QCOW2, OpenOptions.forReading())) {
                readAll(d);
                d.info();
            }
        });
        o.phase = "check";
        o.check = phase("check", img, () -> {
            try (Qcow2Image q = Qcow2Image.open(img, OpenOptions.forReading().withoutBacking())) {
                o.checkResult = q.check(Qcow2Check.Repair.NONE);
            }
        });
        if (!readWrite) {
            return o;
        }
        byte[] header = head(img);
        o.phase = "read-write";
        o.readWrite = phase("read-write", img, () -> {
            try (BlockDevice d = ImageFormats.open(img, ImageFormats.QCOW2, OpenOptions.forWriting())) {
                o.readWriteOpened = true;
                long size = d.size();
                if (size == 0) {
                    d.flush();
                    return;
                }
                List<long[]> written = new ArrayList<>();
                long[] offsets = {0, (size / 2) & ~511L, Math.max(0, size - 3000)};
                for (int i = 0; i < offsets.length; i++) {
                    long n = Math.min(3000 + i * 70_000L, size - offsets[i]);
                    byte[] data = CrashWriter.data(i + 1, (int) n);
                    d.write(offsets[i], MemorySegment.ofArray(data));
                    written.add(new long[] {offsets[i], n, i + 1});
                }
                // zeroes and a discard in the quarters between the writes; writes they overlap are not read back
                long zeroAt = (size / 4) & ~511L;
                long zeroLength = Math.max(0, Math.min(200_000, size / 2 - zeroAt));
                long discardAt = (size / 4 * 3) & ~511L;
                long discardLength = Math.max(0, Math.min(200_000, size - discardAt));
                d.writeZeroes(zeroAt, zeroLength, false);
                d.discard(discardAt, discardLength);
                d.flush();
                if (d instanceof Qcow2Image q && q.refcounts.maxRefcount() >= 2
                        && q.snapshots.size() < Qcow2Header.MAX_SNAPSHOTS) { // else createSnapshot refuses by design
                    q.createSnapshot("fuzz-" + System.nanoTime()); // shares every cluster: counts go up
                    q.write(0, MemorySegment.ofArray(CrashWriter.data(1, (int) Math.min(3000, size)))); // copy on write
                    q.deleteSnapshot(q.info().snapshots().getLast().id());
                }
                for (long[] w : written) {
                    if (w[0] < zeroAt + zeroLength && zeroAt < w[0] + w[1]
                            || w[0] < discardAt + discardLength && discardAt < w[0] + w[1]) {
                        continue;
                    }
                    byte[] back = new byte[(int) w[1]];
                    d.read(w[0], MemorySegment.ofArray(back));
                    if (!Arrays.equals(back, CrashWriter.data(w[2], (int) w[1]))) {
                        o.findings.add("a write at " + w[0] + "+" + w[1] + " reads back different after flush");
                    }
                }
            }
        });
        if (o.readWriteOpened) {
            checkHeaderKept(img, header, o, "the read-write session");
        }
        header = head(img);
        boolean[] repairOpened = {false};
        o.phase = "repair";
        o.repair = phase("repair", img, () -> {
            try (Qcow2Image q = Qcow2Image.openForRepair(img)) {
                repairOpened[0] = true;
                q.check(Qcow2Check.Repair.ALL);
            }
        });
        if (repairOpened[0]) {
            checkHeaderKept(img, header, o, "check -r all");
        }
        return o;
    }

    private static byte[] head(Path img) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(img)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(24, ch.size()));
            while (b.hasRemaining() && ch.read(b, b.position()) > 0) {
                // reads the first bytes only: a file jvirt wrote to may be sparse and huge
            }
            return Arrays.copyOf(b.array(), b.position());
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** jvirt rewrites header fields, but never its magic, version or cluster size. */
    private static void checkHeaderKept(Path img, byte[] before, Outcome o, String what) {
        byte[] after = head(img);
        if (before.length < 24 || after.length < 24) {
            if (before.length != after.length) {
                o.findings.add(what + " changed the file's first bytes (length " + before.length + " -> " + after.length + ")");
            }
            return;
        }
        ByteBuffer a = ByteBuffer.wrap(before);
        ByteBuffer b = ByteBuffer.wrap(after);
        if (a.getInt(0) != b.getInt(0) || a.getInt(4) != b.getInt(4) || a.getInt(20) != b.getInt(20)) {
            o.findings.add(what + " overwrote the image header (magic/version/cluster_bits 0x" + Integer.toHexString(a.getInt(0))
                    + "/" + a.getInt(4) + "/" + a.getInt(20) + " -> 0x" + Integer.toHexString(b.getInt(0)) + "/" + b.getInt(4)
                    + "/" + b.getInt(20) + ")");
        }
    }

    /** {@link #exercise} on a thread of its own, given up after {@code timeout}: a hang is a violation. */
    static Outcome exerciseWithTimeout(Path img, boolean readWrite, Duration timeout) throws Throwable {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        Outcome outcome = new Outcome();
        Thread t = new Thread(null, () -> {
            try {
                result.complete(exercise(img, readWrite, outcome));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, "fuzz-" + img.getFileName(), 64L << 20);
        t.setDaemon(true);
        t.start();
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            StackTraceElement[] stack = t.getStackTrace();
            t.interrupt();
            Violation v = new Violation("no result after " + timeout.toSeconds() + " s (a hang) in the " + outcome.phase
                    + " phase; the thread is at", null);
            v.setStackTrace(stack);
            throw v;
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause();
        }
    }

    // ---- random mutation fuzzing -----------------------------------------------------------------------

    private int checkCompared;
    private int checkDisagreements;

    @Test
    void mutatedImagesFailCleanly() throws Exception {
        System.out.println("Qcow2FuzzTest seed " + SEED + " (-Djvirt.fuzz.seed=" + SEED + "), " + ITERATIONS
                + " iterations per base image");
        Map<String, String> failures = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, String> findings = new LinkedHashMap<>();
        long start = System.nanoTime();
        int total = 0;
        int refusedReadOnly = 0;
        int refusedReadWrite = 0;
        long slowest = 0;
        String slowestAt = "";
        int imageIndex = 0;
        checkCompared = 0;
        checkDisagreements = 0;
        for (Base base : BASES.values()) {
            int iterations = ONLY == null ? ITERATIONS : Integer.parseInt(ONLY.substring(ONLY.indexOf(':') + 1)) + 1;
            for (int it = 0; it < iterations; it++) {
                String id = imageIndex + ":" + it;
                if (ONLY != null && !ONLY.equals(id)) {
                    continue;
                }
                SplittableRandom r = new SplittableRandom(SEED ^ (imageIndex * 0x9E3779B97F4A7C15L) ^ (it * 0xC2B2AE3D27D4EB4FL));
                List<String> log = new ArrayList<>();
                byte[] mutated = mutate(base.bytes(), r, log);
                Path img = bases.resolve("m" + imageIndex + "-" + it + ".qcow2");
                Files.write(img, mutated);
                String where = "seed " + SEED + " image " + imageIndex + " (" + base.name() + ") iteration " + it
                        + " (-Djvirt.fuzz.only=" + id + "): " + String.join(", ", log);
                // qemu-img check of the same bytes, for one iteration in eight: does jvirt's check agree?
                int qemuCheck = it % 8 == 0 ? qemuCheckExit(img) : -1;
                long t0 = System.nanoTime();
                try {
                    Outcome o = exerciseWithTimeout(img, true, CASE_TIMEOUT);
                    if (qemuCheck >= 0 && o.checkResult != null) {
                        long jc = o.checkResult.corruptions();
                        String disagreement = null;
                        if (qemuCheck == 2 && jc == 0) {
                            disagreement = "qemu-img check finds corruptions, jvirt's check none";
                        } else if ((qemuCheck == 0 || qemuCheck == 3) && jc > 0) {
                            disagreement = "jvirt's check finds " + jc + " corruptions, qemu-img check none: "
                                    + o.checkResult.messages().stream().limit(3).toList();
                        }
                        if (disagreement != null) {
                            checkDisagreements++;
                            String key = "check: " + disagreement.replaceAll("[0-9]+", "N").replaceAll(":.*", "");
                            if (findings.putIfAbsent(key, where + ": " + disagreement) == null) {
                                keep(img, mutated, base, it, imageIndex);
                            }
                        }
                        checkCompared++;
                    }
                    refusedReadOnly += o.readOnly != null ? 1 : 0;
                    refusedReadWrite += o.readWrite != null ? 1 : 0;
                    for (String f : o.findings) {
                        String key = f.replaceAll("[0-9]+", "N");
                        if (findings.putIfAbsent(key, where + ": " + f) == null) {
                            keep(img, mutated, base, it, imageIndex);
                        }
                    }
                } catch (Throwable e) {
                    String signature = signature(e);
                    counts.merge(signature, 1, Integer::sum);
                    if (!failures.containsKey(signature)) {
                        Path kept = keep(img, mutated, base, it, imageIndex);
                        String text = where + "\n  signature: " + signature + "\n  kept as " + kept + "\n  " + stackTrace(e);
                        failures.put(signature, text);
                        System.out.println("FUZZ FAILURE " + text);
                    }
                } finally {
                    long took = System.nanoTime() - t0;
                    if (took > slowest) {
                        slowest = took;
                        slowestAt = where;
                    }
                    Files.deleteIfExists(img);
                    total++;
                }
            }
            imageIndex++;
        }
        System.out.printf("Qcow2FuzzTest: %d mutated images in %.1f s (%d refused read-only, %d refused read-write);"
                + " slowest %.0f ms: %s%n", total, (System.nanoTime() - start) / 1e9, refusedReadOnly, refusedReadWrite,
                slowest / 1e6, slowestAt);
        System.out.printf("Qcow2FuzzTest: jvirt's check compared with qemu-img check on %d images, %d disagreements%n",
                checkCompared, checkDisagreements);
        for (String f : findings.values()) {
            System.out.println("FUZZ FINDING (not a failure of this test): " + f);
        }
        StringBuilder summary = new StringBuilder();
        for (Map.Entry<String, String> f : failures.entrySet()) {
            summary.append("\n[").append(counts.get(f.getKey())).append("x] ").append(f.getValue());
        }
        assertThat(failures).as("mutated images that broke a rule (seed %d):%s", SEED, summary).isEmpty();
    }

    /** qemu-img check's exit status (its output, which may hold a hostile image's bytes, is dropped). */
    private static int qemuCheckExit(Path img) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("qemu-img", "check", "-f", "qcow2", img.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return -1;
        }
        return p.exitValue();
    }

    private static Path keep(Path img, byte[] mutated, Base base, int it, int imageIndex) {
        try {
            Files.createDirectories(FAILURES);
            Path to = FAILURES.resolve(base.name() + "-" + SEED + "-" + imageIndex + "-" + it + ".qcow2");
            Files.write(to, mutated);
            return to.toAbsolutePath();
        } catch (IOException e) {
            return img;
        }
    }

    /** The kind of failure: the exception class and the first frame in jvirt's code. */
    private static String signature(Throwable e) {
        Throwable root = e instanceof Violation && e.getCause() != null ? e.getCause() : e;
        String frame = "";
        for (StackTraceElement s : root.getStackTrace()) {
            if (s.getClassName().startsWith("jvirt.") && !s.getClassName().contains("Qcow2FuzzTest")) {
                frame = s.getClassName() + "." + s.getMethodName() + ":" + s.getLineNumber();
                break;
            }
        }
        String what = e instanceof Violation ? e.getMessage().replaceAll("(?s):.*", "") : "";
        return what + " " + root.getClass().getName() + " at " + frame
                + (e.getMessage() != null && e.getMessage().contains("names no file") ? " (names no file)" : "")
                + (e.getMessage() != null && e.getMessage().contains("several lines") ? " (several lines)" : "")
                + (e.getMessage() != null && e.getMessage().contains("a hang") ? " (hang)" : "");
    }

    private static String stackTrace(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        return s.length() > 6000 ? s.substring(0, 6000) + "…" : s;
    }

    // ---- targeted hostile images -----------------------------------------------------------------------

    /** What a hand-made image must do when opened. */
    enum Expect {
        /** Either: work or fail cleanly. */
        EITHER,
        /** The read-only open (or read) must fail cleanly. */
        REFUSED,
        /** Everything read-only must work. */
        WORKS
    }

    private interface Maker {
        Path make(Path dir) throws IOException;
    }

    /** @param isolated run in a child JVM with a small heap: the case may hang or exhaust memory */
    private record Case(String name, Maker maker, Expect readOnly, Expect readWrite, boolean isolated) {
        Case(String name, Maker maker, Expect readOnly, Expect readWrite) {
            this(name, maker, readOnly, readWrite, false);
        }
    }

    private static Case isolated(String name, Maker m) {
        return new Case(name, m, Expect.EITHER, Expect.EITHER, true);
    }

    private static Case refused(String name, Maker m) {
        return new Case(name, m, Expect.REFUSED, Expect.REFUSED);
    }

    private static Case either(String name, Maker m) {
        return new Case(name, m, Expect.EITHER, Expect.EITHER);
    }

    /** A copy of base {@code name} in {@code dir} (with its backing file), patched. */
    private static Path patched(Path dir, String base, Consumer<ByteBuffer> patch) throws IOException {
        return patchedAs(dir, base, "case.qcow2", patch);
    }

    private static Path patchedAs(Path dir, String base, String file, Consumer<ByteBuffer> patch) throws IOException {
        byte[] b = BASES.get(base).bytes().clone();
        ByteBuffer bb = ByteBuffer.wrap(b);
        patch.accept(bb);
        Path img = dir.resolve(file);
        Files.write(img, b);
        if (base.equals("backing") && !Files.exists(dir.resolve("base.qcow2"))) {
            Files.copy(bases.resolve("base.qcow2"), dir.resolve("base.qcow2"));
        }
        return img;
    }

    private static Path truncated(Path dir, String base, int length) throws IOException {
        Path img = dir.resolve("case.qcow2");
        Files.write(img, Arrays.copyOf(BASES.get(base).bytes(), length));
        return img;
    }

    /** The file position of the L2 entry of guest cluster {@code guestCluster} in base {@code base}. */
    private static int l2EntryAt(String base, long guestCluster) {
        byte[] b = BASES.get(base).bytes();
        Layout l = layout(b);
        int l2Bits = l.clusterBits() - 3;
        long l2 = ByteBuffer.wrap(b).getLong((int) (l.l1Offset() + (guestCluster >>> l2Bits) * 8)) & 0x00ff_ffff_ffff_fe00L;
        assertThat(l2).as("base %s has an L2 table for guest cluster %d", base, guestCluster).isNotZero();
        return (int) (l2 + (guestCluster & ((1L << l2Bits) - 1)) * 8);
    }

    private static long l2Entry(String base, long guestCluster) {
        return ByteBuffer.wrap(BASES.get(base).bytes()).getLong(l2EntryAt(base, guestCluster));
    }

    /** Guest cluster 0 of base {@code base} made a compressed cluster holding {@code stream} at its old host cluster. */
    private static Path compressedCase(Path dir, String base, byte[] stream, long hostOverride) throws IOException {
        int bits = ByteBuffer.wrap(BASES.get(base).bytes()).getInt(20);
        long host = hostOverride >= 0 ? hostOverride : l2Entry(base, 0) & 0x00ff_ffff_ffff_fe00L;
        long sectors = Math.max(1, (stream.length + 511) / 512);
        long entry = COMPRESSED | host | ((sectors - 1) << (62 - (bits - 8)));
        return patched(dir, base, b -> {
            b.putLong(l2EntryAt(base, 0), entry);
            if (hostOverride < 0) {
                b.put((int) host, stream);
            }
        });
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(6, true);
        d.setInput(data);
        d.finish();
        byte[] out = new byte[data.length + 1024];
        int n = d.deflate(out);
        d.end();
        return Arrays.copyOf(out, n);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Finds the header extension {@code type} in a v3 base image: the position of its data. */
    private static int extension(ByteBuffer b, int type) {
        int at = b.getInt(100);
        while (true) {
            int t = b.getInt(at);
            int len = b.getInt(at + 4);
            if (t == type) {
                return at + 8;
            }
            if (t == 0) {
                throw new AssertionError("no extension 0x" + Integer.toHexString(type));
            }
            at += 8 + ((len + 7) & ~7);
        }
    }

    private static Path qemuCreateIn(Path dir, String name, String size, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        args.addAll(List.of(extra));
        args.add(dir.resolve(name).toString());
        args.add(size);
        QemuImg.ok(args.toArray(String[]::new));
        return dir.resolve(name);
    }

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // header: truncated, magic, version
        c.add(refused("bad magic", d -> patched(d, "plain-64k", b -> b.putInt(0, 0x514649fa))));
        for (int v : new int[] {0, 1, 4, -1}) {
            c.add(refused("version " + Integer.toUnsignedString(v), d -> patched(d, "plain-64k", b -> b.putInt(4, v))));
        }
        for (int bits : new int[] {0, 8, 22, 63, -1, 1 << 30}) {
            c.add(refused("cluster_bits " + bits, d -> patched(d, "plain-64k", b -> b.putInt(20, bits))));
        }
        c.add(refused("header_length 0", d -> patched(d, "plain-64k", b -> b.putInt(100, 0))));
        c.add(refused("header_length 103", d -> patched(d, "plain-64k", b -> b.putInt(100, 103))));
        c.add(either("header_length 105 (unaligned)", d -> patched(d, "plain-64k", b -> b.putInt(100, 105))));
        c.add(refused("header_length past the cluster", d -> patched(d, "plain-4k", b -> b.putInt(100, 8192))));
        c.add(refused("header_length 2^32-1", d -> patched(d, "plain-64k", b -> b.putInt(100, -1))));
        c.add(refused("refcount_order 7", d -> patched(d, "plain-64k", b -> b.putInt(96, 7))));
        c.add(refused("refcount_order -1", d -> patched(d, "plain-64k", b -> b.putInt(96, -1))));
        c.add(refused("crypt_method AES", d -> patched(d, "plain-64k", b -> b.putInt(32, 1))));
        c.add(refused("crypt_method 2^32-1", d -> patched(d, "plain-64k", b -> b.putInt(32, -1))));
        // sizes and the L1 table
        c.add(refused("size 2^63-1 with a small l1_size", d -> patched(d, "plain-64k", b -> b.putLong(24, Long.MAX_VALUE))));
        c.add(refused("size 2^62 with a small l1_size", d -> patched(d, "plain-64k", b -> b.putLong(24, 1L << 62))));
        c.add(refused("size negative", d -> patched(d, "plain-64k", b -> b.putLong(24, -4096))));
        c.add(either("size 2^61 with 2M clusters and a 32 MiB L1 table past EOF", d -> {
            Path img = qemuCreateIn(d, "case.qcow2", "4M", "-o", "cluster_size=2M");
            QemuImg.io(img, "qcow2", "write -q -P 0x12 0 64k");
            byte[] b = Files.readAllBytes(img);
            ByteBuffer bb = ByteBuffer.wrap(b);
            bb.putLong(24, 1L << 61).putInt(36, 4 << 20);
            bb.putLong(40, (Files.size(img) + (4L << 20)) & ~((2L << 20) - 1)); // the (empty) L1 table lies past EOF
            Files.write(img, b);
            return img;
        }));
        c.add(either("size 2^37 with 512-byte clusters (an L1 table of 32 MiB past EOF)", d -> patched(d, "512-refcount1", b -> {
            b.putLong(24, 1L << 37).putInt(36, 4 << 20);
            b.putLong(40, 1L << 30);
        })));
        if (HEAVY) {
            // qemu-img check 7.2 needs over 60 s (first) and 9 s (second) on these too
            c.add(isolated("4M L1 entries, all pointing at one L2 table (512-byte clusters)", d -> bigL1(d, false)));
            c.add(isolated("4M L1 entries, all pointing past EOF (512-byte clusters)", d -> bigL1(d, true)));
        }
        c.add(isolated("4M L1 entries aliasing one L2 table of invalid entries (check messages)", d -> {
            Path img = bigL1(d, false);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ByteBuffer h = ByteBuffer.allocate(512);
                ch.read(h, 0);
                ByteBuffer e = ByteBuffer.allocate(8);
                ch.read(e, h.getLong(40));
                long l2 = e.getLong(0) & 0x00ff_ffff_ffff_fe00L;
                ByteBuffer bad = ByteBuffer.allocate(512);
                for (int i = 0; i < 64; i++) {
                    bad.putLong(i * 8, COPIED | 0x2 | (1L << 20)); // reserved bit 1
                }
                ch.write(bad, l2);
            }
            return img;
        }));
        c.add(refused("l1_size 2^31", d -> patched(d, "plain-64k", b -> b.putInt(36, Integer.MIN_VALUE))));
        c.add(refused("l1_size 2^32-1", d -> patched(d, "plain-64k", b -> b.putInt(36, -1))));
        c.add(refused("l1_size 0 for a non-empty disk", d -> patched(d, "plain-64k", b -> b.putInt(36, 0))));
        c.add(either("L1 offset past EOF", d -> patched(d, "plain-64k", b -> b.putLong(40, 1L << 40))));
        c.add(refused("L1 offset unaligned", d -> patched(d, "plain-64k", b -> b.putLong(40, b.getLong(40) + 8))));
        c.add(refused("L1 offset 0 (overlapping the header)", d -> patched(d, "plain-64k", b -> b.putLong(40, 0))));
        c.add(refused("L1 offset past 2^56", d -> patched(d, "plain-64k", b -> b.putLong(40, 1L << 57))));
        c.add(refused("L1 offset negative", d -> patched(d, "plain-64k", b -> b.putLong(40, -65536))));
        c.add(either("L1 table overlapping the refcount table", d -> patched(d, "plain-64k", b -> b.putLong(40, b.getLong(48)))));
        c.add(either("L1 entry with reserved bits", d -> patched(d, "plain-64k",
                b -> b.putLong((int) b.getLong(40), b.getLong((int) b.getLong(40)) | 0x0100_0000_0000_0000L))));
        c.add(either("L1 entry unaligned", d -> patched(d, "plain-64k",
                b -> b.putLong((int) b.getLong(40), b.getLong((int) b.getLong(40)) + 512))));
        c.add(either("L1 entry pointing into the header cluster", d -> patched(d, "plain-64k",
                b -> b.putLong((int) b.getLong(40), COPIED | 0x200))));
        c.add(either("L1 entry (COPIED) pointing past EOF", d -> patched(d, "plain-64k",
                b -> b.putLong((int) b.getLong(40), COPIED | (1L << 40)))));
        c.add(either("L1 entry (COPIED) pointing just below 2^56", d -> patched(d, "plain-64k",
                b -> b.putLong((int) b.getLong(40), COPIED | ((1L << 56) - 65536)))));
        c.add(either("L1 entry pointing at the L1 table itself", d -> patched(d, "plain-64k",
                b -> b.putLong((int) b.getLong(40), COPIED | b.getLong(40)))));
        c.add(either("L1 entry pointing at the refcount block", d -> patched(d, "plain-64k",
                b -> b.putLong((int) b.getLong(40), COPIED | b.getLong((int) b.getLong(48))))));
        // refcount table
        c.add(refused("refcount table offset 0", d -> patched(d, "plain-64k", b -> b.putLong(48, 0))));
        c.add(refused("refcount table offset unaligned", d -> patched(d, "plain-64k", b -> b.putLong(48, b.getLong(48) + 512))));
        c.add(either("refcount table offset past EOF", d -> patched(d, "plain-64k", b -> b.putLong(48, 1L << 40))));
        c.add(refused("refcount_table_clusters 2^31-1", d -> patched(d, "plain-64k", b -> b.putInt(56, Integer.MAX_VALUE))));
        c.add(refused("refcount_table_clusters 2^32-1", d -> patched(d, "plain-64k", b -> b.putInt(56, -1))));
        c.add(refused("refcount_table_clusters 0", d -> patched(d, "plain-64k", b -> b.putInt(56, 0))));
        c.add(either("refcount_table_clusters 128 (8 MiB, mostly past EOF)", d -> patched(d, "plain-64k", b -> b.putInt(56, 128))));
        c.add(either("refcount table entry unaligned", d -> patched(d, "plain-64k",
                b -> b.putLong((int) b.getLong(48), b.getLong((int) b.getLong(48)) + 8))));
        c.add(either("refcount table entry past 2^56", d -> patched(d, "plain-64k",
                b -> b.putLong((int) b.getLong(48), 1L << 60))));
        c.add(either("refcount table entry pointing at the L1 table", d -> patched(d, "plain-64k",
                b -> b.putLong((int) b.getLong(48), b.getLong(40)))));
        c.add(either("refcount block all zero (every cluster looks free)", d -> patched(d, "plain-64k", b -> {
            int block = (int) b.getLong((int) b.getLong(48));
            Arrays.fill(b.array(), block, block + 65536, (byte) 0);
        })));
        // L2 entries
        c.add(either("L2 entry with reserved bits", d -> patched(d, "plain-64k",
                b -> b.putLong(l2EntryAt("plain-64k", 0), l2Entry("plain-64k", 0) | 0x02))));
        c.add(either("L2 entry with bits 56-61", d -> patched(d, "plain-64k",
                b -> b.putLong(l2EntryAt("plain-64k", 0), l2Entry("plain-64k", 0) | 0x0300_0000_0000_0000L))));
        c.add(either("L2 entry data offset unaligned", d -> patched(d, "plain-64k",
                b -> b.putLong(l2EntryAt("plain-64k", 0), l2Entry("plain-64k", 0) + 512))));
        c.add(either("L2 entry data offset in the header cluster", d -> patched(d, "plain-64k",
                b -> b.putLong(l2EntryAt("plain-64k", 0), COPIED | 0x200))));
        c.add(either("L2 entry data offset 0 with COPIED", d -> patched(d, "plain-64k",
                b -> b.putLong(l2EntryAt("plain-64k", 0), COPIED))));
        c.add(either("L2 entry data offset past EOF", d -> patched(d, "plain-64k",
                b -> b.putLong(l2EntryAt("plain-64k", 0), COPIED | (1L << 40)))));
        c.add(either("L2 entry pointing at the L1 table", d -> patched(d, "plain-64k",
                b -> b.putLong(l2EntryAt("plain-64k", 0), COPIED | b.getLong(40)))));
        c.add(either("L2 entry pointing at the refcount table", d -> patched(d, "plain-64k",
                b -> b.putLong(l2EntryAt("plain-64k", 0), COPIED | b.getLong(48)))));
        c.add(either("L2 entry pointing at the header", d -> patched(d, "plain-64k",
                b -> b.putLong(l2EntryAt("plain-64k", 0), COPIED | 0))));
        c.add(either("L2 entry zero flag in a v2 image", d -> patched(d, "v2-compat-0.10",
                b -> b.putLong(l2EntryAt("v2-compat-0.10", 0), l2Entry("v2-compat-0.10", 0) | 1))));
        c.add(either("two L2 entries sharing one data cluster (COPIED)", d -> patched(d, "plain-64k",
                b -> b.putLong(l2EntryAt("plain-64k", 1), l2Entry("plain-64k", 0)))));
        // compressed clusters
        c.add(either("compressed cluster past EOF", d -> compressedCase(d, "plain-64k", new byte[0], 1L << 40)));
        c.add(either("compressed cluster with the COPIED flag", d -> patched(d, "compressed-zlib",
                b -> b.putLong(l2EntryAt("compressed-zlib", 0), l2Entry("compressed-zlib", 0) | COPIED))));
        c.add(either("compressed cluster inflating past the cluster", d -> compressedCase(d, "plain-64k",
                deflate(new byte[2 << 16]), -1)));
        c.add(either("compressed cluster inflating to fewer bytes", d -> compressedCase(d, "plain-64k",
                deflate(randomBytes(30_000, 1)), -1)));
        c.add(either("compressed cluster of garbage (deflate)", d -> compressedCase(d, "plain-64k",
                randomBytes(4000, 2), -1)));
        c.add(either("compressed cluster with the most sectors", d -> patched(d, "compressed-zlib", b -> {
            long e = l2Entry("compressed-zlib", 0);
            b.putLong(l2EntryAt("compressed-zlib", 0), e | (0xfL << (62 - 4)));
        })));
        c.add(either("zstd compressed cluster of garbage", d -> patched(d, "compressed-zstd", b -> {
            long e = l2Entry("compressed-zstd", 0);
            long host = e & ((1L << 58) - 1);
            b.put((int) host, randomBytes(200, 3));
        })));
        c.add(either("zstd compressed cluster inflating past the cluster", d -> zstdCase(d, Zstd.compress(new byte[8192]))));
        c.add(either("zstd compressed cluster inflating to fewer bytes", d -> zstdCase(d, Zstd.compress(new byte[1000]))));
        c.add(either("zstd compressed cluster: two frames, the second too long", d -> {
            byte[] a = Zstd.compress(new byte[2048]);
            byte[] z = Zstd.compress(new byte[4096]);
            byte[] both = Arrays.copyOf(a, a.length + z.length);
            System.arraycopy(z, 0, both, a.length, z.length);
            return zstdCase(d, both);
        }));
        c.add(either("zstd compressed cluster: empty frames only", d -> {
            byte[] e = Zstd.compress(new byte[0]);
            byte[] many = new byte[e.length * 20];
            for (int i = 0; i < 20; i++) {
                System.arraycopy(e, 0, many, i * e.length, e.length);
            }
            return zstdCase(d, many);
        }));
        c.add(either("compression type zstd without its feature bit", d -> patched(d, "plain-64k", b -> b.put(104, (byte) 1))));
        c.add(either("compression type 2 with the feature bit", d -> patched(d, "compressed-zstd", b -> b.put(104, (byte) 2))));
        // snapshots
        c.add(refused("nb_snapshots 65537", d -> patched(d, "snapshots", b -> b.putInt(60, 65537))));
        c.add(refused("nb_snapshots 2^32-1", d -> patched(d, "snapshots", b -> b.putInt(60, -1))));
        c.add(either("nb_snapshots 65536, table past EOF", d -> patched(d, "snapshots",
                b -> b.putInt(60, 65536).putLong(64, 1L << 30))));
        c.add(either("nb_snapshots 65536 over the real table", d -> patched(d, "snapshots", b -> b.putInt(60, 65536))));
        c.add(refused("snapshot table offset unaligned", d -> patched(d, "snapshots", b -> b.putLong(64, b.getLong(64) + 8))));
        c.add(refused("snapshot table offset 0", d -> patched(d, "snapshots", b -> b.putLong(64, 0))));
        c.add(either("snapshot id_size and name_size 0xffff", d -> patched(d, "snapshots", b -> {
            int at = (int) b.getLong(64);
            b.putShort(at + 12, (short) -1).putShort(at + 14, (short) -1);
        })));
        c.add(either("snapshot extra_data_size 2^32-1", d -> patched(d, "snapshots", b -> b.putInt((int) b.getLong(64) + 36, -1))));
        c.add(either("snapshot extra_data_size 1025", d -> patched(d, "snapshots", b -> b.putInt((int) b.getLong(64) + 36, 1025))));
        c.add(either("snapshot extra_data_size 4 (shorter than QEMU's)", d -> patched(d, "snapshots",
                b -> b.putInt((int) b.getLong(64) + 36, 4))));
        c.add(either("snapshot L1 size 2^31", d -> patched(d, "snapshots", b -> b.putInt((int) b.getLong(64) + 8, Integer.MIN_VALUE))));
        c.add(either("snapshot L1 size 4M entries past EOF", d -> patched(d, "snapshots",
                b -> b.putInt((int) b.getLong(64) + 8, 4 << 20).putLong((int) b.getLong(64), 1L << 32))));
        c.add(either("snapshot L1 offset unaligned", d -> patched(d, "snapshots",
                b -> b.putLong((int) b.getLong(64), b.getLong((int) b.getLong(64)) + 8))));
        c.add(either("snapshot L1 offset 0 (the header)", d -> patched(d, "snapshots", b -> b.putLong((int) b.getLong(64), 0))));
        c.add(either("snapshot disk size 2^63-1", d -> patched(d, "snapshots",
                b -> b.putLong((int) b.getLong(64) + 48, Long.MAX_VALUE))));
        // backing files
        c.add(refused("backing file name past the cluster", d -> patched(d, "backing", b -> b.putLong(8, 4096 - 4))));
        c.add(refused("backing file name offset 2^63-1", d -> patched(d, "backing", b -> b.putLong(8, Long.MAX_VALUE))));
        c.add(refused("backing file name offset 2^63-1000", d -> patched(d, "backing", b -> b.putLong(8, Long.MAX_VALUE - 1000))));
        c.add(refused("backing file name size 2^31-1", d -> patched(d, "backing", b -> b.putInt(16, Integer.MAX_VALUE))));
        c.add(refused("backing file name size 1024", d -> patched(d, "backing", b -> b.putInt(16, 1024))));
        c.add(either("backing file name with a NUL byte", d -> patched(d, "backing", b -> b.put((int) b.getLong(8) + 2, (byte) 0))));
        c.add(either("backing file name with a newline", d -> patched(d, "backing", b -> b.put((int) b.getLong(8) + 2, (byte) '\n'))));
        c.add(either("backing file name that is not UTF-8", d -> patched(d, "backing", b -> b.put((int) b.getLong(8) + 1, (byte) 0xff))));
        c.add(refused("backing file that does not exist", d -> {
            Path img = qemuCreateIn(d, "case.qcow2", "1M", "-u", "-b", "missing.qcow2", "-F", "qcow2");
            return img;
        }));
        c.add(refused("backing file is a folder", d -> {
            Files.createDirectory(d.resolve("folder"));
            return qemuCreateIn(d, "case.qcow2", "1M", "-u", "-b", "folder", "-F", "raw");
        }));
        c.add(refused("backing_fmt unknown", d -> patched(d, "backing", b -> {
            int at = extension(b, 0xe2792aca);
            b.put(at + 4, (byte) '9'); // qcow2 -> qcow9
        })));
        c.add(refused("backing_fmt qcow2 over a raw file", d -> {
            Files.write(d.resolve("plain.raw"), new byte[1 << 20]);
            return qemuCreateIn(d, "case.qcow2", "1M", "-u", "-b", "plain.raw", "-F", "qcow2");
        }));
        c.add(refused("backing chain a -> a", d -> qemuCreateIn(d, "case.qcow2", "1M", "-u", "-b", "case.qcow2", "-F", "qcow2")));
        c.add(refused("backing chain a -> b -> a", d -> {
            qemuCreateIn(d, "b.qcow2", "1M", "-u", "-b", "case.qcow2", "-F", "qcow2");
            return qemuCreateIn(d, "case.qcow2", "1M", "-u", "-b", "b.qcow2", "-F", "qcow2");
        }));
        c.add(refused("backing chain a -> b -> c -> b (probed formats)", d -> {
            qemuCreateIn(d, "c.qcow2", "1M", "-u", "-b", "b.qcow2", "-F", "qcow2");
            qemuCreateIn(d, "b.qcow2", "1M", "-u", "-b", "c.qcow2", "-F", "qcow2");
            Path img = qemuCreateIn(d, "case.qcow2", "1M", "-u", "-b", "b.qcow2", "-F", "qcow2");
            // drop the backing format extensions: formats are probed
            for (String n : List.of("case.qcow2", "b.qcow2", "c.qcow2")) {
                byte[] b = Files.readAllBytes(d.resolve(n));
                ByteBuffer bb = ByteBuffer.wrap(b);
                bb.putInt(extension(bb, 0xe2792aca) - 8, 0x12345678); // an unknown extension now
                Files.write(d.resolve(n), b);
            }
            return img;
        }));
        c.add(either("backing chain of 100 images", d -> {
            qemuCreateIn(d, "c00.qcow2", "1M");
            QemuImg.io(d.resolve("c00.qcow2"), "qcow2", "write -q -P 0x42 0 4k");
            byte[] template = Files.readAllBytes(qemuCreateIn(d, "t.qcow2", "1M", "-u", "-b", "c00.qcow2", "-F", "qcow2"));
            for (int i = 1; i < 100; i++) {
                byte[] b = template.clone();
                ByteBuffer bb = ByteBuffer.wrap(b);
                bb.put((int) bb.getLong(8), String.format("c%02d.qcow2", i - 1).getBytes(StandardCharsets.UTF_8));
                Files.write(d.resolve(String.format("c%02d.qcow2", i)), b);
            }
            return d.resolve("c99.qcow2");
        }));
        c.add(refused("deep backing chain: the message stays one line", d -> {
            Path last = qemuCreateIn(d, "x0.qcow2", "1M", "-u", "-b", "missing.qcow2", "-F", "qcow2");
            for (int i = 1; i < 10; i++) {
                last = qemuCreateIn(d, "x" + i + ".qcow2", "1M", "-u", "-b", "x" + (i - 1) + ".qcow2", "-F", "qcow2");
            }
            return last;
        }));
        // header extensions
        c.add(refused("header extension longer than the cluster", d -> patched(d, "backing",
                b -> b.putInt(extension(b, 0xe2792aca) - 4, 1 << 20))));
        c.add(refused("header extension length 2^32-1", d -> patched(d, "backing",
                b -> b.putInt(extension(b, 0xe2792aca) - 4, -1))));
        c.add(either("no end-of-extensions marker", d -> patched(d, "plain-4k", b -> {
            for (int i = b.getInt(100); i + 8 <= 4096; i += 8) {
                b.putInt(i, 0x1234).putInt(i + 4, 0);
            }
        })));
        c.add(either("bitmaps extension with a huge directory", d -> patched(d, "plain-64k", b -> {
            int at = b.getInt(100);
            b.putInt(at, 0x23852875).putInt(at + 4, 24);
            b.putInt(at + 8, 65535).putInt(at + 12, 0).putLong(at + 16, 64L << 20).putLong(at + 24, 1L << 30);
            b.putInt(at + 32, 0).putInt(at + 36, 0);
        })));
        c.add(either("bitmaps extension with a bitmap table past EOF", d -> patched(d, "plain-64k", b -> {
            int at = b.getInt(100);
            b.putInt(at, 0x23852875).putInt(at + 4, 24);
            b.putInt(at + 8, 1).putInt(at + 12, 0).putLong(at + 16, 4096).putLong(at + 24, 3L * 65536);
            b.putInt(at + 32, 0).putInt(at + 36, 0);
            int dir = 3 * 65536 + 1024; // inside the L1 table's cluster, after the entries: harmless bytes
            b.putLong(dir, 1L << 40).putInt(dir + 8, 1 << 20).putInt(dir + 12, 0).putShort(dir + 18, (short) 4).putInt(dir + 20, 0);
        })));
        c.add(either("bitmaps extension with a negative directory offset", d -> patched(d, "bitmaps", b -> {
            int at = extension(b, 0x23852875);
            b.putLong(at + 16, Long.MIN_VALUE + 4096);
        })));
        c.add(either("bitmaps extension with a negative bitmap table offset", d -> patched(d, "bitmaps", b -> {
            int at = extension(b, 0x23852875);
            int dir = (int) b.getLong(at + 16);
            b.putLong(dir, -4096L);
        })));
        // feature bits
        c.add(refused("unknown incompatible feature bit 5", d -> patched(d, "plain-64k", b -> b.putLong(72, b.getLong(72) | 1 << 5))));
        c.add(refused("unknown incompatible feature bit 63", d -> patched(d, "plain-64k", b -> b.putLong(72, b.getLong(72) | Long.MIN_VALUE))));
        c.add(refused("external data file bit", d -> patched(d, "plain-64k", b -> b.putLong(72, b.getLong(72) | 1 << 2))));
        c.add(refused("extended L2 bit", d -> patched(d, "plain-64k", b -> b.putLong(72, b.getLong(72) | 1 << 4))));
        c.add(new Case("unknown compatible feature bits", d -> patched(d, "plain-64k", b -> b.putLong(80, -2L)),
                Expect.WORKS, Expect.EITHER));
        c.add(new Case("unknown autoclear feature bits", d -> patched(d, "plain-64k", b -> b.putLong(88, -1L)),
                Expect.WORKS, Expect.EITHER));
        c.add(new Case("dirty bit, read-only open", d -> patched(d, "plain-64k", b -> b.putLong(72, b.getLong(72) | 1)),
                Expect.WORKS, Expect.EITHER));
        c.add(new Case("corrupt bit, read-write open", d -> patched(d, "plain-64k", b -> b.putLong(72, b.getLong(72) | 2)),
                Expect.WORKS, Expect.REFUSED));
        c.add(new Case("lazy refcounts, dirty, refcounts all zero", d -> {
            Path img = qemuCreateIn(d, "case.qcow2", "4M", "-o", "lazy_refcounts=on");
            QemuImg.io(img, "qcow2", "write -q -P 0x21 0 192k");
            byte[] b = Files.readAllBytes(img);
            ByteBuffer bb = ByteBuffer.wrap(b);
            bb.putLong(72, bb.getLong(72) | 1);
            int block = (int) bb.getLong((int) bb.getLong(48));
            Arrays.fill(b, block, block + 65536, (byte) 0);
            Files.write(img, b);
            return img;
        }, Expect.WORKS, Expect.EITHER));
        return c;
    }

    /** A 512-byte-cluster image with an L1 table of 4M entries (32 MiB, QEMU's limit) that all alias one L2 table, or point past EOF. */
    private static Path bigL1(Path dir, boolean pastEof) throws IOException {
        Path img = qemuCreateIn(dir, "case.qcow2", "1M", "-o", "cluster_size=512");
        QemuImg.io(img, "qcow2", "write -q -P 0x31 0 32k");
        byte[] b = Files.readAllBytes(img);
        ByteBuffer bb = ByteBuffer.wrap(b);
        long l2 = bb.getLong((int) bb.getLong(40)) & 0x00ff_ffff_ffff_fe00L;
        int entries = 4 << 20;
        long l1 = (b.length + 511) & ~511L;
        ByteBuffer table = ByteBuffer.allocate(entries * 8);
        for (int i = 0; i < entries; i++) {
            table.putLong(i * 8, pastEof ? COPIED | (1L << 40) + ((long) i << 9) : COPIED | l2);
        }
        bb.putLong(24, (long) entries * 64 * 512).putInt(36, entries).putLong(40, l1);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(b), 0);
            ch.write(table, l1);
        }
        return img;
    }

    private static Path zstdCase(Path dir, byte[] stream) throws IOException {
        String base = "compressed-zstd";
        long e = l2Entry(base, 0);
        long host = e & ((1L << 58) - 1);
        long sectors = Math.max(1, (stream.length + 511) / 512);
        long entry = COMPRESSED | host | ((sectors - 1) << 58);
        return patched(dir, base, b -> {
            b.putLong(l2EntryAt(base, 0), entry);
            b.put((int) host, stream);
        });
    }

    /** Runs one hand-made case: the rules, and its expectations. */
    private void runCase(Case c, Path caseDir) throws Throwable {
        Path img = c.maker().make(caseDir);
        if (c.isolated()) {
            runIsolated(c, img);
            return;
        }
        Outcome o;
        try {
            o = assertTimeoutPreemptively(CASE_TIMEOUT.plusSeconds(5), () -> exerciseWithTimeout(img, true, CASE_TIMEOUT),
                    c.name() + ": did not finish in " + CASE_TIMEOUT.toSeconds() + " s");
        } catch (Violation v) {
            throw new AssertionError(c.name() + ": " + v.getMessage(), v.getCause() != null ? v.getCause() : v);
        }
        System.out.println(c.name() + ": " + o);
        if (c.readOnly() == Expect.REFUSED) {
            assertThat(o.readOnly).as("%s: the read-only open must be refused", c.name()).isNotNull();
        } else if (c.readOnly() == Expect.WORKS) {
            assertThat(o.readOnly).as("%s: the read-only open must work", c.name()).isNull();
        }
        if (c.readWrite() == Expect.REFUSED) {
            assertThat(o.readWrite).as("%s: the read-write open must be refused", c.name()).isNotNull();
        } else if (c.readWrite() == Expect.WORKS) {
            assertThat(o.readWrite).as("%s: the read-write open must work", c.name()).isNull();
        }
        assertThat(o.findings).as("%s: jvirt kept the image's header and read back what it wrote", c.name()).isEmpty();
    }

    /** Time and heap a child JVM gets for an isolated case. */
    private static final int ISOLATED_SECONDS = 10;
    private static final String ISOLATED_HEAP = "-Xmx256m";

    private static void runIsolated(Case c, Path img) throws Exception {
        List<String> cmd = ChildJvm.command(FuzzProbe.class, List.of(ISOLATED_HEAP),
                img.toString(), "true");
        Path out = img.resolveSibling("probe.out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        long t0 = System.nanoTime();
        boolean done = p.waitFor(ISOLATED_SECONDS, TimeUnit.SECONDS);
        if (!done) {
            // where it is stuck, for the report: jstack would need the JDK's tools; a thread dump to stdout does it
            ProcessHandle.of(p.pid()).ifPresent(h -> {
                try {
                    new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
                    Thread.sleep(500);
                } catch (IOException | InterruptedException e) {
                    // no thread dump then
                }
            });
            p.destroyForcibly().waitFor();
        }
        String text = Files.readString(out);
        String stuck = stuckFrames(text);
        String phase = text.lines().filter(l -> l.startsWith("PHASE ")).reduce((a, b) -> b).orElse("PHASE ?").substring(6);
        System.out.printf("%s (child JVM, %s): exit %s after %.1f s in the %s phase: %s%n", c.name(), ISOLATED_HEAP,
                done ? Integer.toString(p.exitValue()) : "none", (System.nanoTime() - t0) / 1e9, phase,
                text.lines().filter(l -> !l.startsWith("PHASE ")).limit(2).toList());
        assertThat(done).as("%s: the child JVM finished within %d s (a hang otherwise); in the %s phase it was at:%n%s",
                c.name(), ISOLATED_SECONDS, phase, stuck).isTrue();
        assertThat(text).as("%s: no OutOfMemoryError with %s (in the %s phase)", c.name(), ISOLATED_HEAP, phase)
                .doesNotContain("OutOfMemoryError");
        assertThat(p.exitValue()).as("%s: every rule held:%n%s", c.name(), abbreviate(text)).isZero();
    }

    /** The frames of the fuzz thread (or main) in a thread dump, for a hang's report. */
    private static String stuckFrames(String dump) {
        int at = dump.indexOf("\"main\"");
        if (at < 0) {
            return "(no thread dump)";
        }
        return dump.substring(at, Math.min(dump.length(), at + 2500));
    }

    private static String abbreviate(String s) {
        return s.length() > 4000 ? s.substring(0, 4000) + "…" : s;
    }

    @TestFactory
    List<DynamicNode> hostileImages() {
        List<DynamicNode> tests = new ArrayList<>();
        List<DynamicNode> truncated = new ArrayList<>();
        for (int n = 0; n <= 104; n++) {
            int length = n;
            truncated.add(dynamicTest(length + " bytes", () -> {
                Path caseDir = Files.createDirectories(dir.resolve("truncated-" + length));
                Path img = truncated(caseDir, "plain-64k", length);
                Outcome o = assertTimeoutPreemptively(CASE_TIMEOUT.plusSeconds(5), () -> exerciseWithTimeout(img, true, CASE_TIMEOUT));
                if (length < 104) {
                    assertThat(o.readOnly).as("a header of %d bytes must be refused", length).isNotNull();
                    assertThat(o.readWrite).as("a header of %d bytes must be refused", length).isNotNull();
                }
            }));
        }
        tests.add(DynamicContainer.dynamicContainer("truncated header", truncated));
        int i = 0;
        for (Case c : cases()) {
            int n = i++;
            tests.add(dynamicTest(c.name(), () -> runCase(c, Files.createDirectories(dir.resolve("case" + n)))));
        }
        return tests;
    }

    /**
     * An L2 entry (COPIED, so written in place) that points at the image's own metadata: a guest
     * write there must not land on the L1 table or the refcount table. QEMU's overlap check
     * refuses such writes and marks the image corrupt; jvirt checks only clusters it allocates.
     */
    @Test
    void inPlaceGuestWriteDoesNotOverwriteMetadata() throws Exception {
        List<String> damaged = new ArrayList<>();
        for (String what : List.of("L1 table", "refcount table", "refcount block")) {
            Path caseDir = Files.createDirectories(dir.resolve(what.replace(' ', '-')));
            long[] target = new long[1];
            Path img = patched(caseDir, "plain-64k", b -> {
                target[0] = switch (what) {
                    case "L1 table" -> b.getLong(40);
                    case "refcount table" -> b.getLong(48);
                    default -> b.getLong((int) b.getLong(48));
                };
                b.putLong(l2EntryAt("plain-64k", 0), COPIED | target[0]);
            });
            byte[] before = Arrays.copyOfRange(Files.readAllBytes(img), (int) target[0], (int) target[0] + 4096);
            try (BlockDevice d = ImageFormats.open(img, ImageFormats.QCOW2, OpenOptions.forWriting())) {
                d.write(0, MemorySegment.ofArray(CrashWriter.data(9, 4096)));
                d.flush();
            } catch (IOException e) {
                requireGoodMessage(e, img, what);
                continue; // refused: fine
            }
            byte[] after = Arrays.copyOfRange(Files.readAllBytes(img), (int) target[0], (int) target[0] + 4096);
            if (!Arrays.equals(before, after)) {
                damaged.add("a guest write to cluster 0 overwrote the " + what + " at 0x" + Long.toHexString(target[0]));
            }
        }
        assertThat(damaged).as("metadata overwritten by guest data").isEmpty();
    }

    /**
     * Refcounts that call the header and the tables free: jvirt must not put a refcount block,
     * an L2 table or data over them (QEMU refuses such writes and marks the image corrupt).
     */
    @Test
    void zeroedRefcountTableDoesNotLetWritesDestroyTheHeader() throws Exception {
        Path img = patched(dir, "plain-64k", b -> {
            int table = (int) b.getLong(48);
            Arrays.fill(b.array(), table, table + 65536, (byte) 0); // no refcount blocks: every cluster reads as free
        });
        Outcome o = assertTimeoutPreemptively(CASE_TIMEOUT.plusSeconds(5), () -> exerciseWithTimeout(img, true, CASE_TIMEOUT));
        System.out.println("zeroed refcount table: " + o);
        assertThat(o.findings).as("what writing to the image did to it").isEmpty();
    }
}
