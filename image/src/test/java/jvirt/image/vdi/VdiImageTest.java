package jvirt.image.vdi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.params.provider.ValueSource;

class VdiImageTest {
    private static final int MIB = Disks.MIB;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void readsWhatQemuImgConverts(boolean isStatic) throws IOException {
        assumeTrue(QemuImg.available());
        byte[] content = Disks.randomWithHoles(13 * MIB + 3 * 512, 11);
        Path raw = Disks.writeRaw(dir.resolve("src.raw"), content);
        Path vdi = dir.resolve("disk.vdi");
        QemuImg.ok("convert", "-f", "raw", "-O", "vdi", "-o", "static=" + (isStatic ? "on" : "off"), raw.toString(), vdi.toString());
        assertThat(ImageFormats.probe(vdi)).isSameAs(ImageFormats.VDI);
        String json = QemuImg.infoJson(vdi, "vdi");
        List<QemuImg.MapEntry> map = QemuImg.map(vdi, "vdi"); // before jvirt holds the lock
        try (BlockDevice disk = ImageFormats.open(vdi, null, OpenOptions.forReading())) {
            Disks.assertContent(disk, content);
            Disks.assertStatusAgrees(disk, map, content, true);
            ImageInfo info = disk.info();
            assertThat(info.format()).isEqualTo(QemuImg.string(json, "format"));
            assertThat(info.virtualSize()).isEqualTo(QemuImg.number(json, "virtual-size"));
            assertThat(info.clusterSize()).isEqualTo(QemuImg.number(json, "cluster-size"));
            assertThat(info.formatSpecific()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void qemuImgAgreesWithWhatJvirtWrites(boolean isStatic) throws IOException {
        assumeTrue(QemuImg.available());
        Path vdi = dir.resolve("new.vdi");
        int size = 21 * MIB + 512;
        ImageFormats.VDI.create(vdi, size, Map.of("static", isStatic ? "on" : "off"));
        byte[] expected = new byte[size];
        try (BlockDevice disk = ImageFormats.VDI.open(vdi, OpenOptions.forWriting())) {
            Disks.randomWrites(disk, expected, 5, 60);
            disk.writeZeroes(MIB, 2 * MIB + 100, true);
            java.util.Arrays.fill(expected, MIB, 3 * MIB + 100, (byte) 0);
            disk.flush();
            Disks.assertContent(disk, expected);
        }
        Path raw = Disks.writeRaw(dir.resolve("expected.raw"), expected);
        QemuImg.ok("compare", "-f", "vdi", "-F", "raw", vdi.toString(), raw.toString());
        QemuImg.ok("check", "-f", "vdi", vdi.toString());
        String json = QemuImg.infoJson(vdi, "vdi");
        assertThat(QemuImg.number(json, "virtual-size")).isEqualTo(size);
        try (BlockDevice disk = ImageFormats.VDI.open(vdi, OpenOptions.forReading())) {
            Disks.assertContent(disk, expected);
        }
    }

    @Test
    void aNewBlocksMapEntryReachesTheFileOnlyAtFlush() throws IOException {
        Path vdi = dir.resolve("order.vdi");
        ImageFormats.VDI.create(vdi, 4 * MIB, Map.of());
        try (BlockDevice disk = ImageFormats.VDI.open(vdi, OpenOptions.forWriting())) {
            disk.write(2 * MIB + 10, MemorySegment.ofArray(new byte[] {1, 2, 3}));
            assertThat(bmapEntry(vdi, 2)).isEqualTo(BlockMap.UNALLOCATED);
            assertThat(disk.status(2 * MIB, MIB).kind()).isEqualTo(Extent.Kind.DATA);
            assertThat(disk.status(0, 2 * MIB)).isEqualTo(new Extent(2 * MIB, Extent.Kind.ZERO, -1));
            disk.flush();
            assertThat(bmapEntry(vdi, 2)).isEqualTo(0);
        }
    }

    private static int bmapEntry(Path vdi, int block) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(vdi)).order(ByteOrder.LITTLE_ENDIAN);
        return b.getInt(b.getInt(VdiHeader.OFF_BMAP) + 4 * block);
    }

    @Test
    void badHeadersAreOneLineErrors() throws IOException {
        Path vdi = dir.resolve("bad.vdi");
        ImageFormats.VDI.create(vdi, 8 * MIB, Map.of());
        byte[] good = Files.readAllBytes(vdi);
        assertInvalid(java.util.Arrays.copyOf(good, 300), "too short");
        assertInvalid(with(good, VdiHeader.OFF_BLOCKS, 0x7fffffff), "larger than supported");
        assertInvalid(with(good, VdiHeader.OFF_BLOCKS, 1 << 20), "past the end of the file");
        assertInvalid(with(good, VdiHeader.OFF_BMAP, 0), "inside the header");
        assertInvalid(with(good, VdiHeader.OFF_BLOCK_SIZE, 3000), "block size");
        assertInvalid(with(good, VdiHeader.OFF_DISK_SIZE, 0x7fffffff), "larger than its");
        assertInvalid(with(good, 512, 9), "beyond the image");
        assertInvalid(with(with(good, 512, 0), 516, 0), "past the end of the file");
        byte[] twice = with(with(good, 512, 0), 516, 0);
        twice = java.util.Arrays.copyOf(twice, twice.length + 2 * MIB);
        assertInvalid(twice, "used by two");
    }

    private static byte[] with(byte[] image, int offset, int value) {
        byte[] b = image.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(offset, value);
        return b;
    }

    private void assertInvalid(byte[] image, String message) throws IOException {
        Path p = Files.write(dir.resolve("hostile.vdi"), image);
        assertThatThrownBy(() -> ImageFormats.VDI.open(p, OpenOptions.forReading()).close())
                .isInstanceOf(InvalidImageException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void createRefusesUnknownOptions() {
        assertThatThrownBy(() -> ImageFormats.VDI.create(dir.resolve("x.vdi"), MIB, Map.of("cluster_size", "2M")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster_size");
    }

    @Test
    void survivesFuzzedImages() throws Exception {
        Path vdi = dir.resolve("seed.vdi");
        ImageFormats.VDI.create(vdi, 3 * MIB + 512, Map.of());
        byte[] expected = new byte[3 * MIB + 512];
        try (BlockDevice disk = ImageFormats.VDI.open(vdi, OpenOptions.forWriting())) {
            Disks.randomWrites(disk, expected, 9, 6);
        }
        byte[] valid = Files.readAllBytes(vdi);
        List<Fuzz.Field> fields = List.of(Fuzz.Field.le(VdiHeader.OFF_SIGNATURE, 4), Fuzz.Field.le(VdiHeader.OFF_VERSION, 4),
                Fuzz.Field.le(VdiHeader.OFF_HEADER_SIZE, 4), Fuzz.Field.le(VdiHeader.OFF_TYPE, 4),
                Fuzz.Field.le(VdiHeader.OFF_BMAP, 4), Fuzz.Field.le(VdiHeader.OFF_DATA, 4),
                Fuzz.Field.le(VdiHeader.OFF_SECTOR_SIZE, 4), Fuzz.Field.le(VdiHeader.OFF_DISK_SIZE, 8),
                Fuzz.Field.le(VdiHeader.OFF_BLOCK_SIZE, 4), Fuzz.Field.le(VdiHeader.OFF_BLOCK_EXTRA, 4),
                Fuzz.Field.le(VdiHeader.OFF_BLOCKS, 4), Fuzz.Field.le(VdiHeader.OFF_ALLOCATED, 4),
                Fuzz.Field.le(512, 4), Fuzz.Field.le(516, 4), Fuzz.Field.le(520, 4), Fuzz.Field.le(524, 4));
        assertThat(Fuzz.run(ImageFormats.VDI, dir.resolve("fuzz.vdi"), valid, fields, 400, 1, b -> b)).isGreaterThan(40);
    }
}
