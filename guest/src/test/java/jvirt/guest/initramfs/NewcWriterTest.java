package jvirt.guest.initramfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NewcWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesWhatTheHostCpioReads() throws IOException, InterruptedException {
        Path archive = dir.resolve("test.cpio");
        try (OutputStream out = Files.newOutputStream(archive); NewcWriter cpio = new NewcWriter(out, 1_700_000_000L)) {
            cpio.directory("tmp", 01777);
            cpio.characterDevice("dev/console", 0600, 5, 1);
            cpio.file("lib/modules/6.1/kernel/fs/ext4/ext4.ko", 0644, "module".getBytes(StandardCharsets.UTF_8));
            cpio.file("init", 0755, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8));
            cpio.symlink("usr/sbin/mkfs.ext4", "mke2fs");
        }

        assertThat(Files.readString(archive, StandardCharsets.ISO_8859_1)).startsWith("070701");
        assertThat(Cpio.list(archive, false)).containsExactly(
                "tmp", "dev", "dev/console", "lib", "lib/modules", "lib/modules/6.1", "lib/modules/6.1/kernel",
                "lib/modules/6.1/kernel/fs", "lib/modules/6.1/kernel/fs/ext4", "lib/modules/6.1/kernel/fs/ext4/ext4.ko", "init",
                "usr", "usr/sbin", "usr/sbin/mkfs.ext4");
        assertThat(Cpio.list(archive, true)).anySatisfy(line -> assertThat(line)
                .matches("crw------- +1 root +root +5, +1 .* dev/console"));
        assertThat(Cpio.list(archive, true)).anySatisfy(line -> assertThat(line).matches("drwxrwxrwt .* tmp"));
        assertThat(Cpio.list(archive, true)).anySatisfy(line -> assertThat(line).matches("-rwxr-xr-x +1 root +root +10 .* init"));
        assertThat(Cpio.list(archive, true)).anySatisfy(line -> assertThat(line)
                .matches("lrwxrwxrwx +1 root +root +6 .* usr/sbin/mkfs.ext4 -> mke2fs"));
    }

    @Test
    void refusesPathsThatAreNotPlainAndRelative() throws IOException {
        try (NewcWriter cpio = new NewcWriter(new ByteArrayOutputStream(), 0)) {
            for (String bad : new String[] {"/init", "a/../b", "a//b", "", "./init"}) {
                assertThatThrownBy(() -> cpio.file(bad, 0644, new byte[0])).isInstanceOf(IllegalArgumentException.class);
            }
            cpio.file("init", 0755, new byte[0]);
            assertThatThrownBy(() -> cpio.file("init", 0755, new byte[0])).hasMessage("init is already in the archive");
            assertThatThrownBy(() -> cpio.symlink("init", "x")).hasMessage("init is already in the archive");
            assertThatThrownBy(() -> cpio.symlink("bin", "")).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
