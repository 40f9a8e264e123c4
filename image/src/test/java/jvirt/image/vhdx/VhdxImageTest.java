package jvirt.image.vhdx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import org.junit.jupiter.params.provider.CsvSource;

class VhdxImageTest {
    private static final int MIB = Disks.MIB;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"dynamic, 0", "fixed, 0", "dynamic, 1M"})
    void readsWhatQemuImgConverts(String subformat, String blockSize) throws IOException {
        assumeTrue(QemuImg.available());
        byte[] content = Disks.randomWithHoles(14 * MIB + 3 * 512, 41);
        Path raw = Disks.writeRaw(dir.resolve("src.raw"), content);
        Path vhdx = dir.resolve("disk.vhdx");
        QemuImg.ok("convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=" + subformat + ",block_size=" + blockSize,
                raw.toString(), vhdx.toString());
        assertThat(ImageFormats.probe(vhdx)).isSameAs(ImageFormats.VHDX);
        String json = QemuImg.infoJson(vhdx, "vhdx");
        List<QemuImg.MapEntry> map = QemuImg.map(vhdx, "vhdx");
        try (BlockDevice disk = ImageFormats.open(vhdx, null, OpenOptions.forReading())) {
            ImageInfo info = disk.info();
            assertThat(info.format()).isEqualTo("vhdx");
            assertThat(info.virtualSize()).isEqualTo(QemuImg.number(json, "virtual-size"));
            assertThat(info.clusterSize()).isEqualTo(QemuImg.number(json, "cluster-size"));
            Disks.assertContent(disk, Arrays.copyOf(content, (int) disk.size()));
            // qemu-img 7.2 maps all of a vhdx as data; status() tells the BAT's truth, checked against the content.
            Disks.assertStatusAgrees(disk, map, Arrays.copyOf(content, (int) disk.size()), false);
            if (blockSize.equals("1M")) {
                assertThat(Disks.extents(disk)).anyMatch(e -> e.kind() == Extent.Kind.ZERO)
                        .anyMatch(e -> e.kind() == Extent.Kind.DATA);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"dynamic, 0", "fixed, 0", "dynamic, 1M", "fixed, 2M"})
    void qemuImgAgreesWithWhatJvirtWrites(String subformat, String blockSize) throws IOException {
        assumeTrue(QemuImg.available());
        Path vhdx = dir.resolve("new.vhdx");
        int size = 23 * MIB + 512;
        ImageFormats.VHDX.create(vhdx, size, Map.of("subformat", subformat, "block_size", blockSize));
        byte[] expected = new byte[size];
        try (BlockDevice disk = ImageFormats.VHDX.open(vhdx, OpenOptions.forWriting())) {
            Disks.randomWrites(disk, expected, 23, 50);
            disk.writeZeroes(5 * MIB + 3, 2 * MIB, true);
            Arrays.fill(expected, 5 * MIB + 3, 7 * MIB + 3, (byte) 0);
            disk.flush();
            Disks.assertContent(disk, expected);
        }
        qemuAgrees(vhdx, expected);
        String json = QemuImg.infoJson(vhdx, "vhdx");
        assertThat(QemuImg.number(json, "virtual-size")).isEqualTo(size);
        try (BlockDevice disk = ImageFormats.VHDX.open(vhdx, OpenOptions.forReading())) {
            assertThat(disk.info().clusterSize()).isEqualTo(QemuImg.number(json, "cluster-size"));
            Disks.assertContent(disk, expected);
        }
    }

    @Test
    void writesToWhatQemuImgMade() throws IOException {
        assumeTrue(QemuImg.available());
        for (String subformat : List.of("dynamic", "fixed")) {
            Path vhdx = dir.resolve(subformat + ".vhdx");
            QemuImg.ok("create", "-q", "-f", "vhdx", "-o", "subformat=" + subformat, vhdx.toString(), "20M");
            byte[] expected = new byte[20 * MIB];
            try (BlockDevice disk = ImageFormats.VHDX.open(vhdx, OpenOptions.forWriting())) {
                Disks.randomWrites(disk, expected, 29, 30);
            }
            qemuAgrees(vhdx, expected);
        }
    }

    @Test
    void defaultBlockSizesAreQemuImgs() throws IOException {
        assumeTrue(QemuImg.available());
        for (long size : new long[] {64L * MIB, 2L << 30, 1100L << 30}) {
            Path mine = dir.resolve("mine.vhdx");
            Path theirs = dir.resolve("theirs.vhdx");
            ImageFormats.VHDX.create(mine, size, Map.of());
            QemuImg.ok("create", "-q", "-f", "vhdx", theirs.toString(), Long.toString(size));
            assertThat(QemuImg.number(QemuImg.infoJson(mine, "vhdx"), "cluster-size"))
                    .isEqualTo(QemuImg.number(QemuImg.infoJson(theirs, "vhdx"), "cluster-size"));
            QemuImg.ok("check", "-f", "vhdx", mine.toString());
        }
    }

    private void qemuAgrees(Path vhdx, byte[] expected) throws IOException {
        Path raw = Disks.writeRaw(dir.resolve("expected.raw"), expected);
        QemuImg.ok("compare", "-f", "vhdx", "-F", "raw", vhdx.toString(), raw.toString());
        QemuImg.ok("check", "-f", "vhdx", vhdx.toString());
    }

    /**
     * A log that needs replaying (see {@link #imageWithLog}): QEMU recognizes the log (it refuses a
     * read-only open and replays it with {@code check -r all}); jvirt replays it in memory when
     * read-only, leaving the file alone, and into the file when writable.
     */
    @Test
    void aLogThatNeedsReplayingIsReplayed() throws IOException {
        assumeTrue(QemuImg.available());
        Path vhdx = dir.resolve("log.vhdx");
        byte[] expected = new byte[8 * MIB];
        byte[] image = imageWithLog(vhdx, expected);
        Files.write(vhdx, image);
        assertThat(QemuImg.run("info", "-f", "vhdx", vhdx.toString()).output()).contains("log that needs to be replayed");

        try (BlockDevice disk = ImageFormats.VHDX.open(vhdx, OpenOptions.forReading())) {
            assertThat(((VhdxImage) disk).replayedInMemory()).isTrue();
            Disks.assertContent(disk, expected);
        }
        assertThat(Files.readAllBytes(vhdx)).isEqualTo(image);

        Path theirs = Files.copy(vhdx, dir.resolve("theirs.vhdx"));
        QemuImg.run("check", "-r", "all", "-f", "vhdx", theirs.toString());
        qemuAgrees(theirs, expected);

        try (BlockDevice disk = ImageFormats.VHDX.open(vhdx, OpenOptions.forWriting())) {
            Disks.assertContent(disk, expected);
        }
        qemuAgrees(vhdx, expected); // replayed into the file, the log marked empty
        try (BlockDevice disk = ImageFormats.VHDX.open(vhdx, OpenOptions.forReading())) {
            assertThat(((VhdxImage) disk).replayedInMemory()).isFalse();
        }
    }

    /**
     * A dynamic image whose log (made by hand) maps block 3 to data appended to the file (a BAT
     * sector) and zeros a sector of block 0; {@code expected} gets what the disk reads after replay.
     */
    private static byte[] imageWithLog(Path vhdx, byte[] expected) throws IOException {
        ImageFormats.VHDX.create(vhdx, 8 * MIB, Map.of("block_size", "1M"));
        new Random(4).nextBytes(expected);
        Arrays.fill(expected, 3 * MIB, 4 * MIB, (byte) 0);
        try (BlockDevice disk = ImageFormats.VHDX.open(vhdx, OpenOptions.forWriting())) {
            disk.write(0, MemorySegment.ofArray(expected));
        }
        byte[] image = Files.readAllBytes(vhdx);
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        long batOffset = b.getLong((int) VhdxRegionTable.FIRST + 32);
        // Block 3's data, appended at a new 1 MiB boundary, but not yet in the BAT.
        long newBlock = image.length;
        byte[] block3 = new byte[MIB];
        new Random(5).nextBytes(block3);
        image = Arrays.copyOf(image, image.length + MIB);
        System.arraycopy(block3, 0, image, (int) newBlock, MIB);
        System.arraycopy(block3, 0, expected, 3 * MIB, MIB);
        byte[] batSector = Arrays.copyOfRange(image, (int) batOffset, (int) batOffset + 4096);
        ByteBuffer.wrap(batSector).order(ByteOrder.LITTLE_ENDIAN).putLong(3 * 8, newBlock | BlockAllocationTable.FULLY_PRESENT);
        long block0 = ByteBuffer.wrap(batSector).order(ByteOrder.LITTLE_ENDIAN).getLong(0) & BlockAllocationTable.OFFSET_MASK;
        Arrays.fill(expected, 8192, 8192 + 4096, (byte) 0);
        Guid logGuid = Guid.random();
        byte[] entry = VhdxLog.entry(logGuid, 7, image.length, List.of(new VhdxLog.Write(batOffset, batSector, 0),
                new VhdxLog.Write(block0 + 8192, null, 4096)));
        System.arraycopy(entry, 0, image, MIB, entry.length);
        for (long h : new long[] {VhdxHeader.FIRST, VhdxHeader.SECOND}) {
            VhdxHeader old = VhdxHeader.parse(Arrays.copyOfRange(image, (int) h, (int) h + 4096));
            byte[] fresh = old.next(old.fileWriteGuid, old.dataWriteGuid, logGuid).toBytes();
            System.arraycopy(fresh, 0, image, (int) h, 4096);
        }
        return image;
    }

    @Test
    void badImagesAreOneLineErrors() throws IOException {
        Path vhdx = dir.resolve("good.vhdx");
        ImageFormats.VHDX.create(vhdx, 8 * MIB, Map.of("block_size", "1M"));
        try (BlockDevice disk = ImageFormats.VHDX.open(vhdx, OpenOptions.forWriting())) {
            disk.write(0, MemorySegment.ofArray(new byte[4096]));
        }
        byte[] good = Files.readAllBytes(vhdx);
        ByteBuffer b = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        int rt = (int) VhdxRegionTable.FIRST;
        long bat = b.getLong(rt + 32);
        long meta = b.getLong(rt + 64);
        assertInvalid(Arrays.copyOf(good, 1000), "too short");
        byte[] noHeaders = good.clone();
        noHeaders[(int) VhdxHeader.FIRST + 20] ^= 1;
        noHeaders[(int) VhdxHeader.SECOND + 20] ^= 1;
        assertInvalid(noHeaders, "no valid header");
        byte[] noTables = good.clone();
        noTables[rt + 100] ^= 1;
        noTables[(int) VhdxRegionTable.SECOND + 100] ^= 1;
        assertInvalid(noTables, "no valid region table");
        assertInvalid(regions(good, rt + 32, 1L << 40), "outside the file");
        assertInvalid(regions(good, rt + 32, meta), "overlaps");
        assertInvalid(withLong(good, (int) meta + 65536, 3L << 20), "block size");
        assertInvalid(withLong(good, (int) meta + 65536 + 8, 1L << 50), "virtual size");
        assertInvalid(withLong(good, (int) meta + 65536 + 8, 1L << 42), "too small");
        assertInvalid(withLong(good, (int) bat, (1L << 40) | 6), "past the end of the file");
        assertInvalid(withLong(good, (int) bat, 6), "header section");
        assertInvalid(withLong(good, (int) bat, meta | 6), "overlaps");
        assertInvalid(withLong(good, (int) bat, 7), "partially present");
        assertInvalid(withLong(good, (int) bat, 4), "unknown state");
        assertInvalid(withLong(good, (int) bat + 8, b.getLong((int) bat)), "overlap");
    }

    private static byte[] withLong(byte[] image, int at, long v) {
        byte[] c = image.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return c;
    }

    /** Changes the region table (both copies) and fixes their checksums. */
    private static byte[] regions(byte[] image, int at, long v) {
        byte[] c = withLong(image, at, v);
        return fixChecksums(c);
    }

    static byte[] fixChecksums(byte[] c) {
        ByteBuffer b = ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN);
        if (c.length >= VhdxRegionTable.SECOND + VhdxRegionTable.SIZE) {
            byte[] t = Arrays.copyOfRange(c, (int) VhdxRegionTable.FIRST, (int) (VhdxRegionTable.FIRST + VhdxRegionTable.SIZE));
            b.putInt((int) VhdxRegionTable.FIRST + 4, VhdxHeader.crc(t, 4));
            System.arraycopy(c, (int) VhdxRegionTable.FIRST, c, (int) VhdxRegionTable.SECOND, VhdxRegionTable.SIZE);
            for (long h : new long[] {VhdxHeader.FIRST, VhdxHeader.SECOND}) {
                byte[] hb = Arrays.copyOfRange(c, (int) h, (int) h + VhdxHeader.SIZE);
                b.putInt((int) h + 4, VhdxHeader.crc(hb, 4));
            }
        }
        return c;
    }

    private void assertInvalid(byte[] image, String message) throws IOException {
        Path p = Files.write(dir.resolve("hostile.vhdx"), image);
        assertThatThrownBy(() -> ImageFormats.VHDX.open(p, OpenOptions.forReading()).close())
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void survivesFuzzedImages() throws Exception {
        Path vhdx = dir.resolve("seed.vhdx");
        ImageFormats.VHDX.create(vhdx, 4 * MIB, Map.of("block_size", "1M"));
        byte[] data = new byte[MIB + 5000];
        new Random(2).nextBytes(data);
        try (BlockDevice disk = ImageFormats.VHDX.open(vhdx, OpenOptions.forWriting())) {
            disk.write(MIB - 7, MemorySegment.ofArray(data));
        }
        byte[] valid = Files.readAllBytes(vhdx);
        ByteBuffer b = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN);
        int rt = (int) VhdxRegionTable.FIRST;
        int bat = (int) b.getLong(rt + 32);
        int meta = (int) b.getLong(rt + 64);
        List<Fuzz.Field> fields = new java.util.ArrayList<>();
        for (long h : new long[] {VhdxHeader.FIRST, VhdxHeader.SECOND}) {
            fields.add(Fuzz.Field.le((int) h + 8, 8));
            fields.add(Fuzz.Field.le((int) h + 48, 8));
            fields.add(Fuzz.Field.le((int) h + 64, 4));
            fields.add(Fuzz.Field.le((int) h + 68, 4));
            fields.add(Fuzz.Field.le((int) h + 72, 8));
        }
        for (int off : new int[] {8, 32, 40, 44, 64, 72, 76}) {
            fields.add(Fuzz.Field.le(rt + off, off == 32 || off == 64 ? 8 : 4));
        }
        for (int i = 0; i < 5; i++) {
            fields.add(Fuzz.Field.le(meta + 32 + 32 * i + 16, 4));
            fields.add(Fuzz.Field.le(meta + 32 + 32 * i + 20, 4));
            fields.add(Fuzz.Field.le(bat + 8 * i, 8));
        }
        fields.add(Fuzz.Field.le(meta + 10, 2));
        fields.add(Fuzz.Field.le(meta + 65536, 4));
        fields.add(Fuzz.Field.le(meta + 65540, 4));
        fields.add(Fuzz.Field.le(meta + 65544, 8));
        fields.add(Fuzz.Field.le(meta + 65568, 4));
        int opened = Fuzz.run(ImageFormats.VHDX, dir.resolve("fuzz.vhdx"), valid, fields, 200, 3, VhdxImageTest::fixChecksums);
        assertThat(opened).isGreaterThan(30);
    }

    @Test
    void survivesFuzzedLogs() throws Exception {
        byte[] valid = imageWithLog(dir.resolve("seed-log.vhdx"), new byte[8 * MIB]);
        int log = MIB;
        List<Fuzz.Field> fields = new java.util.ArrayList<>();
        for (int off : new int[] {8, 12, 24}) {
            fields.add(Fuzz.Field.le(log + off, 4));
        }
        for (int off : new int[] {16, 48, 56}) {
            fields.add(Fuzz.Field.le(log + off, 8));
        }
        for (int d = 0; d < 2; d++) {
            int at = log + 64 + 32 * d;
            fields.add(Fuzz.Field.le(at, 4));
            fields.add(Fuzz.Field.le(at + 8, 8));
            fields.add(Fuzz.Field.le(at + 16, 8));
            fields.add(Fuzz.Field.le(at + 24, 8));
        }
        fields.add(Fuzz.Field.le(log + 4096, 4));
        fields.add(Fuzz.Field.le(log + 4096 + 4, 4));
        int opened = Fuzz.run(ImageFormats.VHDX, dir.resolve("fuzz-log.vhdx"), valid, fields, 100, 5, b -> {
            if (b.length > MIB + 8192) {
                ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                int length = bb.getInt(MIB + 8);
                if (length > 0 && length % 4096 == 0 && length <= MIB && MIB + length <= b.length) {
                    byte[] entry = Arrays.copyOfRange(b, MIB, MIB + length);
                    bb.putInt(MIB + 4, VhdxHeader.crc(entry, 4));
                }
            }
            return b;
        });
        assertThat(opened).isGreaterThan(10);
    }

    @Test
    void aNewBlocksBatEntryReachesTheFileOnlyAtFlush() throws IOException {
        Path vhdx = dir.resolve("order.vhdx");
        ImageFormats.VHDX.create(vhdx, 8 * MIB, Map.of("block_size", "1M"));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(vhdx)).order(ByteOrder.LITTLE_ENDIAN);
        int bat = (int) b.getLong((int) VhdxRegionTable.FIRST + 32);
        try (BlockDevice disk = ImageFormats.VHDX.open(vhdx, OpenOptions.forWriting())) {
            disk.write(MIB + 10, MemorySegment.ofArray(new byte[] {1, 2, 3}));
            ByteBuffer now = ByteBuffer.wrap(Files.readAllBytes(vhdx)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(now.getLong(bat + 8)).isZero();
            assertThat(now.getLong((int) VhdxHeader.FIRST + 8)).isNotEqualTo(b.getLong((int) VhdxHeader.FIRST + 8)); // new GUIDs first
            disk.flush();
            now = ByteBuffer.wrap(Files.readAllBytes(vhdx)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(now.getLong(bat + 8) & 7).isEqualTo(BlockAllocationTable.FULLY_PRESENT);
        }
    }

    @Test
    void aLogOfOverlappingEntriesIsRefusedQuickly() throws IOException {
        Path vhdx = dir.resolve("tangled.vhdx");
        ImageFormats.VHDX.create(vhdx, 8 * MIB, Map.of("log_size", "8M"));
        byte[] image = Files.readAllBytes(vhdx);
        Guid logGuid = Guid.random();
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = MIB; at < 9 * MIB; at += 4096) { // every sector an entry as long as the log, none with a good checksum
            b.putInt(at, 0x65676f6c).putInt(at + 8, 8 * MIB).putLong(at + 16, 1).put(at + 32, logGuid.bytes());
        }
        for (long h : new long[] {VhdxHeader.FIRST, VhdxHeader.SECOND}) {
            VhdxHeader old = VhdxHeader.parse(Arrays.copyOfRange(image, (int) h, (int) h + 4096));
            System.arraycopy(old.next(old.fileWriteGuid, old.dataWriteGuid, logGuid).toBytes(), 0, image, (int) h, 4096);
        }
        Path p = Files.write(vhdx, image);
        long start = System.nanoTime();
        assertThatThrownBy(() -> ImageFormats.VHDX.open(p, OpenOptions.forReading()).close())
                .isInstanceOf(InvalidImageException.class).hasMessageContaining("overlapping entries");
        assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L);
    }
}
