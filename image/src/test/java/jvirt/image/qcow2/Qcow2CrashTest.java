package jvirt.image.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.image.QemuImg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of the qcow2 writer: a {@link CrashWriter} child JVM runs a random workload on an
 * image and is killed with SIGKILL at a random point; then {@code qemu-img check} must find the
 * image clean or leaking only, jvirt's own check must agree, and everything the journal says was
 * flushed must read back, through jvirt and through qemu. Bytes of operations after the last
 * flush may hold any value one of the candidate operations (or the state before them) gives.
 *
 * <p>{@code -Djvirt.crash.rounds=N} (default 48) sets the kill rounds spread over the scenarios,
 * {@code -Djvirt.crash.lazyRounds=N} (default 12) those of the lazy-refcounts test and
 * {@code -Djvirt.crash.seed=S} the master seed. A failing round leaves its image, backing file and
 * journal under {@code target/qcow2-crash-failures/}.
 */
class Qcow2CrashTest {
    private static final long SEED = Long.getLong("jvirt.crash.seed", System.nanoTime());
    private static final int ROUNDS = Integer.getInteger("jvirt.crash.rounds", 48);
    private static final int LAZY_ROUNDS = Integer.getInteger("jvirt.crash.lazyRounds", 12);
    private static final Path FAILURES = Path.of("target", "qcow2-crash-failures");

    @TempDir
    Path dir;

    /** How a scenario makes its image (in {@code dir}, named {@code disk.qcow2}) and how the writer treats it. */
    private record Scenario(String name, Setup setup, String flags, int freshEvery, int snapshotEvery) {
    }

    private interface Setup {
        Path create(Path dir) throws IOException;
    }

    // ---- scenarios ---------------------------------------------------------------------------------

    private static Path qemuCreate(Path dir, String size, String... options) throws IOException {
        Path img = dir.resolve("disk.qcow2");
        Files.deleteIfExists(img);
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

    /** qemu-io writes of seeded patterns over the image, so that it starts with data (and, with a snapshot, shares it). */
    private static void fill(Path img, long seed, long size, int writes) throws IOException {
        Random r = new Random(seed);
        String[] cmds = new String[writes];
        for (int i = 0; i < writes; i++) {
            long len = (1 + r.nextInt(64)) * 4096L;
            long off = (r.nextLong(size - len)) & ~4095L;
            cmds[i] = "write -q -P 0x" + Integer.toHexString(1 + r.nextInt(255)) + " " + off + " " + len;
        }
        QemuImg.io(img, "qcow2", cmds);
    }

    private static List<Scenario> scenarios() {
        return List.of(
                new Scenario("64k-fresh-jvirt-created", d -> {
                    Path img = d.resolve("disk.qcow2");
                    ImageFormats.QCOW2.create(img, 48 << 20, Map.of());
                    return img;
                }, "sg,reopen", 1, 0),
                new Scenario("64k-reused", d -> qemuCreate(d, "48M"), "sg", 0, 0),
                new Scenario("512-refcount64-table-growth", d -> qemuCreate(d, "64M", "cluster_size=512",
                        "refcount_bits=64"), "sg", 0, 0),
                new Scenario("512-refcount16-jvirt-created", d -> {
                    Path img = d.resolve("disk.qcow2");
                    ImageFormats.QCOW2.create(img, 64 << 20, Map.of("cluster_size", "512"));
                    return img;
                }, "", 0, 0),
                new Scenario("4k-refcount1", d -> qemuCreate(d, "32M", "cluster_size=4096", "refcount_bits=1"),
                        "reopen", 0, 0),
                new Scenario("2M-clusters", d -> qemuCreate(d, "48M", "cluster_size=2M"), "", 0, 0),
                new Scenario("backing-qcow2", d -> {
                    Path base = d.resolve("base.qcow2");
                    Files.deleteIfExists(base);
                    QemuImg.ok("create", "-q", "-f", "qcow2", "-o", "cluster_size=65536", base.toString(), "32M");
                    fill(base, 7, 32 << 20, 40);
                    return qemuCreate(d, "32M", "cluster_size=4096", "backing_file=base.qcow2", "backing_fmt=qcow2");
                }, "sg", 0, 0),
                new Scenario("internal-snapshot-cow", d -> {
                    Path img = qemuCreate(d, "32M", "cluster_size=16384");
                    fill(img, 11, 32 << 20, 60);
                    QemuImg.ok("snapshot", "-c", "s0", img.toString());
                    fill(img, 12, 32 << 20, 10);
                    return img;
                }, "", 0, 3),
                new Scenario("compressed-by-qemu", d -> {
                    Path src = d.resolve("src.qcow2");
                    Files.deleteIfExists(src);
                    QemuImg.ok("create", "-q", "-f", "qcow2", src.toString(), "32M");
                    fill(src, 13, 32 << 20, 80);
                    Path img = d.resolve("disk.qcow2");
                    Files.deleteIfExists(img);
                    QemuImg.ok("convert", "-c", "-f", "qcow2", "-O", "qcow2", "-o", "cluster_size=8192", src.toString(),
                            img.toString());
                    Files.delete(src);
                    return img;
                }, "", 0, 0),
                new Scenario("zstd-compressed-by-qemu-v2-style-writes", d -> {
                    Path src = d.resolve("src.qcow2");
                    Files.deleteIfExists(src);
                    QemuImg.ok("create", "-q", "-f", "qcow2", src.toString(), "32M");
                    fill(src, 17, 32 << 20, 80);
                    Path img = d.resolve("disk.qcow2");
                    Files.deleteIfExists(img);
                    QemuImg.ok("convert", "-c", "-f", "qcow2", "-O", "qcow2", "-o",
                            "cluster_size=65536,compression_type=zstd", src.toString(), img.toString());
                    Files.delete(src);
                    return img;
                }, "", 0, 0),
                new Scenario("v2-compat-0.10-backing-raw", d -> {
                    Path base = d.resolve("base.raw");
                    byte[] raw = new byte[16 << 20];
                    new Random(19).nextBytes(raw);
                    Files.write(base, raw);
                    return qemuCreate(d, "24M", "compat=0.10", "backing_file=base.raw", "backing_fmt=raw");
                }, "", 0, 0),
                new Scenario("jvirt-compressed-writes", d -> qemuCreate(d, "32M", "cluster_size=4096"), "compressed", 0, 0));
    }

    // ---- the tests -----------------------------------------------------------------------------------

    @Test
    void killedWriterLeavesConsistentImage() throws Exception {
        List<Scenario> all = scenarios();
        List<String> failures = new ArrayList<>();
        System.out.println("Qcow2CrashTest seed " + SEED + " (-Djvirt.crash.seed=" + SEED + "), " + ROUNDS + " rounds");
        long start = System.nanoTime();
        int perScenario = Math.max(1, ROUNDS / all.size());
        int extra = Math.max(0, ROUNDS - perScenario * all.size());
        for (int i = 0; i < all.size(); i++) {
            Scenario s = all.get(i);
            Path sdir = Files.createDirectory(dir.resolve("s" + i));
            new Runner(s, sdir, SEED + i * 1_000_003L, false, failures).run(perScenario + (i < extra ? 1 : 0));
        }
        System.out.printf("Qcow2CrashTest: %d rounds in %.1f s, %d failures%n", ROUNDS,
                (System.nanoTime() - start) / 1e9, failures.size());
        assertThat(failures).as("crash rounds that failed (seed %d)", SEED).isEmpty();
    }

    /**
     * Lazy refcounts: a killed writer leaves the image dirty, and qemu-img check may report
     * errors then; opening it read-write with jvirt repairs it, after which check is clean or
     * leaks only and the flushed data reads back.
     */
    @Test
    void lazyRefcountsAreRepairedOnOpen() throws Exception {
        List<String> failures = new ArrayList<>();
        List<Scenario> lazy = List.of(
                new Scenario("lazy-64k", d -> qemuCreate(d, "32M", "lazy_refcounts=on"), "reopen", 0, 0),
                new Scenario("lazy-512-refcount16", d -> qemuCreate(d, "32M", "cluster_size=512", "lazy_refcounts=on"),
                        "sg", 0, 0));
        for (int i = 0; i < lazy.size(); i++) {
            Path sdir = Files.createDirectory(dir.resolve("lazy" + i));
            int rounds = LAZY_ROUNDS / lazy.size() + (i < LAZY_ROUNDS % lazy.size() ? 1 : 0);
            new Runner(lazy.get(i), sdir, SEED + 77 + i, true, failures).run(Math.max(1, rounds));
        }
        assertThat(failures).as("lazy-refcount rounds that failed (seed %d)", SEED).isEmpty();
    }

    /**
     * The smallest form of the lazy-refcount case: qemu-img leaves a dirty image (a qemu-io
     * write with lazy refcounts is aborted before it can clean up), jvirt opens it read-write
     * and closes it without writing. jvirt's repair must reach the disk before the dirty bit is
     * cleared.
     */
    @Test
    void lazyDirtyImageOpenedAndClosedByJvirtIsClean() throws Exception {
        Path img = qemuCreate(dir, "16M", "lazy_refcounts=on");
        // "sigraise 9" kills qemu-io after the write, before it closes: the dirty bit stays set.
        QemuImg.Result r = qemuIo(img, "write -P 0x5a 0 1M", "sigraise 9");
        assertThat(r.exit()).as("qemu-io killed itself").isNotZero();
        assertThat(QemuImg.run("info", "--output=json", img.toString()).json().path("dirty-flag").asBoolean())
                .as("image is dirty after the kill").isTrue();
        try (BlockDevice d = ImageFormats.open(img, ImageFormats.QCOW2, OpenOptions.forWriting())) {
            assertThat(d.size()).isEqualTo(16 << 20);
        }
        QemuImg.Result check = QemuImg.run("check", img.toString());
        assertThat(check.exit()).as("qemu-img check after jvirt's repair-on-open:\n%s%s", check.out(), check.err())
                .isIn(0, 3);
    }

    /**
     * writeCompressed packs clusters after the last compressed one ({@code freeByte}). When that
     * host cluster is freed and reused for normal data before the next compressed write, the
     * next compressed cluster must not be packed into it.
     */
    @Test
    void compressedWriteDoesNotPackIntoAFreedAndReusedCluster() throws Exception {
        Path img = qemuCreate(dir, "1M", "cluster_size=4096");
        int cs = 4096;
        byte[] expected = new byte[1 << 20];
        try (Qcow2Image q = (Qcow2Image) ImageFormats.open(img, ImageFormats.QCOW2, OpenOptions.forWriting())) {
            byte[] a = CrashWriter.compressible(1, cs);
            q.writeCompressed(0, MemorySegment.ofArray(a)); // packed at the start of a fresh host cluster H
            System.arraycopy(a, 0, expected, 0, cs);
            byte[] b = CrashWriter.data(2, cs);
            q.write(0, MemorySegment.ofArray(b)); // guest cluster 0 moves to a new cluster; H is released
            System.arraycopy(b, 0, expected, 0, cs);
            q.flush(); // H's count drops to 0: free
            byte[] c = CrashWriter.data(3, cs);
            q.write(8 * cs, MemorySegment.ofArray(c)); // takes the lowest free cluster: H
            System.arraycopy(c, 0, expected, 8 * cs, cs);
            byte[] d = CrashWriter.compressible(4, cs);
            q.writeCompressed(16 * cs, MemorySegment.ofArray(d)); // must not go into H after a's bytes
            System.arraycopy(d, 0, expected, 16 * cs, cs);
            q.flush();
            byte[] back = new byte[expected.length];
            q.read(0, MemorySegment.ofArray(back));
            assertThat(mismatch(back, expected)).as("first differing byte read through jvirt").isEqualTo(-1);
        }
        QemuImg.Result check = QemuImg.run("check", img.toString());
        assertThat(check.exit()).as("qemu-img check:\n%s%s", check.out(), check.err()).isIn(0, 3);
        assertThat(mismatch(qemuRaw(img, dir.resolve("c.raw")), expected)).as("first differing byte read through qemu")
                .isEqualTo(-1);
    }

    private static int mismatch(byte[] a, byte[] b) {
        return Arrays.mismatch(a, b);
    }

    // ---- one scenario's rounds -----------------------------------------------------------------------

    /** One journal record. */
    private record Op(long type, long offset, long length, long seed) {
        boolean changesData() {
            return type == CrashWriter.WRITE || type == CrashWriter.ZEROES || type == CrashWriter.DISCARD
                    || type == CrashWriter.COMPRESSED;
        }

        /** The bytes this operation leaves in its range, or null when they are unspecified (a discard). */
        byte[] bytes() {
            if (type == CrashWriter.WRITE) {
                return CrashWriter.data(seed, (int) length);
            } else if (type == CrashWriter.COMPRESSED) {
                return CrashWriter.compressible(seed, (int) length);
            } else if (type == CrashWriter.ZEROES) {
                return new byte[(int) length];
            }
            return null;
        }

        @Override
        public String toString() {
            String t = switch ((int) type) {
                case 0 -> "OPEN";
                case 1 -> "WRITE";
                case 2 -> seed != 0 ? "ZEROES(unmap)" : "ZEROES";
                case 3 -> "DISCARD";
                case 4 -> "FLUSH";
                case 5 -> "COMPRESSED";
                case 6 -> "REOPEN";
                default -> "?" + type;
            };
            return t + (changesData() ? " " + offset + "+" + length + (type == 1 || type == 5 ? " seed " + seed : "") : "");
        }
    }

    private final class Runner {
        private final Scenario scenario;
        private final Path sdir;
        private final SplittableRandom random;
        private final boolean lazy;
        private final List<String> failures;
        private Path img;
        private byte[] baseline;
        private int snapshots;

        Runner(Scenario scenario, Path sdir, long seed, boolean lazy, List<String> failures) {
            this.scenario = scenario;
            this.sdir = sdir;
            this.random = new SplittableRandom(seed);
            this.lazy = lazy;
            this.failures = failures;
        }

        void run(int rounds) throws Exception {
            fresh();
            int maxRefcountTable = 0;
            for (int round = 0; round < rounds; round++) {
                maxRefcountTable = Math.max(maxRefcountTable, headerInt(img, 56));
                if (round > 0 && scenario.freshEvery > 0 && round % scenario.freshEvery == 0) {
                    fresh();
                }
                if (round > 0 && scenario.snapshotEvery > 0 && round % scenario.snapshotEvery == 0) {
                    QemuImg.ok("snapshot", "-c", "r" + (++snapshots), img.toString());
                }
                long writerSeed = random.nextLong();
                String where = scenario.name + " round " + round + " writer seed " + writerSeed;
                try {
                    round(writerSeed, where);
                } catch (AssertionError | Exception e) {
                    String saved = save(round);
                    String message = where + ": " + e.getMessage() + " [image, journal saved in " + saved + "]";
                    System.out.println("FAILURE " + message);
                    if (!(e instanceof AssertionError)) {
                        e.printStackTrace(System.out);
                    }
                    failures.add(message);
                    fresh(); // the image's state is unknown now: start over
                }
            }
            maxRefcountTable = Math.max(maxRefcountTable, headerInt(img, 56));
            System.out.printf("%s: %d rounds; refcount table grew to %d clusters; file %d bytes; l1_size %d%n",
                    scenario.name, rounds, maxRefcountTable, Files.size(img), headerInt(img, 36));
        }

        private void fresh() throws IOException {
            try (Stream<Path> files = Files.list(sdir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            img = scenario.setup.create(sdir);
            snapshots = 0;
            byte[] viaQemu = qemuRaw(img, sdir.resolve("actual.raw"));
            byte[] viaJvirt = jvirtRead(img);
            assertThat(mismatch(viaJvirt, viaQemu)).as("%s: jvirt reads the new image as qemu does", scenario.name)
                    .isEqualTo(-1);
            baseline = viaQemu;
        }

        private String save(int round) {
            try {
                Path to = FAILURES.resolve(scenario.name + "-" + SEED + "-" + round);
                Files.createDirectories(to);
                try (Stream<Path> files = Files.list(sdir)) {
                    for (Path p : files.toList()) {
                        if (!p.getFileName().toString().endsWith(".raw") || p.getFileName().toString().startsWith("base")) {
                            Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
                return to.toAbsolutePath().toString();
            } catch (IOException e) {
                return "(not saved: " + e + ")";
            }
        }

        private void round(long writerSeed, String where) throws Exception {
            Path journal = sdir.resolve("journal");
            Files.deleteIfExists(journal);
            Path stderr = sdir.resolve("writer.err");
            Process p = startWriter(img, journal, writerSeed, scenario.flags, stderr);
            CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader in = p.inputReader()) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.equals("READY")) {
                            return true;
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
                return false;
            });
            long delay;
            if (random.nextInt(7) == 0) {
                delay = random.nextLong(600); // often before the image is even open: kills during open (and repair)
                Thread.sleep(delay);
            } else {
                boolean up;
                try {
                    up = ready.get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    up = false;
                }
                if (!up) {
                    p.destroyForcibly().waitFor();
                    throw new AssertionError("the writer did not start: " + Files.readString(stderr));
                }
                delay = 20 + random.nextLong(780);
                Thread.sleep(delay);
            }
            if (!p.isAlive()) {
                throw new AssertionError("the writer died by itself (exit " + p.exitValue() + "):\n"
                        + Files.readString(stderr));
            }
            p.destroyForcibly(); // SIGKILL
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the killed writer did not exit");
            }
            List<Op> ops = readJournal(journal);
            int lastFlush = -1;
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i).type == CrashWriter.FLUSH) {
                    lastFlush = i;
                }
            }
            long dataOps = ops.stream().filter(Op::changesData).count();
            System.out.printf("%s: killed after %d ms, %d ops (%d before the last flush)%n", where, delay, dataOps,
                    ops.subList(0, lastFlush + 1).stream().filter(Op::changesData).count());

            String detail = where + " (killed after " + delay + " ms, " + ops.size() + " journal records, last flush at "
                    + lastFlush + ")";
            boolean clean = true;
            if (lazy) {
                QemuImg.Result dirty = QemuImg.run("check", "--output=json", img.toString());
                System.out.printf("  lazy: qemu-img check of the killed image exits %d%n", dirty.exit());
                if (random.nextInt(3) != 0) {
                    // jvirt repairs a dirty image when it opens it read-write; closing leaves it clean.
                    ImageFormats.open(img, ImageFormats.QCOW2, OpenOptions.forWriting()).close();
                    checkClean(detail + ", after jvirt's repair-on-open");
                } else {
                    clean = false; // left dirty: the next writer's open repairs it; reads need no repair
                }
            } else {
                checkClean(detail);
            }
            byte[] viaQemu = qemuRaw(img, sdir.resolve("actual.raw"));
            byte[] viaJvirt = jvirtRead(img);
            int m = mismatch(viaJvirt, viaQemu);
            if (m >= 0) {
                throw new AssertionError(detail + ": jvirt and qemu read the image differently from byte " + m
                        + " (jvirt " + viaJvirt[m] + ", qemu " + viaQemu[m] + ")");
            }
            verify(ops, lastFlush, viaJvirt, detail);
            if (clean && random.nextInt(4) != 0) {
                repairLeaks(detail, viaJvirt); // else leaks stay: the next writer allocates around them
            }
            baseline = viaJvirt;
        }

        /** qemu-img check is clean or leaks only, and jvirt's check finds what it finds. */
        private void checkClean(String detail) throws IOException {
            QemuImg.Result check = QemuImg.run("check", "--output=json", img.toString());
            if (check.exit() != 0 && check.exit() != 3) {
                String human = QemuImg.run("check", img.toString()).out();
                throw new AssertionError(detail + ": qemu-img check exits " + check.exit() + ":\n" + abbreviate(human)
                        + abbreviate(check.err()));
            }
            JsonNode json = check.json();
            long qemuLeaks = json.path("leaks").asLong(0);
            Qcow2Check.Result jvirt;
            try (Qcow2Image q = Qcow2Image.open(img, OpenOptions.forReading().withoutBacking())) {
                jvirt = q.check(Qcow2Check.Repair.NONE);
            }
            if (jvirt.corruptions() != 0 || jvirt.checkErrors() != 0) {
                throw new AssertionError(detail + ": qemu-img check is clean (" + qemuLeaks + " leaks) but jvirt's check"
                        + " reports " + jvirt.corruptions() + " corruptions, " + jvirt.checkErrors() + " errors: "
                        + abbreviate(String.join("\n", jvirt.messages())));
            }
            if (jvirt.leaks() != qemuLeaks) {
                throw new AssertionError(detail + ": qemu-img check reports " + qemuLeaks + " leaked clusters, jvirt's check "
                        + jvirt.leaks() + ": " + abbreviate(String.join("\n", jvirt.messages())));
            }
        }

        /** Leaks are repaired, by qemu-img or by jvirt in turn, and the image is clean after. */
        private void repairLeaks(String detail, byte[] before) throws IOException {
            boolean byQemu = random.nextBoolean();
            if (byQemu) {
                QemuImg.Result r = QemuImg.run("check", "-r", "leaks", img.toString());
                if (r.exit() != 0) {
                    throw new AssertionError(detail + ": qemu-img check -r leaks exits " + r.exit() + ": " + abbreviate(r.out()));
                }
            } else {
                try (Qcow2Image q = Qcow2Image.open(img, OpenOptions.forWriting().withoutBacking())) {
                    q.check(Qcow2Check.Repair.LEAKS);
                }
                QemuImg.Result r = QemuImg.run("check", img.toString());
                if (r.exit() != 0) {
                    throw new AssertionError(detail + ": after jvirt's check -r leaks, qemu-img check exits " + r.exit()
                            + ": " + abbreviate(r.out()));
                }
            }
            if (random.nextInt(4) == 0) {
                byte[] after = jvirtRead(img);
                int m = mismatch(after, before);
                if (m >= 0) {
                    throw new AssertionError(detail + ": repairing leaks (" + (byQemu ? "qemu-img" : "jvirt")
                            + ") changed the disk's contents at byte " + m);
                }
            }
        }

        /**
         * Checks what the disk reads against the journal: bytes no operation after the last flush
         * touched must be what the flushed operations left; the others may be any value that
         * state or one of the later operations gives.
         */
        private void verify(List<Op> ops, int lastFlush, byte[] actual, String detail) {
            byte[] expected = baseline.clone();
            BitSet any = new BitSet();
            for (int i = 0; i < lastFlush; i++) {
                Op op = ops.get(i);
                if (!op.changesData()) {
                    continue;
                }
                byte[] bytes = op.bytes();
                if (bytes == null) {
                    any.set((int) op.offset, (int) (op.offset + op.length));
                } else {
                    System.arraycopy(bytes, 0, expected, (int) op.offset, bytes.length);
                    any.clear((int) op.offset, (int) (op.offset + op.length));
                }
            }
            BitSet later = new BitSet();
            for (int i = lastFlush + 1; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (op.changesData()) {
                    later.set((int) op.offset, (int) (op.offset + op.length));
                }
            }
            BitSet unchecked = (BitSet) any.clone();
            unchecked.or(later);
            // Bytes nothing after the last flush touched: exactly what the flushed operations left.
            int at = 0;
            while (at < actual.length) {
                int end = unchecked.nextSetBit(at);
                if (end < 0) {
                    end = actual.length;
                }
                if (end > at) {
                    int m = Arrays.mismatch(actual, at, end, expected, at, end);
                    if (m >= 0) {
                        throw new AssertionError(detail + ": flushed data lost: " + describe(at + m, actual, expected, ops,
                                lastFlush));
                    }
                }
                at = unchecked.nextClearBit(end);
            }
            // Bytes of later operations: the flushed state or one of the later values.
            BitSet ok = new BitSet();
            for (int i = later.nextSetBit(0); i >= 0; i = later.nextSetBit(i + 1)) {
                if (actual[i] == expected[i] || any.get(i)) {
                    ok.set(i);
                }
            }
            for (int i = lastFlush + 1; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (!op.changesData()) {
                    continue;
                }
                byte[] bytes = op.bytes();
                for (int j = 0; j < op.length; j++) {
                    if (bytes == null || actual[(int) op.offset + j] == bytes[j]) {
                        ok.set((int) op.offset + j);
                    }
                }
            }
            later.andNot(ok);
            if (!later.isEmpty()) {
                throw new AssertionError(detail + ": a byte written after the last flush reads as a value no write put"
                        + " there: " + describe(later.nextSetBit(0), actual, expected, ops, lastFlush));
            }
        }

        private String describe(int at, byte[] actual, byte[] expected, List<Op> ops, int lastFlush) {
            int end = at;
            while (end < actual.length && actual[end] != expected[end]) {
                end++;
            }
            StringBuilder s = new StringBuilder("guest byte " + at + " (0x" + Long.toHexString(at) + ") reads "
                    + actual[at] + ", expected " + expected[at] + " (" + (end - at) + " bytes differ from there); operations on it:");
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (op.changesData() && op.offset <= at && at < op.offset + op.length) {
                    s.append(" #").append(i).append(i <= lastFlush ? " " : " (unflushed) ").append(op);
                }
            }
            return s.toString();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    /** A big-endian 32-bit field of the image's header. */
    private static int headerInt(Path img, int at) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(img)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            ch.read(b, at);
            return b.getInt(0);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 3000 ? s.substring(0, 3000) + "…" : s;
    }

    private static Process startWriter(Path img, Path journal, long seed, String flags, Path stderr) throws IOException {
        List<String> cmd = ChildJvm.command(CrashWriter.class, List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xmx512m"), img.toString(), journal.toString(), Long.toString(seed), flags);
        return new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
    }

    private static List<Op> readJournal(Path journal) throws IOException {
        List<Op> ops = new ArrayList<>();
        if (!Files.exists(journal)) {
            return ops;
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(journal));
        while (b.remaining() >= CrashWriter.RECORD) {
            ops.add(new Op(b.getLong(), b.getLong(), b.getLong(), b.getLong()));
        }
        return ops;
    }

    private static QemuImg.Result qemuIo(Path img, String... commands) throws IOException {
        List<String> args = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (String c : commands) {
            args.add("-c");
            args.add(c);
        }
        args.add(img.toString());
        try {
            Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor(60, TimeUnit.SECONDS);
            return new QemuImg.Result(p.exitValue(), out, "");
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }

    /** The disk's bytes as qemu reads them (backing chain included). */
    static byte[] qemuRaw(Path img, Path raw) throws IOException {
        Files.deleteIfExists(raw);
        QemuImg.ok("convert", "-f", "qcow2", "-O", "raw", img.toString(), raw.toString());
        byte[] b = Files.readAllBytes(raw);
        Files.delete(raw);
        return b;
    }

    /** The disk's bytes as jvirt reads them (backing chain included). */
    static byte[] jvirtRead(Path img) throws IOException {
        try (BlockDevice d = ImageFormats.open(img, ImageFormats.QCOW2, OpenOptions.forReading())) {
            byte[] all = new byte[Math.toIntExact(d.size())];
            MemorySegment seg = MemorySegment.ofArray(all);
            for (long at = 0; at < all.length; at += 4 << 20) {
                d.read(at, seg.asSlice(at, Math.min(4 << 20, all.length - at)));
            }
            return all;
        }
    }
}
