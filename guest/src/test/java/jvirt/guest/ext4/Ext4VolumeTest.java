package jvirt.guest.ext4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** File systems made by e2fsprogs' mke2fs from a tree, read back and compared with the tree. */
class Ext4VolumeTest {
    @TempDir
    Path dir;

    private final Random random = new Random(7);

    @Test
    void followsDebiansBootLinksToTheFilesBytes() throws Exception {
        Path tree = tree();
        Path image = mkfs(tree, "32M", "-t", "ext4", "-L", "jvirt-root");
        try (BlockDevice disk = open(image)) {
            Ext4Volume volume = Ext4Volume.open(disk);
            assertThat(volume.label()).isEqualTo("jvirt-root");
            assertThat(volume.needsRecovery()).isFalse();
            Ext4Volume.Resolved kernel = volume.resolve("/vmlinuz");
            assertThat(kernel.path()).isEqualTo("/boot/vmlinux-6.12.1");
            assertThat(read(volume, kernel)).isEqualTo(Files.readAllBytes(tree.resolve("boot/vmlinux-6.12.1")));
            Ext4Volume.Resolved initrd = volume.resolve("/initrd.img");
            assertThat(initrd.path()).isEqualTo("/boot/initrd.img-6.12.1");
            assertThat(read(volume, initrd)).isEqualTo(Files.readAllBytes(tree.resolve("boot/initrd.img-6.12.1")));
            // a link through a linked directory, a link of more than 60 bytes (kept in a block), "..", a sparse file
            assertThat(volume.resolve("/linked/../boot/./vmlinux-6.12.1").path()).isEqualTo("/boot/vmlinux-6.12.1");
            assertThat(volume.resolve("/long").path()).isEqualTo("/boot/" + LONG_NAME);
            assertThat(read(volume, volume.resolve("/boot/sparse"))).isEqualTo(Files.readAllBytes(tree.resolve("boot/sparse")));
        }
    }

    @Test
    void findsEveryNameOfAHashedDirectory() throws Exception {
        Path image = mkfs(manyFiles("many", 3000), "32M", "-t", "ext4");
        try (BlockDevice disk = open(image)) {
            Ext4Volume volume = Ext4Volume.open(disk);
            for (int i = 0; i < 3000; i += 97) {
                assertThat(text(volume, "/many/f" + i)).isEqualTo("n" + i);
            }
            assertThatThrownBy(() -> volume.resolve("/many/f3000")).isInstanceOf(Ext4Exception.class)
                    .hasMessage("no /many/f3000 on the file system");
        }
    }

    @Test
    void readsExt2BlockMapsThroughDoubleIndirectBlocks() throws Exception {
        Path tree = tree();
        byte[] big = new byte[700 * 1024 + 123]; // 1 KiB blocks: 12 direct + 256 single + the rest double indirect
        random.nextBytes(big);
        Files.write(tree.resolve("big"), big);
        Path image = mkfs(tree, "32M", "-t", "ext2", "-b", "1024");
        try (BlockDevice disk = open(image)) {
            Ext4Volume volume = Ext4Volume.open(disk);
            assertThat(read(volume, volume.resolve("/big"))).isEqualTo(big);
            assertThat(read(volume, volume.resolve("/vmlinuz"))).isEqualTo(Files.readAllBytes(tree.resolve("boot/vmlinux-6.12.1")));
        }
    }

    @Test
    void findsGroupDescriptorsOfMetaBlockGroups() throws Exception {
        // 1 KiB blocks and 64-byte descriptors: 16 to a block, and 20 groups, so inodes lie in a second meta group.
        Path image = mkfs(manyFiles("d", 1900), "160M", "-t", "ext4", "-b", "1024", "-N", "2000", "-O",
                "meta_bg,^resize_inode,64bit");
        try (BlockDevice disk = open(image)) {
            Ext4Volume volume = Ext4Volume.open(disk);
            long highest = 0;
            for (int i = 0; i < 1900; i++) {
                assertThat(text(volume, "/d/f" + i)).isEqualTo("n" + i);
                highest = Math.max(highest, volume.resolve("/d/f" + i).inode().number());
            }
            assertThat(highest).isGreaterThan(16 * 96); // 96 inodes a group: some file's inode is in group 16 or later
        }
    }

    @Test
    void refusesWhatItCannotOrMayNotRead() throws Exception {
        Path tree = tree();
        Files.createSymbolicLink(tree.resolve("loop-a"), Path.of("loop-b"));
        Files.createSymbolicLink(tree.resolve("loop-b"), Path.of("loop-a"));
        Path image = mkfs(tree, "32M", "-t", "ext4");
        try (BlockDevice disk = open(image)) {
            Ext4Volume volume = Ext4Volume.open(disk);
            assertThatThrownBy(() -> volume.resolve("/loop-a")).hasMessage("too many symbolic links resolving /loop-a");
            assertThatThrownBy(() -> volume.resolve("/boot/vmlinux-6.12.1/x")).hasMessage("/boot/vmlinux-6.12.1 is not a directory");
            Ext4Volume.Resolved kernel = volume.resolve("/vmlinuz");
            assertThatThrownBy(() -> volume.copy(kernel.inode(), 1000, new ByteArrayOutputStream()))
                    .hasMessageContaining("more than the 1000 allowed");
            assertThatThrownBy(() -> volume.copy(volume.resolve("/boot").inode(), 1 << 20, new ByteArrayOutputStream()))
                    .hasMessageEndingWith("is not a regular file");
        }
        Mke2fs.markNeedsRecovery(image);
        try (BlockDevice disk = open(image)) {
            assertThat(Ext4Volume.open(disk).needsRecovery()).isTrue();
        }
        Path blank = dir.resolve("blank.img");
        try (RandomAccessFile file = new RandomAccessFile(blank.toFile(), "rw")) {
            file.setLength(1 << 20);
        }
        try (BlockDevice disk = open(blank)) {
            assertThatThrownBy(() -> Ext4Volume.open(disk)).isInstanceOf(Ext4Exception.class)
                    .hasMessage("the disk holds no ext2/3/4 file system (no superblock magic at byte 1024)");
        }
    }

    /** A guest owns its disk: whatever it writes into the metadata, the reader ends with its answer or an Ext4Exception. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void survivesDamagedMetadata() throws Exception {
        Path tree = tree();
        Path image = mkfs(tree, "8M", "-t", "ext4", "-b", "1024", "-N", "64");
        byte[] pristine = Files.readAllBytes(image);
        Path damaged = dir.resolve("damaged.img");
        int answered = 0;
        for (int round = 0; round < 400; round++) {
            byte[] bytes = pristine.clone();
            // The superblock, descriptors and inode tables sit in the first 200 KiB here; data further on.
            for (int flips = 1 + random.nextInt(8); flips > 0; flips--) {
                int at = random.nextInt(round % 4 == 0 ? 4096 : 200 * 1024);
                bytes[at] = (byte) random.nextInt(256);
            }
            Files.write(damaged, bytes);
            try (BlockDevice disk = open(damaged)) {
                Ext4Volume volume = Ext4Volume.open(disk);
                for (String path : List.of("/vmlinuz", "/initrd.img", "/long", "/boot/sparse")) {
                    Ext4Volume.Resolved found = volume.resolve(path);
                    volume.copy(found.inode(), 16 << 20, new ByteArrayOutputStream());
                }
                answered++;
            } catch (Ext4Exception expected) {
                assertThat(expected.getMessage()).doesNotContain("\n");
            }
        }
        assertThat(answered).isPositive(); // many flips land where nothing read depends on them
    }

    private static final String LONG_NAME = "a-file-whose-name-is-long-enough-that-its-link-needs-a-block-of-its-own-0123456789";

    private Path tree() throws IOException {
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Path boot = Files.createDirectories(tree.resolve("boot"));
        byte[] kernel = new byte[3 * 1024 * 1024 + 17];
        random.nextBytes(kernel);
        Files.write(boot.resolve("vmlinux-6.12.1"), kernel);
        byte[] initrd = new byte[200_000];
        random.nextBytes(initrd);
        Files.write(boot.resolve("initrd.img-6.12.1"), initrd);
        Files.writeString(boot.resolve(LONG_NAME), "long");
        try (RandomAccessFile sparse = new RandomAccessFile(boot.resolve("sparse").toFile(), "rw")) {
            sparse.seek(1 << 20);
            sparse.write("after a hole".getBytes(StandardCharsets.US_ASCII));
        }
        Files.createSymbolicLink(tree.resolve("vmlinuz"), Path.of("boot/vmlinux-6.12.1"));
        Files.createSymbolicLink(tree.resolve("initrd.img"), Path.of("/boot/initrd.img-6.12.1"));
        Files.createSymbolicLink(tree.resolve("linked"), Path.of("boot"));
        Files.createSymbolicLink(tree.resolve("long"), Path.of("/linked/../boot/" + LONG_NAME));
        return tree;
    }

    /** A tree with one directory of {@code count} small files, {@code f0} holding {@code n0} and so on. */
    private Path manyFiles(String name, int count) throws IOException {
        Path directory = Files.createDirectories(dir.resolve("tree").resolve(name));
        for (int i = 0; i < count; i++) {
            Files.writeString(directory.resolve("f" + i), "n" + i);
        }
        return directory.getParent();
    }

    private static String text(Ext4Volume volume, String path) throws IOException {
        return new String(read(volume, volume.resolve(path)), StandardCharsets.UTF_8);
    }

    private Path mkfs(Path tree, String size, String... options) throws IOException, InterruptedException {
        return Mke2fs.image(tree, dir.resolve("fs-" + System.nanoTime() + ".img"), size, options);
    }

    private static BlockDevice open(Path image) throws IOException {
        return ImageFormats.open(image, ImageFormats.RAW, OpenOptions.forReading());
    }

    private static byte[] read(Ext4Volume volume, Ext4Volume.Resolved file) throws IOException {
        var out = new ByteArrayOutputStream();
        volume.copy(file.inode(), 64 << 20, out);
        return out.toByteArray();
    }
}
