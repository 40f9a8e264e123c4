package jvirt.guest.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import jvirt.guest.ext4.Ext4Exception;
import jvirt.guest.ext4.Mke2fs;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskBootTest {
    @TempDir
    Path dir;

    @Test
    void copiesWhatDebiansLinksNameThroughAQcow2Overlay() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree/boot"));
        Files.writeString(tree.resolve("vmlinux-6.12.1"), "old kernel");
        Files.writeString(tree.resolve("vmlinux-6.12.2"), "new kernel");
        Files.writeString(tree.resolve("initrd.img-6.12.2"), "new initramfs");
        Files.createSymbolicLink(tree.resolveSibling("vmlinuz"), Path.of("boot/vmlinux-6.12.2"));
        Files.createSymbolicLink(tree.resolveSibling("initrd.img"), Path.of("boot/initrd.img-6.12.2"));
        Path base = Mke2fs.image(tree.getParent(), dir.resolve("base.raw"), "16M", "-t", "ext4");
        Path overlay = dir.resolve("disk.qcow2");
        ImageFormats.QCOW2.create(overlay, Files.size(base), Map.of("backing_file", base.toString(), "backing_fmt", "raw"));
        Path kernel = dir.resolve("vmlinux");
        Path initrd = dir.resolve("initrd.img");
        try (BlockDevice disk = ImageFormats.open(overlay, ImageFormats.QCOW2, OpenOptions.forReading())) {
            DiskBoot.Found found = DiskBoot.extract(disk, kernel, initrd, 1 << 20);
            assertThat(found).isEqualTo(new DiskBoot.Found("/boot/vmlinux-6.12.2", "/boot/initrd.img-6.12.2"));
        }
        assertThat(kernel).hasContent("new kernel");
        assertThat(initrd).hasContent("new initramfs");
        assertThat(dir).isDirectoryNotContaining("glob:**.partial");
    }

    @Test
    void leavesTheLastBootsFilesAloneWhenTheDiskCannotBoot() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree/boot"));
        Files.writeString(tree.resolve("vmlinux-6.12.1"), "kernel");
        Files.createSymbolicLink(tree.resolveSibling("vmlinuz"), Path.of("boot/vmlinux-6.12.1"));
        Files.createSymbolicLink(tree.resolveSibling("initrd.img"), Path.of("boot"));
        Path image = Mke2fs.image(tree.getParent(), dir.resolve("disk.raw"), "16M", "-t", "ext4");
        Path kernel = Files.writeString(dir.resolve("vmlinux"), "booted last");
        Path initrd = Files.writeString(dir.resolve("initrd.img"), "booted last");
        try (BlockDevice disk = ImageFormats.open(image, ImageFormats.RAW, OpenOptions.forReading())) {
            assertThatThrownBy(() -> DiskBoot.extract(disk, kernel, initrd, 1 << 20)).isInstanceOf(Ext4Exception.class)
                    .hasMessage("/initrd.img leads to /boot, which is not a regular file");
        }
        Mke2fs.markNeedsRecovery(image);
        try (BlockDevice disk = ImageFormats.open(image, ImageFormats.RAW, OpenOptions.forReading())) {
            assertThatThrownBy(() -> DiskBoot.extract(disk, kernel, initrd, 1 << 20))
                    .hasMessage("the file system was not unmounted cleanly (its journal needs recovery)");
        }
        assertThat(kernel).hasContent("booted last");
        assertThat(initrd).hasContent("booted last");
        assertThat(dir).isDirectoryNotContaining("glob:**.partial");
    }
}
