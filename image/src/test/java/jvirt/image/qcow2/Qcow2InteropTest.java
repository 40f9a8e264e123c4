package jvirt.image.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.image.QemuImg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The interop matrix with Debian's qemu-img as the peer: images jvirt writes pass
 * {@code qemu-img check} and compare equal to what was written; images qemu-img and qemu-io
 * make in each shape read back through jvirt exactly as qemu reads them.
 */
class Qcow2InteropTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    /** A disk's expected contents, kept beside the image under test. */
    private static final class Model {
        final byte[] bytes;
        final Random random;

        Model(int size, long seed) {
            bytes = new byte[size];
            random = new Random(seed);
        }

        /** A random write of up to {@code max} bytes, to the image and the model. */
        void write(BlockDevice disk, int max) throws IOException {
            int length = 1 + random.nextInt(max);
            int offset = random.nextInt(bytes.length - length);
            if (random.nextBoolean()) {
                offset &= ~511;
            }
            byte[] data = new byte[length];
            random.nextBytes(data);
            System.arraycopy(data, 0, bytes, offset, length);
            disk.write(offset, MemorySegment.ofArray(data));
        }

        void zero(BlockDevice disk, boolean discard) throws IOException {
            int length = 1 + random.nextInt(4 * MIB);
            int offset = random.nextInt(bytes.length - length);
            if (discard) {
                disk.writeZeroes(offset, length, true);
            } else {
                disk.writeZeroes(offset, length, false);
            }
            java.util.Arrays.fill(bytes, offset, offset + length, (byte) 0);
        }

        Path save(Path file) throws IOException {
            return Files.write(file, bytes);
        }
    }

    private static void assertClean(Path image) throws IOException {
        QemuImg.Result r = QemuImg.run("check", image.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
    }

    private static void assertSame(Path image, Path raw) throws IOException {
        QemuImg.Result r = QemuImg.run("compare", "-f", "qcow2", "-F", "raw", image.toString(), raw.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
    }

    private static byte[] readAll(Path image) throws IOException {
        try (BlockDevice d = ImageFormats.open(image, null, OpenOptions.forReading())) {
            byte[] all = new byte[Math.toIntExact(d.size())];
            d.read(0, MemorySegment.ofArray(all));
            return all;
        }
    }

    /** What qemu reads from an image (through its whole chain), as bytes. */
    private byte[] qemuReads(Path image, String... extra) throws IOException {
        Path raw = dir.resolve("qemu-view-" + System.nanoTime() + ".raw");
        List<String> args = new java.util.ArrayList<>(List.of("convert"));
        args.addAll(List.of(extra));
        args.addAll(List.of("-O", "raw", image.toString(), raw.toString()));
        QemuImg.ok(args.toArray(String[]::new));
        byte[] b = Files.readAllBytes(raw);
        Files.delete(raw);
        return b;
    }

    // ---- images jvirt writes --------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "cluster_size=512", "cluster_size=4k,refcount_bits=1", "cluster_size=2M",
        "compat=0.10", "refcount_bits=64,cluster_size=1k", "refcount_bits=2", "lazy_refcounts=on", "preallocation=metadata"})
    void randomWritesPassCheckAndReadBack(String options) throws IOException {
        Path image = dir.resolve("w.qcow2");
        Map<String, String> o = new HashMap<>();
        for (String kv : options.isEmpty() ? new String[0] : options.split(",")) {
            o.put(kv.split("=")[0], kv.split("=")[1]);
        }
        ImageFormats.QCOW2.create(image, 24 * MIB, o);
        Model m = new Model(24 * MIB, options.hashCode());
        try (BlockDevice d = ImageFormats.open(image, ImageFormats.QCOW2, OpenOptions.forWriting())) {
            for (int i = 0; i < 120; i++) {
                m.write(d, i % 10 == 0 ? 3 * MIB : 100_000);
                if (i % 25 == 24) {
                    m.zero(d, i % 50 == 49);
                    d.flush();
                }
            }
            byte[] back = new byte[m.bytes.length];
            d.read(0, MemorySegment.ofArray(back));
            assertThat(back).isEqualTo(m.bytes);
        }
        assertClean(image);
        assertSame(image, m.save(dir.resolve("w.raw")));
    }

    @Test
    void overlaysCopyOnWriteFromTheirBackingFile() throws IOException {
        Path base = dir.resolve("base.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", base.toString(), "16M");
        QemuImg.io(base, "qcow2", "write -P 0x5a 0 16M");
        Path overlay = dir.resolve("overlay.qcow2");
        ImageFormats.QCOW2.create(overlay, 20 * MIB, Map.of("backing_file", "base.qcow2", "backing_fmt", "qcow2"));
        Model m = new Model(20 * MIB, 7);
        java.util.Arrays.fill(m.bytes, 0, 16 * MIB, (byte) 0x5a);
        try (BlockDevice d = ImageFormats.open(overlay, null, OpenOptions.forWriting())) {
            for (int i = 0; i < 80; i++) {
                m.write(d, 70_000);
            }
            m.zero(d, true);
            m.zero(d, false);
        }
        assertClean(overlay);
        assertClean(base);
        assertSame(overlay, m.save(dir.resolve("o.raw")));
        assertThat(readAll(base)).containsOnly((byte) 0x5a); // the backing file never changed
    }

    @Test
    void snapshotsArePreservedAppliedAndDeleted() throws IOException {
        Path image = dir.resolve("s.qcow2");
        ImageFormats.QCOW2.create(image, 8 * MIB, Map.of());
        Model m = new Model(8 * MIB, 11);
        byte[] atFirst;
        byte[] atSecond;
        try (Qcow2Image q = Qcow2Image.open(image, OpenOptions.forWriting())) {
            for (int i = 0; i < 30; i++) {
                m.write(q, 200_000);
            }
            q.createSnapshot("first");
            atFirst = m.bytes.clone();
            for (int i = 0; i < 30; i++) {
                m.write(q, 200_000);
            }
            q.createSnapshot("second");
            atSecond = m.bytes.clone();
            for (int i = 0; i < 10; i++) {
                m.write(q, 200_000);
            }
        }
        assertClean(image);
        assertSame(image, m.save(dir.resolve("now.raw")));
        assertThat(qemuReads(image, "-l", "snapshot.name=first")).isEqualTo(atFirst);
        assertThat(qemuReads(image, "-l", "snapshot.name=second")).isEqualTo(atSecond);
        String list = QemuImg.ok("snapshot", "-l", image.toString()).out();
        assertThat(list).contains("first").contains("second");

        try (Qcow2Image q = Qcow2Image.open(image, OpenOptions.forWriting())) {
            q.applySnapshot("first");
        }
        assertClean(image);
        assertThat(readAll(image)).isEqualTo(atFirst);
        try (Qcow2Image q = Qcow2Image.open(image, OpenOptions.forWriting())) {
            q.deleteSnapshot("first");
            m = new Model(8 * MIB, 12);
            System.arraycopy(atFirst, 0, m.bytes, 0, atFirst.length);
            for (int i = 0; i < 10; i++) {
                m.write(q, 200_000);
            }
        }
        assertClean(image);
        assertSame(image, m.save(dir.resolve("after.raw")));
        assertThat(qemuReads(image, "-l", "snapshot.name=second")).isEqualTo(atSecond);
        try (Qcow2Image q = Qcow2Image.open(image, OpenOptions.forWriting())) {
            q.deleteSnapshot("second");
            assertThatThrownBy(() -> q.applySnapshot("second")).hasMessageContaining("no snapshot 'second'");
        }
        assertClean(image);
        QemuImg.Result check = QemuImg.run("check", "--output=json", image.toString());
        assertThat(check.exit()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"zlib", "zstd"})
    void compressedClustersReadBackAndAreRewrittenOnWrite(String type) throws IOException {
        Path image = dir.resolve("c.qcow2");
        ImageFormats.QCOW2.create(image, 8 * MIB, Map.of("compression_type", type));
        Model m = new Model(8 * MIB, 13);
        try (Qcow2Image q = Qcow2Image.open(image, OpenOptions.forWriting())) {
            for (int c = 0; c < 8 * MIB / 65536; c += 3) {
                byte[] cluster = new byte[65536];
                for (int i = 0; i < cluster.length; i++) {
                    cluster[i] = (byte) ((i / 100) * c); // compressible
                }
                System.arraycopy(cluster, 0, m.bytes, c * 65536, 65536);
                q.writeCompressed((long) c * 65536, MemorySegment.ofArray(cluster));
            }
        }
        assertClean(image);
        assertSame(image, m.save(dir.resolve("c.raw")));
        String check = QemuImg.ok("check", image.toString()).out();
        assertThat(check).doesNotContain(" 0.00% compressed");
        try (Qcow2Image q = Qcow2Image.open(image, OpenOptions.forWriting())) {
            for (int i = 0; i < 40; i++) {
                m.write(q, 30_000); // partial writes into compressed clusters copy them first
            }
        }
        assertClean(image);
        assertSame(image, m.save(dir.resolve("c2.raw")));
    }

    @Test
    void resizedImagesGrowAndShrink() throws IOException {
        Path image = dir.resolve("r.qcow2");
        ImageFormats.QCOW2.create(image, 2 * MIB, Map.of("cluster_size", "512"));
        Model small = new Model(2 * MIB, 17);
        try (Qcow2Image q = Qcow2Image.open(image, OpenOptions.forWriting())) {
            for (int i = 0; i < 20; i++) {
                small.write(q, 50_000);
            }
            q.resize(40L * MIB); // past the first L1 table: it moves
        }
        assertClean(image);
        Model big = new Model(40 * MIB, 18);
        System.arraycopy(small.bytes, 0, big.bytes, 0, small.bytes.length);
        try (Qcow2Image q = Qcow2Image.open(image, OpenOptions.forWriting())) {
            assertThat(q.size()).isEqualTo(40L * MIB);
            for (int i = 0; i < 40; i++) {
                big.write(q, 300_000);
            }
        }
        assertClean(image);
        assertSame(image, big.save(dir.resolve("big.raw")));
        try (Qcow2Image q = Qcow2Image.open(image, OpenOptions.forWriting())) {
            q.resize(3L * MIB);
        }
        assertClean(image);
        assertSame(image, Files.write(dir.resolve("shrunk.raw"), java.util.Arrays.copyOf(big.bytes, 3 * MIB)));
    }

    @Test
    void theRefcountTableGrowsWhenTheImageOutgrowsIt() throws IOException {
        // 512-byte clusters with 64-bit refcounts: one block counts 64 clusters, one table cluster 64 blocks.
        Path image = dir.resolve("g.qcow2");
        ImageFormats.QCOW2.create(image, 8 * MIB, Map.of("cluster_size", "512", "refcount_bits", "64"));
        Model m = new Model(8 * MIB, 19);
        try (BlockDevice d = ImageFormats.open(image, null, OpenOptions.forWriting())) {
            for (int i = 0; i < 30; i++) {
                m.write(d, 400_000);
            }
        }
        assertClean(image);
        assertSame(image, m.save(dir.resolve("g.raw")));
        QemuImg.Result info = QemuImg.ok("check", "--output=json", image.toString());
        assertThat(info.json().get("image-end-offset").asLong()).isGreaterThan(4L * MIB);
    }

    // ---- images qemu makes ----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", "-o cluster_size=512", "-o compat=0.10", "-o refcount_bits=1,cluster_size=4k",
        "-o cluster_size=2M", "-o compression_type=zstd"})
    void imagesQemuWritesReadBackExactly(String options) throws IOException {
        Path image = dir.resolve("q.qcow2");
        List<String> create = new java.util.ArrayList<>(List.of("create", "-q", "-f", "qcow2"));
        if (!options.isEmpty()) {
            create.addAll(List.of(options.split(" ")));
        }
        create.addAll(List.of(image.toString(), "12M"));
        QemuImg.ok(create.toArray(String[]::new));
        QemuImg.io(image, "qcow2", "write -P 0x11 0 1M", "write -P 0x22 3000 70000", "write -z 512k 256k",
                "write -P 0x33 11M 1M", "discard 11M 64k", "write -P 0x44 5M 12345");
        assertThat(readAll(image)).isEqualTo(qemuReads(image));
    }

    @Test
    void qemuOverlaysSnapshotsCompressionAndResizeReadBack() throws IOException {
        Path base = dir.resolve("base.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", base.toString(), "8M");
        QemuImg.io(base, "qcow2", "write -P 0x01 0 8M");
        Path overlay = dir.resolve("ov.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", overlay.toString(), "10M");
        QemuImg.io(overlay, "qcow2", "write -P 0x02 100k 200k", "write -z 1M 64k");
        QemuImg.ok("snapshot", "-c", "before", overlay.toString());
        QemuImg.io(overlay, "qcow2", "write -P 0x03 0 300k");
        byte[] before = qemuReads(overlay, "-l", "snapshot.name=before");
        assertThat(readAll(overlay)).isEqualTo(qemuReads(overlay));

        Path compressed = dir.resolve("comp.qcow2");
        QemuImg.ok("convert", "-c", "-O", "qcow2", overlay.toString(), compressed.toString());
        assertThat(readAll(compressed)).isEqualTo(qemuReads(overlay));
        Path zstd = dir.resolve("zstd.qcow2");
        QemuImg.ok("convert", "-c", "-O", "qcow2", "-o", "compression_type=zstd", overlay.toString(), zstd.toString());
        assertThat(readAll(zstd)).isEqualTo(qemuReads(overlay));

        QemuImg.ok("resize", "-q", overlay.toString(), "24M");
        assertThat(readAll(overlay)).isEqualTo(qemuReads(overlay));
        try (Qcow2Image q = Qcow2Image.open(overlay, OpenOptions.forWriting())) {
            q.applySnapshot("before");
        }
        assertClean(overlay);
        assertThat(readAll(overlay)).isEqualTo(before);
    }

    @Test
    void allocationAgreesWithQemuImgMap() throws IOException {
        Path image = dir.resolve("m.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", image.toString(), "4M");
        QemuImg.io(image, "qcow2", "write -P 1 0 64k", "write -z 128k 64k", "write -P 2 1M 200k");
        JsonNode map = QemuImg.ok("map", "--output=json", image.toString()).json();
        try (BlockDevice d = ImageFormats.open(image, null, OpenOptions.forReading())) {
            for (JsonNode e : map) {
                long start = e.get("start").asLong();
                Extent x = d.status(start, e.get("length").asLong());
                assertThat(x.length()).isEqualTo(e.get("length").asLong());
                assertThat(x.kind() == Extent.Kind.DATA).isEqualTo(e.get("data").asBoolean());
                assertThat(x.allocated()).isEqualTo(e.get("present").asBoolean());
                if (e.has("offset")) {
                    assertThat(x.hostOffset()).isEqualTo(e.get("offset").asLong());
                }
            }
        }
    }

    @Test
    void checkFindsWhatQemuImgFindsAndRepairs() throws IOException {
        Path image = dir.resolve("bad.qcow2");
        QemuImg.ok("create", "-q", "-f", "qcow2", image.toString(), "10M");
        QemuImg.io(image, "qcow2", "write -P 1 0 64k", "write -P 2 1M 64k");
        // Cluster 4 counted twice (a leak), cluster 5 (data) not at all (a corruption).
        byte[] bytes = Files.readAllBytes(image);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        long block = b.getLong((int) b.getLong(48));
        b.putShort((int) block + 8, (short) 2).putShort((int) block + 10, (short) 0);
        Files.write(image, bytes);
        QemuImg.Result qemu = QemuImg.run("check", "--output=json", image.toString());
        assertThat(qemu.exit()).isEqualTo(2);
        try (Qcow2Image q = Qcow2Image.open(image, OpenOptions.forReading())) {
            Qcow2Check.Result r = q.check(Qcow2Check.Repair.NONE);
            assertThat(r.corruptions()).isEqualTo(qemu.json().get("corruptions").asLong());
            assertThat(r.leaks()).isEqualTo(qemu.json().get("leaks").asLong());
        }
        try (Qcow2Image q = Qcow2Image.openForRepair(image)) {
            Qcow2Check.Result r = q.check(Qcow2Check.Repair.ALL);
            assertThat(r.corruptions()).isZero();
            assertThat(r.leaks()).isZero();
            assertThat(r.corruptionsFixed()).isPositive();
        }
        assertClean(image);
    }
}
