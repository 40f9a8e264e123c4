package jvirt.image.raw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RawImageTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private Path image(byte[] content) throws IOException {
        return Files.write(dir.resolve("disk.img"), content);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void readsAndWritesTheFilesBytesInPlace() throws IOException {
        byte[] content = random(MIB, 1);
        Path path = image(content);
        try (RawImage disk = RawImage.open(path, false); Arena arena = Arena.ofConfined()) {
            assertThat(disk.size()).isEqualTo(MIB);
            MemorySegment buffer = arena.allocate(4096);
            disk.read(8192, buffer);
            assertThat(buffer.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(Arrays.copyOfRange(content, 8192, 12288));
            disk.write(0, MemorySegment.ofArray(new byte[] {1, 2, 3}));
            disk.flush();
        }
        assertThat(Files.readAllBytes(path)).startsWith(1, 2, 3);
    }

    @Test
    void vectoredIoScattersAndGathersAcrossSegments() throws IOException {
        byte[] content = random(MIB, 2);
        Path path = image(content);
        try (RawImage disk = RawImage.open(path, false); Arena arena = Arena.ofConfined()) {
            List<MemorySegment> parts = List.of(arena.allocate(100), arena.allocate(4096), arena.allocate(7));
            disk.read(1000, parts);
            byte[] joined = new byte[4203];
            int at = 0;
            for (MemorySegment p : parts) {
                MemorySegment.copy(p, ValueLayout.JAVA_BYTE, 0, joined, at, (int) p.byteSize());
                at += (int) p.byteSize();
            }
            assertThat(joined).isEqualTo(Arrays.copyOfRange(content, 1000, 5203));
            disk.write(MIB - 4203, parts);
        }
        byte[] after = Files.readAllBytes(path);
        assertThat(Arrays.copyOfRange(after, MIB - 4203, MIB)).isEqualTo(Arrays.copyOfRange(content, 1000, 5203));
    }

    @Test
    void rangesOutsideTheDiskAreRefused() throws IOException {
        try (RawImage disk = RawImage.open(image(new byte[4096]), false); Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> disk.read(4000, arena.allocate(512))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> disk.write(Long.MAX_VALUE, arena.allocate(2))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> disk.discard(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void discardAndWriteZeroesReadBackAsZerosAndFreeSpace() throws IOException {
        Path path = image(random(4 * MIB, 3));
        long before = allocatedBlocks(path);
        try (RawImage disk = RawImage.open(path, false)) {
            disk.discard(0, 2 * MIB);
            disk.writeZeroes(2 * MIB, MIB, true);
            disk.writeZeroes(3 * MIB, 4096, false);
        }
        byte[] after = Files.readAllBytes(path);
        assertThat(after).hasSize(4 * MIB);
        for (int i = 0; i < 3 * MIB + 4096; i++) {
            if (after[i] != 0) {
                throw new AssertionError("byte " + i + " is not zero");
            }
        }
        assertThat(allocatedBlocks(path)).isLessThan(before); // holes were punched
    }

    /** The file's allocated 512-byte blocks, which Java's file attributes do not expose. */
    private static long allocatedBlocks(Path path) throws IOException {
        Process stat = new ProcessBuilder("stat", "-c", "%b", path.toString()).start();
        return Long.parseLong(new String(stat.getInputStream().readAllBytes()).strip());
    }

    @Test
    void aReadOnlyImageRefusesChangesAndAWriterLocksOthersOut() throws IOException {
        Path path = image(new byte[4096]);
        try (RawImage ro = RawImage.open(path, true)) {
            assertThat(ro.readOnly()).isTrue();
            assertThatThrownBy(() -> ro.write(0, MemorySegment.ofArray(new byte[1]))).hasMessageContaining("read-only");
        }
        try (RawImage rw = RawImage.open(path, false)) {
            assertThatThrownBy(() -> RawImage.open(path, false)).hasMessageContaining("in use");
        }
    }

    @Test
    void formatsAreProbedAndNamed() throws IOException {
        Path raw = image(new byte[512]);
        assertThat(ImageFormats.probe(raw)).isSameAs(ImageFormats.RAW);
        assertThatThrownBy(() -> ImageFormats.byName("floppy")).hasMessageContaining("unknown image format");
        assertThatThrownBy(() -> ImageFormats.open(dir.resolve("missing"), ImageFormats.RAW, OpenOptions.forWriting()))
                .hasMessageContaining("no such file");
        try (BlockDevice d = ImageFormats.open(raw, ImageFormats.byName("RAW"), OpenOptions.forReading())) {
            assertThat(d.size()).isEqualTo(512);
        }
    }

    @Test
    void holesAreReportedAsZerosAndTheRestAsData() throws IOException {
        Path path = dir.resolve("sparse.img");
        ImageFormats.RAW.create(path, 8 * MIB, java.util.Map.of());
        try (RawImage disk = RawImage.open(path, false)) {
            disk.write(2 * MIB, MemorySegment.ofArray(random(4096, 3)));
            assertThat(disk.status(0, 8 * MIB)).isEqualTo(new jvirt.image.Extent(2 * MIB, jvirt.image.Extent.Kind.ZERO, 0));
            jvirt.image.Extent data = disk.status(2 * MIB, 6 * MIB);
            assertThat(data.kind()).isEqualTo(jvirt.image.Extent.Kind.DATA);
            assertThat(data.length()).isPositive().isLessThan(6 * MIB);
            assertThat(disk.info().actualSize()).isBetween(4096L, (long) MIB);
        }
        assertThatThrownBy(() -> ImageFormats.RAW.create(path, MIB, java.util.Map.of("cluster_size", "4k")))
                .hasMessageContaining("invalid parameter 'cluster_size'");
    }
}
