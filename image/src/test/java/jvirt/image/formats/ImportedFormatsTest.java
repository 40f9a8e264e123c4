package jvirt.image.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormat;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What every imported format must do alike: probing, several writers at once, read-only and closed disks. */
class ImportedFormatsTest {
    private static final int MIB = Disks.MIB;

    @TempDir
    Path dir;

    static List<Arguments> kinds() {
        return List.of(
                Arguments.of("vdi", Map.of(), ImageFormats.VDI),
                Arguments.of("vdi", Map.of("static", "on"), ImageFormats.VDI),
                Arguments.of("vpc", Map.of(), ImageFormats.VPC),
                Arguments.of("vpc", Map.of("subformat", "fixed"), ImageFormats.RAW), // QEMU probes fixed VHDs as raw
                Arguments.of("vmdk", Map.of(), ImageFormats.VMDK),
                Arguments.of("vmdk", Map.of("subformat", "monolithicFlat"), ImageFormats.VMDK),
                Arguments.of("vmdk", Map.of("subformat", "twoGbMaxExtentSparse"), ImageFormats.VMDK),
                Arguments.of("vhdx", Map.of(), ImageFormats.VHDX),
                Arguments.of("vhdx", Map.of("subformat", "fixed", "block_size", "1M"), ImageFormats.VHDX));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void probesAsQemuDoes(String name, Map<String, String> options, ImageFormat probed) throws IOException {
        Path p = dir.resolve("disk." + name);
        ImageFormat f = ImageFormats.byName(name);
        f.create(p, 5 * MIB, options);
        assertThat(ImageFormats.probe(p)).isSameAs(probed);
        byte[] head;
        try (InputStream in = Files.newInputStream(p)) {
            head = in.readNBytes(ImageFormats.PROBE_BYTES);
        }
        for (ImageFormat other : ImageFormats.all()) {
            if (other != f && other != ImageFormats.RAW) {
                assertThat(other.probe(head)).as(other.name() + " on " + name).isZero();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void severalThreadsWriteAtOnce(String name, Map<String, String> options, ImageFormat probed) throws Exception {
        Path p = dir.resolve("disk." + name);
        ImageFormat f = ImageFormats.byName(name);
        f.create(p, 16 * MIB, options);
        byte[] expected;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (BlockDevice disk = f.open(p, OpenOptions.forWriting())) {
            expected = new byte[(int) disk.size()];
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        // Each thread owns every fourth 64 KiB piece: writes interleave within blocks and grains.
                        int at = ((i * 4 + thread) * 65536 + 333) % (expected.length - 70000);
                        at = at / 65536 * 65536 + thread * 1000;
                        byte[] data = new byte[9000];
                        Arrays.fill(data, (byte) (thread * 40 + i + 1));
                        synchronized (expected) {
                            System.arraycopy(data, 0, expected, at, data.length);
                        }
                        disk.write(at, MemorySegment.ofArray(data));
                    }
                    return null;
                }));
            }
            for (Future<?> d : done) {
                d.get();
            }
        } finally {
            pool.shutdown();
        }
        try (BlockDevice disk = f.open(p, OpenOptions.forReading())) {
            Disks.assertContent(disk, expected);
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void readOnlyAndClosedDisksRefuseChanges(String name, Map<String, String> options, ImageFormat probed) throws IOException {
        Path p = dir.resolve("disk." + name);
        ImageFormat f = ImageFormats.byName(name);
        f.create(p, 3 * MIB, options);
        byte[] before = Files.readAllBytes(p);
        BlockDevice disk = f.open(p, OpenOptions.forReading());
        assertThat(disk.readOnly()).isTrue();
        assertThatThrownBy(() -> disk.write(0, MemorySegment.ofArray(new byte[1]))).isInstanceOf(IOException.class)
                .hasMessageContaining("read-only");
        assertThatThrownBy(() -> disk.read(disk.size() - 1, MemorySegment.ofArray(new byte[2])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.open(p, OpenOptions.forWriting())).hasMessageContaining("in use");
        disk.close();
        disk.close();
        assertThatThrownBy(() -> disk.read(0, MemorySegment.ofArray(new byte[1]))).isInstanceOf(IOException.class);
        assertThat(Files.readAllBytes(p)).isEqualTo(before);
    }
}
