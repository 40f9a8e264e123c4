package jvirt.image.vmdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageFormats;
import jvirt.image.ImageInfo;
import jvirt.image.InvalidImageException;
import jvirt.image.OpenOptions;
import jvirt.image.formats.Disks;
import jvirt.image.formats.Fuzz;
import jvirt.image.formats.QemuImg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VmdkImageTest {
    private static final int MIB = Disks.MIB;
    private static final long GIB = 1L << 30;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse", "twoGbMaxExtentFlat", "streamOptimized"})
    void readsWhatQemuImgConverts(String subformat) throws IOException {
        assumeTrue(QemuImg.available());
        byte[] content = Disks.randomWithHoles(12 * MIB + 5 * 512, 31);
        Path raw = Disks.writeRaw(dir.resolve("src.raw"), content);
        Path vmdk = dir.resolve("disk.vmdk");
        QemuImg.ok("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(), vmdk.toString());
        assertThat(ImageFormats.probe(vmdk)).isSameAs(ImageFormats.VMDK);
        String json = QemuImg.infoJson(vmdk, "vmdk");
        List<QemuImg.MapEntry> map = QemuImg.map(vmdk, "vmdk");
        try (BlockDevice disk = ImageFormats.open(vmdk, null, OpenOptions.forReading())) {
            Disks.assertContent(disk, content);
            Disks.assertStatusAgrees(disk, map, content, true);
            assertInfoAgrees(disk.info(), json);
        }
    }

    private static void assertInfoAgrees(ImageInfo info, String json) {
        assertThat(info.format()).isEqualTo("vmdk");
        assertThat(info.virtualSize()).isEqualTo(QemuImg.number(json, "virtual-size"));
        long cluster = QemuImg.number(json.substring(0, json.indexOf("format-specific")), "cluster-size");
        assertThat(info.clusterSize()).isEqualTo(Math.max(0, cluster));
        Map<String, Object> s = info.formatSpecific();
        assertThat(s.keySet()).containsExactly("cid", "parent-cid", "create-type", "extents");
        assertThat(s.get("cid")).isEqualTo(QemuImg.number(json, "cid"));
        assertThat(s.get("parent-cid")).isEqualTo(QemuImg.number(json, "parent-cid"));
        assertThat(s.get("create-type")).isEqualTo(QemuImg.string(json, "create-type"));
        String extents = json.substring(json.indexOf("\"extents\""));
        List<?> mine = (List<?>) s.get("extents");
        List<Long> sizes = QemuImg.numbers(extents, "virtual-size");
        assertThat(mine).hasSize(sizes.size());
        for (int i = 0; i < mine.size(); i++) {
            Map<?, ?> e = (Map<?, ?>) mine.get(i);
            assertThat(e.get("virtual-size")).isEqualTo(sizes.get(i));
            assertThat(Path.of((String) e.get("filename")).getFileName().toString())
                    .isEqualTo(Path.of(extents.split("\"filename\": \"")[i + 1].split("\"")[0]).getFileName().toString());
            assertThat(e.get("format")).isEqualTo(extents.split("\"format\": \"")[i + 1].split("\"")[0]);
            assertThat(e.containsKey("compressed")).isEqualTo(extents.contains("\"compressed\": true"));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void zeroedGrainsReadAsZerosAndMapAsZero(boolean jvirtCreates) throws IOException {
        assumeTrue(QemuImg.available());
        Path vmdk = dir.resolve("z.vmdk");
        if (jvirtCreates) {
            ImageFormats.VMDK.create(vmdk, 8 * MIB, Map.of("zeroed_grain", "on"));
        } else {
            QemuImg.ok("create", "-q", "-f", "vmdk", "-o", "zeroed_grain=on", vmdk.toString(), "8M");
        }
        new ProcessBuilder("/usr/bin/qemu-io", "-f", "vmdk", "-c", "write -P 7 0 2M", "-c", "write -z 512k 1M", vmdk.toString())
                .redirectErrorStream(true).start().getInputStream().readAllBytes();
        List<QemuImg.MapEntry> map = QemuImg.map(vmdk, "vmdk");
        assertThat(map).anyMatch(e -> e.zero() && e.present() && !e.data());
        byte[] expected = new byte[8 * MIB];
        Arrays.fill(expected, 0, 2 * MIB, (byte) 7);
        Arrays.fill(expected, 512 * 1024, 1536 * 1024, (byte) 0);
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forWriting())) {
            Disks.assertContent(disk, expected);
            Disks.assertStatusAgrees(disk, map, expected, true);
            assertThat(disk.status(512 * 1024, MIB)).isEqualTo(new Extent(MIB, Extent.Kind.ZERO, -1));
            assertThat(disk.status(4 * MIB, MIB)).isEqualTo(new Extent(MIB, Extent.Kind.UNALLOCATED, -1));
            disk.write(600 * 1024, MemorySegment.ofArray(new byte[] {9, 9}));
            expected[600 * 1024] = 9;
            expected[600 * 1024 + 1] = 9;
            disk.writeZeroes(0, 128 * 1024, true); // whole grains become zero entries
            Arrays.fill(expected, 0, 128 * 1024, (byte) 0);
            assertThat(disk.status(0, MIB).kind()).isEqualTo(Extent.Kind.ZERO);
        }
        QemuImg.ok("compare", "-f", "vmdk", "-F", "raw", vmdk.toString(), Disks.writeRaw(dir.resolve("e.raw"), expected).toString());
        QemuImg.ok("check", "-f", "vmdk", vmdk.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "monolithicFlat"})
    void qemuImgAgreesWithWhatJvirtWrites(String subformat) throws IOException {
        assumeTrue(QemuImg.available());
        Path vmdk = dir.resolve("new.vmdk");
        int size = 19 * MIB + 512;
        ImageFormats.VMDK.create(vmdk, size, Map.of("subformat", subformat, "adapter_type", "lsilogic", "hwversion", "7"));
        byte[] expected = new byte[size];
        long cid;
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forWriting())) {
            Disks.randomWrites(disk, expected, 13, 60);
            disk.writeZeroes(2 * MIB + 1, MIB, true);
            Arrays.fill(expected, 2 * MIB + 1, 3 * MIB + 1, (byte) 0);
            disk.flush();
            Disks.assertContent(disk, expected);
            cid = (Long) disk.info().formatSpecific().get("cid");
        }
        qemuAgrees(vmdk, expected);
        String json = QemuImg.infoJson(vmdk, "vmdk");
        assertThat(QemuImg.number(json, "cid")).isEqualTo(cid);
        assertThat(QemuImg.string(json, "create-type")).isEqualTo(subformat);
        String desc = subformat.equals("monolithicFlat") ? Files.readString(vmdk)
                : new String(Files.readAllBytes(vmdk), 512, 1024, StandardCharsets.ISO_8859_1);
        assertThat(desc).contains("ddb.adapterType = \"lsilogic\"", "ddb.virtualHWVersion = \"7\"", "ddb.geometry.heads = \"255\"");
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forReading())) {
            Disks.assertContent(disk, expected);
            assertInfoAgrees(disk.info(), json);
        }
    }

    private void qemuAgrees(Path vmdk, byte[] expected) throws IOException {
        Path raw = Disks.writeRaw(dir.resolve("expected.raw"), expected);
        QemuImg.ok("compare", "-f", "vmdk", "-F", "raw", vmdk.toString(), raw.toString());
        QemuImg.ok("check", "-f", "vmdk", vmdk.toString());
    }

    /** Split images: writes around the 2 GiB extent boundary, checked through a window of the disk. */
    @ParameterizedTest
    @ValueSource(strings = {"twoGbMaxExtentSparse", "twoGbMaxExtentFlat"})
    void splitImagesAreWrittenAcrossTheirExtents(String subformat) throws IOException {
        assumeTrue(QemuImg.available());
        Path vmdk = dir.resolve("split.vmdk");
        long size = 2 * GIB + 6 * MIB;
        ImageFormats.VMDK.create(vmdk, size, Map.of("subformat", subformat));
        char kind = subformat.endsWith("Flat") ? 'f' : 's';
        assertThat(dir.resolve("split-" + kind + "001.vmdk")).exists();
        assertThat(dir.resolve("split-" + kind + "002.vmdk")).exists();
        long base = 2 * GIB - 8 * MIB;
        byte[] window = new byte[14 * MIB];
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forWriting())) {
            assertThat(disk.size()).isEqualTo(size);
            Disks.randomWrites(new Window(disk, base, window.length), window, 17, 40);
        }
        Path raw = dir.resolve("expected.raw");
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(size);
            f.seek(base);
            f.write(window);
        }
        QemuImg.ok("compare", "-f", "vmdk", "-F", "raw", vmdk.toString(), raw.toString());
        QemuImg.ok("check", "-f", "vmdk", vmdk.toString());
        assertThat(QemuImg.string(QemuImg.infoJson(vmdk, "vmdk"), "create-type")).isEqualTo(subformat);
    }

    @Test
    void streamOptimizedIsWrittenInOrderAndAppendedTo() throws IOException {
        assumeTrue(QemuImg.available());
        Path vmdk = dir.resolve("stream.vmdk");
        int size = 9 * MIB + 1536;
        ImageFormats.VMDK.create(vmdk, size, Map.of("subformat", "streamOptimized"));
        assertThat(QemuImg.number(QemuImg.infoJson(vmdk, "vmdk"), "virtual-size")).isEqualTo(size);
        byte[] expected = new byte[size];
        Random r = new Random(3);
        int at = 0;
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forWriting())) {
            while (at < 5 * MIB) {
                int n = 1 + r.nextInt(150_000);
                byte[] data = new byte[n];
                if (r.nextInt(4) != 0) {
                    r.nextBytes(data);
                }
                disk.write(at, MemorySegment.ofArray(data));
                System.arraycopy(data, 0, expected, at, n);
                at += n + (r.nextInt(3) == 0 ? r.nextInt(300_000) : 0);
            }
            disk.flush(); // a complete image now, with the grain being written included
            Path copy = Files.copy(vmdk, dir.resolve("flushed.vmdk")); // qemu-img may not open what jvirt holds locked
            qemuAgrees(copy, expected);
            Disks.assertContent(disk, expected);
            assertThatThrownBy(() -> disk.write(MIB, MemorySegment.ofArray(new byte[10])))
                    .isInstanceOf(IOException.class).hasMessageContaining("ascending order");
            byte[] more = new byte[100_000];
            r.nextBytes(more);
            disk.write(at, MemorySegment.ofArray(more)); // same grain as the last write, or later
            System.arraycopy(more, 0, expected, at, more.length);
        }
        qemuAgrees(vmdk, expected);
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forWriting())) {
            Disks.assertContent(disk, expected);
            byte[] tail = new byte[size - 8 * MIB];
            r.nextBytes(tail);
            disk.write(8 * MIB, MemorySegment.ofArray(tail)); // appended to the stream, up to the disk's odd end
            System.arraycopy(tail, 0, expected, 8 * MIB, tail.length);
            assertThat(disk.status(8 * MIB, MIB).kind()).isEqualTo(Extent.Kind.COMPRESSED);
        }
        qemuAgrees(vmdk, expected);
        String json = QemuImg.infoJson(vmdk, "vmdk");
        assertThat(json).contains("\"compressed\": true", "\"create-type\": \"streamOptimized\"");
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forReading())) {
            Disks.assertContent(disk, expected);
            assertInfoAgrees(disk.info(), json);
        }
    }

    @Test
    void qemuStyleStreamsAreAppendedToWithAFooter() throws IOException {
        assumeTrue(QemuImg.available());
        byte[] content = new byte[4 * MIB];
        new Random(5).nextBytes(content);
        Arrays.fill(content, 2 * MIB, 4 * MIB, (byte) 0);
        Path raw = Disks.writeRaw(dir.resolve("src.raw"), content);
        Path vmdk = dir.resolve("q.vmdk");
        QemuImg.ok("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", raw.toString(), vmdk.toString());
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forWriting())) {
            disk.write(3 * MIB, MemorySegment.ofArray(new byte[] {1, 2, 3, 4}));
            System.arraycopy(new byte[] {1, 2, 3, 4}, 0, content, 3 * MIB, 4);
        }
        qemuAgrees(vmdk, content);
    }

    @Test
    void badImagesAreOneLineErrors() throws IOException {
        Path flat = dir.resolve("flat.vmdk");
        ImageFormats.VMDK.create(flat, 4 * MIB, Map.of("subformat", "monolithicFlat"));
        String desc = Files.readString(flat);
        assertInvalid("esc.vmdk", desc.replace("\"flat-flat.vmdk\"", "\"../flat-flat.vmdk\""), "outside the descriptor's folder");
        assertInvalid("abs.vmdk", desc.replace("\"flat-flat.vmdk\"", "\"" + dir.resolve("flat-flat.vmdk") + "\""), "absolute path");
        assertInvalid("missing.vmdk", desc.replace("\"flat-flat.vmdk\"", "\"nothere.vmdk\""), "missing");
        assertInvalid("short.vmdk", desc.replace("RW 8192", "RW 9000"), "less than");
        assertInvalid("twice.vmdk", desc + "RW 8192 FLAT \"flat-flat.vmdk\" 0\n", "listed twice");
        assertInvalid("garbage.vmdk", "version=1\nthis is not a descriptor\n", "neither a setting nor an extent");
        assertInvalid("parent.vmdk", desc.replace("createType", "parentFileNameHint=\"base.vmdk\"\ncreateType"), "differencing");
        assertInvalid("nul.vmdk", "version=1\n\0\0\0x", "binary data");
        Path huge = dir.resolve("huge.vmdk");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(5L * MIB);
        }
        assertInvalidFile(huge, "too large for a descriptor");

        Path sparse = dir.resolve("sparse.vmdk");
        ImageFormats.VMDK.create(sparse, 4 * MIB, Map.of());
        try (BlockDevice disk = ImageFormats.VMDK.open(sparse, OpenOptions.forWriting())) {
            disk.write(0, MemorySegment.ofArray(new byte[70_000]));
        }
        byte[] good = Files.readAllBytes(sparse);
        ByteBuffer h = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        long gd = h.getLong(SparseExtentHeader.OFF_GD);
        int gt = h.getInt((int) gd * 512);
        assertInvalidBytes(Arrays.copyOf(good, 200), "too short");
        assertInvalidBytes(withLong(good, SparseExtentHeader.OFF_GD, 1L << 40), "outside the file");
        assertInvalidBytes(withLong(good, SparseExtentHeader.OFF_CAPACITY, 1L << 62), "larger than supported");
        assertInvalidBytes(withLong(good, SparseExtentHeader.OFF_GRAIN, 3), "grain size");
        assertInvalidBytes(withInt(good, (int) gd * 512, 0x7fffff00), "past the end of the file");
        // Tables are read (and checked) when first used, as QEMU does: the read fails, not the open.
        assertReadFails(withInt(good, gt * 512, 5), "inside the extent's metadata");
        assertReadFails(withInt(good, gt * 512, 0x70000000), "past the end of the file");
        Path v3 = Files.write(dir.resolve("v3.vmdk"), withInt(good, SparseExtentHeader.OFF_VERSION, 3));
        assertThatThrownBy(() -> ImageFormats.VMDK.open(v3, OpenOptions.forWriting())).hasMessageContaining("read-only");
        ImageFormats.VMDK.open(v3, OpenOptions.forReading()).close();
    }

    @Test
    void badCompressedGrainsAreOneLineErrors() throws IOException {
        Path vmdk = dir.resolve("s.vmdk");
        ImageFormats.VMDK.create(vmdk, 2 * MIB, Map.of("subformat", "streamOptimized"));
        byte[] data = new byte[MIB];
        new Random(1).nextBytes(data);
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forWriting())) {
            disk.write(0, MemorySegment.ofArray(data));
        }
        byte[] good = Files.readAllBytes(vmdk);
        int grain = 128 * 512; // the first grain's marker: right after the header area
        assertThat(ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(grain)).isZero();
        assertReadFails(withLong(good, grain, 128), "marker says");
        assertReadFails(withInt(good, grain + 8, 0x7fffffff), "impossible");
        byte[] corrupt = good.clone();
        corrupt[grain + 40] ^= 0x55;
        corrupt[grain + 41] ^= 0x55;
        assertReadFails(corrupt, "corrupt");
        // A grain of zeros that deflates to 2 MiB: more than a grain.
        java.util.zip.Deflater d = new java.util.zip.Deflater();
        d.setInput(new byte[2 * MIB]);
        d.finish();
        byte[] bomb = new byte[8192];
        int n = d.deflate(bomb);
        byte[] big = good.clone();
        ByteBuffer.wrap(big).order(ByteOrder.LITTLE_ENDIAN).putInt(grain + 8, n).position(grain + 12).put(bomb, 0, n);
        assertReadFails(big, "inflates past a grain");
        assertInvalidBytes(Arrays.copyOf(good, good.length - 512), "footer");
    }

    private void assertReadFails(byte[] image, String message) throws IOException {
        Path p = Files.write(dir.resolve("bad-grain.vmdk"), image);
        try (BlockDevice d = ImageFormats.VMDK.open(p, OpenOptions.forReading())) {
            assertThatThrownBy(() -> d.read(0, MemorySegment.ofArray(new byte[4096])))
                    .isInstanceOf(InvalidImageException.class).hasMessageContaining(message)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    private static byte[] withLong(byte[] b, int at, long v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return c;
    }

    private static byte[] withInt(byte[] b, int at, int v) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
        return c;
    }

    private void assertInvalid(String name, String descriptor, String message) throws IOException {
        assertInvalidFile(Files.writeString(dir.resolve(name), descriptor, StandardCharsets.ISO_8859_1), message);
    }

    private void assertInvalidBytes(byte[] image, String message) throws IOException {
        assertInvalidFile(Files.write(dir.resolve("hostile.vmdk"), image), message);
    }

    private static void assertInvalidFile(Path p, String message) {
        assertThatThrownBy(() -> ImageFormats.VMDK.open(p, OpenOptions.forReading()).close())
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void createRefusesWhatItDoesNotDo() {
        Path p = dir.resolve("x.vmdk");
        assertThatThrownBy(() -> ImageFormats.VMDK.create(p, MIB, Map.of("backing_file", "base.vmdk")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backing_file");
        assertThatThrownBy(() -> ImageFormats.VMDK.create(p, MIB, Map.of("subformat", "vmfs")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageFormats.VMDK.create(p, MIB, Map.of("compat6", "on", "hwversion", "7")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compat6");
        assertThatThrownBy(() -> ImageFormats.VMDK.create(p, MIB, Map.of("subformat", "monolithicFlat", "zeroed_grain", "on")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "streamOptimized"})
    void survivesFuzzedImages(String subformat) throws Exception {
        Path vmdk = dir.resolve("seed.vmdk");
        ImageFormats.VMDK.create(vmdk, 3 * MIB, Map.of("subformat", subformat));
        byte[] data = new byte[3 * MIB];
        new Random(8).nextBytes(data);
        Arrays.fill(data, MIB, 2 * MIB, (byte) 0);
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forWriting())) {
            disk.write(0, MemorySegment.ofArray(Arrays.copyOf(data, 300_000)));
            disk.write(2 * MIB + 5, MemorySegment.ofArray(Arrays.copyOf(data, 70_000)));
        }
        byte[] valid = Files.readAllBytes(vmdk);
        ByteBuffer h = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN);
        List<Fuzz.Field> fields = new java.util.ArrayList<>();
        for (int off : new int[] {SparseExtentHeader.OFF_VERSION, SparseExtentHeader.OFF_FLAGS, SparseExtentHeader.OFF_GTES}) {
            fields.add(Fuzz.Field.le(off, 4));
        }
        for (int off : new int[] {SparseExtentHeader.OFF_CAPACITY, SparseExtentHeader.OFF_GRAIN, SparseExtentHeader.OFF_DESC_OFFSET,
            SparseExtentHeader.OFF_DESC_SIZE, SparseExtentHeader.OFF_RGD, SparseExtentHeader.OFF_GD, SparseExtentHeader.OFF_OVERHEAD}) {
            fields.add(Fuzz.Field.le(off, 8));
        }
        fields.add(Fuzz.Field.le(SparseExtentHeader.OFF_COMPRESSION, 2));
        if (subformat.equals("monolithicSparse")) {
            long gd = h.getLong(SparseExtentHeader.OFF_GD);
            int gt = h.getInt((int) gd * 512);
            for (int i = 0; i < 4; i++) {
                fields.add(Fuzz.Field.le((int) gd * 512 + 4 * i, 4));
                fields.add(Fuzz.Field.le(gt * 512 + 4 * i, 4));
            }
        } else {
            int footer = valid.length - 1024;
            for (int off : new int[] {SparseExtentHeader.OFF_CAPACITY, SparseExtentHeader.OFF_GRAIN, SparseExtentHeader.OFF_GD,
                SparseExtentHeader.OFF_OVERHEAD}) {
                fields.add(Fuzz.Field.le(footer + off, 8));
            }
            for (int off : new int[] {128 * 512, 128 * 512 + 8, valid.length - 1536 + 12, valid.length - 512 + 12}) {
                fields.add(Fuzz.Field.le(off, 4));
            }
        }
        int opened = Fuzz.run(ImageFormats.VMDK, dir.resolve("fuzz.vmdk"), valid, fields, 300, 4, b -> b);
        assertThat(opened).isGreaterThan(30);
    }

    @Test
    void survivesFuzzedDescriptors() throws Exception {
        Path flat = dir.resolve("d.vmdk");
        ImageFormats.VMDK.create(flat, 2 * MIB, Map.of("subformat", "monolithicFlat"));
        byte[] valid = Files.readAllBytes(flat);
        int opened = Fuzz.run(ImageFormats.VMDK, dir.resolve("d2.vmdk"), valid, List.of(), 300, 6, b -> b);
        assertThat(opened).isGreaterThan(10);
    }

    /** A part of a disk seen as a disk of its own. */
    private record Window(BlockDevice disk, long base, long size) implements BlockDevice {
        @Override
        public boolean readOnly() {
            return disk.readOnly();
        }

        @Override
        public void read(long offset, MemorySegment destination) throws IOException {
            disk.read(base + offset, destination);
        }

        @Override
        public void write(long offset, MemorySegment source) throws IOException {
            disk.write(base + offset, source);
        }

        @Override
        public void write(long offset, List<MemorySegment> sources) throws IOException {
            disk.write(base + offset, sources);
        }

        @Override
        public void flush() throws IOException {
            disk.flush();
        }

        @Override
        public void discard(long offset, long length) throws IOException {
            disk.discard(base + offset, length);
        }

        @Override
        public void writeZeroes(long offset, long length, boolean unmap) throws IOException {
            disk.writeZeroes(base + offset, length, unmap);
        }

        @Override
        public ImageInfo info() throws IOException {
            return disk.info();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aNewGrainsTableEntryReachesTheFileOnlyAtFlush() throws IOException {
        Path vmdk = dir.resolve("order.vmdk");
        ImageFormats.VMDK.create(vmdk, 8 * MIB, Map.of());
        ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(vmdk)).order(ByteOrder.LITTLE_ENDIAN);
        int gt = h.getInt((int) h.getLong(SparseExtentHeader.OFF_GD) * 512);
        int rgt = h.getInt((int) h.getLong(SparseExtentHeader.OFF_RGD) * 512);
        try (BlockDevice disk = ImageFormats.VMDK.open(vmdk, OpenOptions.forWriting())) {
            disk.write(10, MemorySegment.ofArray(new byte[] {1, 2, 3}));
            ByteBuffer now = ByteBuffer.wrap(Files.readAllBytes(vmdk)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(now.getInt(gt * 512)).isZero();
            disk.flush();
            now = ByteBuffer.wrap(Files.readAllBytes(vmdk)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(now.getInt(gt * 512)).isNotZero().isEqualTo(now.getInt(rgt * 512)); // and in the redundant table
        }
    }
}
