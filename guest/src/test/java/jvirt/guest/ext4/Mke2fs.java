package jvirt.guest.ext4;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Test file systems: e2fsprogs' mke2fs writes a host directory tree into an image file, as the cloud image's build does. */
public final class Mke2fs {
    private Mke2fs() {
    }

    /** Makes {@code image}, {@code size} long ({@code 32M}), holding {@code tree}, with mke2fs's {@code options}. */
    public static Path image(Path tree, Path image, String size, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(program(), "-q", "-F", "-d", tree.toString()));
        command.addAll(List.of(options));
        command.addAll(List.of(image.toString(), size));
        Process mkfs = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(mkfs.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(mkfs.waitFor()).as(output).isZero();
        return image;
    }

    /** Sets the superblock's needs_recovery flag, as a guest killed while its file system was mounted leaves it. */
    public static void markNeedsRecovery(Path image) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.seek(Ext4Volume.SUPERBLOCK_OFFSET + 0x60);
            int incompat = Integer.reverseBytes(file.readInt());
            file.seek(Ext4Volume.SUPERBLOCK_OFFSET + 0x60);
            file.writeInt(Integer.reverseBytes(incompat | 0x4));
        }
    }

    private static String program() {
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, "mke2fs"))) {
                return dir + "/mke2fs";
            }
        }
        return "mke2fs";
    }
}
