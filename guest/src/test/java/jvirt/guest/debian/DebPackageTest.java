package jvirt.guest.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DebPackageTest {
    private static DebBuilder sample() {
        return DebBuilder.deb()
                .directory("./")
                .directory("./usr/")
                .directory("./usr/bin/")
                .file("./usr/bin/busybox", "#!busybox\n".getBytes(StandardCharsets.UTF_8), 0755)
                .symlink("./usr/bin/sh", "busybox")
                .file("./usr/share/doc/readme", noise(100_000));
    }

    /** Bytes that do not compress, so that cutting the package short cuts into the data. */
    private static byte[] noise(int size) {
        byte[] bytes = new byte[size];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    private static Map<String, DataEntry> read(byte[] deb, Map<String, String> contents) throws IOException {
        Map<String, DataEntry> entries = new LinkedHashMap<>();
        DebPackage.readData(new ByteArrayInputStream(deb), "test.deb", (entry, content) -> {
            entries.put(entry.path(), entry);
            if (entry.type() == DataEntry.Type.FILE && entry.size() < 1000) {
                contents.put(entry.path(), new String(content.readAllBytes(), StandardCharsets.UTF_8));
            }
        });
        return entries;
    }

    @ParameterizedTest
    @EnumSource(value = DebBuilder.Compression.class, names = {"XZ", "GZ", "NONE"})
    void readsFilesDirectoriesAndSymlinks(DebBuilder.Compression compression) throws IOException {
        Map<String, String> contents = new LinkedHashMap<>();
        Map<String, DataEntry> entries = read(sample().compression(compression).build(), contents);

        assertThat(entries.keySet()).containsExactly("usr", "usr/bin", "usr/bin/busybox", "usr/bin/sh", "usr/share/doc/readme");
        assertThat(entries.get("usr/bin").type()).isEqualTo(DataEntry.Type.DIRECTORY);
        DataEntry busybox = entries.get("usr/bin/busybox");
        assertThat(busybox.type()).isEqualTo(DataEntry.Type.FILE);
        assertThat(busybox.mode()).isEqualTo(0755);
        assertThat(busybox.modified()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
        assertThat(contents.get("usr/bin/busybox")).isEqualTo("#!busybox\n");
        assertThat(entries.get("usr/bin/sh").type()).isEqualTo(DataEntry.Type.SYMLINK);
        assertThat(entries.get("usr/bin/sh").linkTarget()).isEqualTo("busybox");
        assertThat(entries.get("usr/share/doc/readme").size()).isEqualTo(100_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc/passwd", "./usr/../../etc/passwd", "/etc/passwd", "usr/bin/.."})
    void refusesPathsThatLeaveTheRoot(String hostile) {
        byte[] deb = DebBuilder.deb().file("./usr/bin/fine", "ok").file(hostile, "evil").build();
        List<String> seen = new ArrayList<>();

        assertThatThrownBy(() -> DebPackage.readData(new ByteArrayInputStream(deb), "evil.deb",
                (entry, content) -> seen.add(entry.path())))
                .isInstanceOf(DebFormatException.class)
                .hasMessage("evil.deb contains the unsafe path '" + hostile + "'; refusing the package");
    }

    @ParameterizedTest
    @EnumSource(value = DebBuilder.Compression.class, names = {"XZ", "GZ", "NONE"})
    void refusesATruncatedPackage(DebBuilder.Compression compression) {
        byte[] deb = sample().compression(compression).build();
        byte[] truncated = Arrays.copyOf(deb, deb.length / 2);

        assertThatThrownBy(() -> read(truncated, new LinkedHashMap<>()))
                .isInstanceOf(DebFormatException.class)
                .hasMessageStartingWith("test.deb is truncated")
                .hasMessageNotContaining("\n");
    }

    @Test
    void refusesAPackageCutInsideItsHeaders() {
        byte[] deb = sample().build();

        assertThatThrownBy(() -> read(Arrays.copyOf(deb, 100), new LinkedHashMap<>()))
                .isInstanceOf(DebFormatException.class)
                .hasMessageStartingWith("test.deb ");
    }

    @Test
    void refusesZstdWithAClearMessage() {
        byte[] deb = sample().compression(DebBuilder.Compression.ZST).build();

        assertThatThrownBy(() -> read(deb, new LinkedHashMap<>()))
                .isInstanceOf(DebFormatException.class)
                .hasMessageContaining("zstd (data.tar.zst)");
    }

    @Test
    void refusesSomethingThatIsNotADeb() {
        byte[] notDeb = "!<arch>\nhello/          0           0     0     644     5         `\nhello\n".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> read(notDeb, new LinkedHashMap<>()))
                .isInstanceOf(DebFormatException.class)
                .hasMessageContaining("not a Debian package");
    }

    @Test
    void aVisitorsOwnFailurePassesThroughUnchanged() {
        IOException diskFull = new IOException("No space left on device");

        assertThatThrownBy(() -> DebPackage.readData(new ByteArrayInputStream(sample().build()), "test.deb",
                (entry, content) -> {
                    throw diskFull;
                })).isSameAs(diskFull);
    }
}
