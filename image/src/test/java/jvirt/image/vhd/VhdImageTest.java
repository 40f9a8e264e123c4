package jvirt.image.vhd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

class VhdImageTest {
    private static final int MIB = Disks.MIB;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"dynamic, off", "fixed, off", "dynamic, on", "fixed, on"})
    void readsWhatQemuImgConverts(String subformat, String forceSize) throws IOException {
        assumeTrue(QemuImg.available());
        byte[] content = Disks.randomWithHoles(11 * MIB + 7 * 512, 21);
        Path raw = Disks.writeRaw(dir.resolve("src.raw"), content);
        Path vhd = dir.resolve("disk.vhd");
        QemuImg.ok("convert", "-f", "raw", "-O", "vpc", "-o", "subformat=" + subformat + ",force_size=" + forceSize,
                raw.toString(), vhd.toString());
        assertThat(ImageFormats.probe(vhd)).isSameAs(subformat.equals("fixed") ? ImageFormats.RAW : ImageFormats.VPC);
        String json = QemuImg.infoJson(vhd, "vpc");
        long virtualSize = QemuImg.number(json, "virtual-size");
        byte[] expected = Arrays.copyOf(content, (int) virtualSize); // qemu rounds up to the geometry
        List<QemuImg.MapEntry> map = QemuImg.map(vhd, "vpc");
        try (BlockDevice disk = ImageFormats.open(vhd, ImageFormats.VPC, OpenOptions.forReading())) {
            ImageInfo info = disk.info();
            assertThat(info.format()).isEqualTo("vpc");
            assertThat(info.virtualSize()).isEqualTo(virtualSize);
            assertThat(info.clusterSize()).isEqualTo(Math.max(0, QemuImg.number(json, "cluster-size")));
            if (forceSize.equals("on")) {
                assertThat(info.virtualSize()).isEqualTo(content.length);
            }
            Disks.assertContent(disk, expected);
            Disks.assertStatusAgrees(disk, map, expected, true);
        }
    }

    @ParameterizedTest
    @CsvSource({"dynamic, off", "fixed, off", "dynamic, on"})
    void qemuImgAgreesWithWhatJvirtWrites(String subformat, String forceSize) throws IOException {
        assumeTrue(QemuImg.available());
        Path vhd = dir.resolve("new.vhd");
        ImageFormats.VPC.create(vhd, 17 * MIB + 1000, Map.of("subformat", subformat, "force_size", forceSize));
        long size;
        byte[] expected;
        try (BlockDevice disk = ImageFormats.VPC.open(vhd, OpenOptions.forWriting())) {
            size = disk.size();
            expected = new byte[(int) size];
            Disks.randomWrites(disk, expected, 7, 50);
            disk.writeZeroes(3 * MIB, MIB + 512, false);
            Arrays.fill(expected, 3 * MIB, 4 * MIB + 512, (byte) 0);
        }
        assertThat(size).isEqualTo(forceSize.equals("on") ? 17 * MIB + 1024 : size);
        String json = QemuImg.infoJson(vhd, "vpc");
        assertThat(QemuImg.number(json, "virtual-size")).isEqualTo(size);
        Path raw = Disks.writeRaw(dir.resolve("expected.raw"), expected);
        QemuImg.ok("compare", "-f", "vpc", "-F", "raw", vhd.toString(), raw.toString());
        try (BlockDevice disk = ImageFormats.VPC.open(vhd, OpenOptions.forReading())) {
            Disks.assertContent(disk, expected);
        }
    }

    @Test
    void newDisksRoundUpToTheirGeometryAsQemuImgDoes() throws IOException {
        assumeTrue(QemuImg.available());
        for (long size : new long[] {MIB, 10L * MIB + 1, 127L * MIB, (1L << 30) + 12345, 200L << 30, 2000L << 30}) {
            Path mine = dir.resolve("mine.vhd");
            Path theirs = dir.resolve("theirs.vhd");
            ImageFormats.VPC.create(mine, size, Map.of());
            QemuImg.ok("create", "-q", "-f", "vpc", theirs.toString(), Long.toString(size));
            long expected = QemuImg.number(QemuImg.infoJson(theirs, "vpc"), "virtual-size");
            assertThat(QemuImg.number(QemuImg.infoJson(mine, "vpc"), "virtual-size")).as("size %d", size).isEqualTo(expected);
            try (BlockDevice d = ImageFormats.VPC.open(mine, OpenOptions.forReading())) {
                assertThat(d.size()).isEqualTo(expected);
            }
        }
    }

    @Test
    void hyperVDisksAreSizedByCurrentSize() throws IOException {
        assumeTrue(QemuImg.available());
        Path vhd = dir.resolve("win.vhd");
        ImageFormats.VPC.create(vhd, 5 * MIB, Map.of("subformat", "fixed"));
        byte[] b = Files.readAllBytes(vhd);
        int footer = b.length - 512;
        byte[] f = Arrays.copyOfRange(b, footer, b.length);
        ByteBuffer.wrap(f).put(VhdFooter.OFF_CREATOR_APP, "win ".getBytes(StandardCharsets.ISO_8859_1))
                .putShort(VhdFooter.OFF_CYLINDERS, (short) 100); // a geometry that says less than current_size
        ByteBuffer.wrap(f).putInt(VhdFooter.OFF_CHECKSUM, VhdFooter.checksum(f, VhdFooter.OFF_CHECKSUM));
        System.arraycopy(f, 0, b, footer, 512);
        Files.write(vhd, b);
        long qemu = QemuImg.number(QemuImg.infoJson(vhd, "vpc"), "virtual-size");
        try (BlockDevice d = ImageFormats.VPC.open(vhd, OpenOptions.forReading())) {
            assertThat(d.size()).isEqualTo(qemu).isEqualTo(footer);
        }
    }

    @Test
    void sectorsABitmapMarksAbsentReadAsZerosUntilWritten() throws IOException {
        Path vhd = dir.resolve("bitmap.vhd");
        ImageFormats.VPC.create(vhd, 8 * MIB, Map.of());
        byte[] ones = new byte[4 * MIB];
        Arrays.fill(ones, (byte) 0x5a);
        try (BlockDevice disk = ImageFormats.VPC.open(vhd, OpenOptions.forWriting())) {
            disk.write(0, MemorySegment.ofArray(ones));
        }
        // Clear the bits of sectors 8..15 and 100 of block 0, as another tool's sparse block would have them.
        byte[] b = Files.readAllBytes(vhd);
        long bitmapAt = Integer.toUnsignedLong(ByteBuffer.wrap(b).getInt(1536)) * 512;
        b[(int) bitmapAt + 1] = 0;
        b[(int) bitmapAt + 12] &= (byte) ~0x08;
        Files.write(vhd, b);
        byte[] expected = new byte[(int) 8 * MIB + 0];
        try (BlockDevice disk = ImageFormats.VPC.open(vhd, OpenOptions.forWriting())) {
            expected = new byte[(int) disk.size()];
            System.arraycopy(ones, 0, expected, 0, ones.length);
            Arrays.fill(expected, 8 * 512, 16 * 512, (byte) 0);
            Arrays.fill(expected, 100 * 512, 101 * 512, (byte) 0);
            Disks.assertContent(disk, expected);
            assertThat(disk.status(8 * 512, MIB)).isEqualTo(new Extent(8 * 512, Extent.Kind.ZERO, -1));
            assertThat(disk.status(0, MIB).kind()).isEqualTo(Extent.Kind.DATA);
            disk.write(10 * 512 + 7, MemorySegment.ofArray(new byte[] {1, 2, 3}));
            expected[10 * 512 + 7] = 1;
            expected[10 * 512 + 8] = 2;
            expected[10 * 512 + 9] = 3;
            Disks.assertContent(disk, expected);
        }
        try (BlockDevice disk = ImageFormats.VPC.open(vhd, OpenOptions.forReading())) {
            Disks.assertContent(disk, expected);
            assertThat(disk.status(0, 2 * MIB)).isEqualTo(new Extent(2 * MIB, Extent.Kind.DATA, bitmapAt + 512));
        }
    }

    @Test
    void badImagesAreOneLineErrors() throws IOException {
        Path vhd = dir.resolve("good.vhd");
        ImageFormats.VPC.create(vhd, 8 * MIB, Map.of());
        try (BlockDevice disk = ImageFormats.VPC.open(vhd, OpenOptions.forWriting())) {
            disk.write(0, MemorySegment.ofArray(new byte[4096]));
        }
        byte[] good = Files.readAllBytes(vhd);
        assertInvalid(Arrays.copyOf(good, 100), "too short");
        assertInvalid(withInt(good, 100, 1, false), "footer checksum");
        assertInvalid(withInt(good, VhdFooter.OFF_TYPE, VhdFooter.TYPE_DIFFERENCING, true), "differencing");
        assertInvalid(withLong(good, VhdFooter.OFF_DATA_OFFSET, 1L << 40), "outside the file");
        int dyn = 512;
        assertInvalid(withDyn(good, dyn + DynamicDiskHeader.OFF_BLOCK_SIZE, 3000), "block size");
        assertInvalid(withDyn(good, dyn + DynamicDiskHeader.OFF_MAX_ENTRIES, 0x7fffffff), "past the end of the file");
        assertInvalid(withDyn(good, dyn + DynamicDiskHeader.OFF_MAX_ENTRIES, 1), "needs 5");
        assertInvalid(withInt(good, 1536, 1, false), "overlaps the image's headers");
        assertInvalid(withInt(good, 1536, 0x10000000, false), "past the end of the file");
        assertInvalid(Arrays.copyOf(good, good.length - 4096), "past the end of the file");
        byte[] longer = Arrays.copyOf(good, good.length + 4 * MIB);
        assertInvalid(withInt(longer, 1540, ByteBuffer.wrap(good).getInt(1536) + 8, false), "overlap");
    }

    /** Sets a big-endian int, fixing up the footer copy's checksum when {@code fixChecksum}. */
    private static byte[] withInt(byte[] image, int offset, int value, boolean fixChecksum) {
        byte[] b = image.clone();
        ByteBuffer.wrap(b).putInt(offset, value);
        if (fixChecksum) {
            refooter(b);
        }
        return b;
    }

    private static byte[] withLong(byte[] image, int offset, long value) {
        byte[] b = image.clone();
        ByteBuffer.wrap(b).putLong(offset, value);
        refooter(b);
        return b;
    }

    private static byte[] withDyn(byte[] image, int offset, int value) {
        byte[] b = image.clone();
        ByteBuffer.wrap(b).putInt(offset, value);
        byte[] h = Arrays.copyOfRange(b, 512, 1536);
        ByteBuffer.wrap(b).putInt(512 + DynamicDiskHeader.OFF_CHECKSUM, VhdFooter.checksum(h, DynamicDiskHeader.OFF_CHECKSUM));
        return b;
    }

    private static void refooter(byte[] b) {
        byte[] f = Arrays.copyOf(b, 512);
        ByteBuffer.wrap(b).putInt(VhdFooter.OFF_CHECKSUM, VhdFooter.checksum(f, VhdFooter.OFF_CHECKSUM));
    }

    private void assertInvalid(byte[] image, String message) throws IOException {
        Path p = Files.write(dir.resolve("hostile.vhd"), image);
        assertThatThrownBy(() -> ImageFormats.VPC.open(p, OpenOptions.forReading()).close())
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void survivesFuzzedImages() throws Exception {
        for (String subformat : List.of("dynamic", "fixed")) {
            Path vhd = dir.resolve("seed-" + subformat + ".vhd");
            ImageFormats.VPC.create(vhd, subformat.equals("fixed") ? MIB : 5 * MIB, Map.of("subformat", subformat));
            try (BlockDevice disk = ImageFormats.VPC.open(vhd, OpenOptions.forWriting())) {
                Disks.randomWrites(disk, new byte[(int) disk.size()], 3, 5);
            }
            byte[] valid = Files.readAllBytes(vhd);
            int footer = subformat.equals("fixed") ? valid.length - 512 : 0;
            List<Fuzz.Field> fields = new java.util.ArrayList<>(List.of(Fuzz.Field.be(footer + VhdFooter.OFF_DATA_OFFSET, 8),
                    Fuzz.Field.be(footer + VhdFooter.OFF_CURRENT_SIZE, 8), Fuzz.Field.be(footer + VhdFooter.OFF_CYLINDERS, 2),
                    Fuzz.Field.be(footer + VhdFooter.OFF_HEADS, 1), Fuzz.Field.be(footer + VhdFooter.OFF_SECTORS, 1),
                    Fuzz.Field.be(footer + VhdFooter.OFF_TYPE, 4), Fuzz.Field.be(footer + VhdFooter.OFF_CREATOR_APP, 4)));
            if (footer == 0) {
                fields.addAll(List.of(Fuzz.Field.be(512 + DynamicDiskHeader.OFF_TABLE_OFFSET, 8),
                        Fuzz.Field.be(512 + DynamicDiskHeader.OFF_MAX_ENTRIES, 4),
                        Fuzz.Field.be(512 + DynamicDiskHeader.OFF_BLOCK_SIZE, 4), Fuzz.Field.be(1536, 4), Fuzz.Field.be(1540, 4)));
            }
            // Checksums would reject nearly every mutant of a header field: fix them up, so the fields themselves are tried.
            Path target = dir.resolve("fuzz-" + subformat + ".vhd");
            int opened = Fuzz.run(ImageFormats.VPC, target, valid, fields, 250, 2, VhdImageTest::fixChecksums);
            assertThat(opened).isGreaterThan(25);
        }
    }

    private static byte[] fixChecksums(byte[] b) {
        {
            if (b.length >= 1536 && VhdFooter.hasCookie(b)) {
                refooter(b);
                if (new String(b, 512, 8, StandardCharsets.ISO_8859_1).equals("cxsparse")) {
                    byte[] h = Arrays.copyOfRange(b, 512, 1536);
                    ByteBuffer.wrap(b).putInt(512 + DynamicDiskHeader.OFF_CHECKSUM, VhdFooter.checksum(h, DynamicDiskHeader.OFF_CHECKSUM));
                }
            } else if (b.length >= 512) {
                byte[] f = Arrays.copyOfRange(b, b.length - 512, b.length);
                ByteBuffer.wrap(b).putInt(b.length - 512 + VhdFooter.OFF_CHECKSUM, VhdFooter.checksum(f, VhdFooter.OFF_CHECKSUM));
            }
            return b;
        }
    }

    @Test
    void aNewBlocksTableEntryReachesTheFileOnlyAtFlush() throws IOException {
        Path vhd = dir.resolve("order.vhd");
        ImageFormats.VPC.create(vhd, 8 * MIB, Map.of());
        try (BlockDevice disk = ImageFormats.VPC.open(vhd, OpenOptions.forWriting())) {
            disk.write(2 * MIB + 10, MemorySegment.ofArray(new byte[] {1, 2, 3}));
            assertThat(ByteBuffer.wrap(Files.readAllBytes(vhd)).getInt(1536 + 4)).isEqualTo(BlockAllocationTable.UNUSED);
            byte[] tail = Arrays.copyOfRange(Files.readAllBytes(vhd), (int) Files.size(vhd) - 512, (int) Files.size(vhd));
            assertThat(VhdFooter.hasCookie(tail)).isTrue(); // the footer moved past the new block first
            disk.flush();
            assertThat(ByteBuffer.wrap(Files.readAllBytes(vhd)).getInt(1536 + 4)).isNotEqualTo(BlockAllocationTable.UNUSED);
        }
    }
}
