package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with Linux's own virtio drivers as the client: the Debian kernel of the default
 * guest uses jvirt's virtio-blk, virtio-rng and virtio-console, and the host checks the result.
 */
class VirtioIT {
    private static final Duration BOOT = Duration.ofMinutes(4);
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static final String PROMPT = "# ";
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private static Console boot(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("run"));
        command.addAll(List.of(args));
        Console console = Console.start(command);
        console.await("BusyBox v", BOOT); // the shell's banner, on whichever console carries it
        console.await(PROMPT, BOOT);
        console.type("dmesg -n 1"); // kernel messages (mount, unmount) would interleave with the output read
        console.await(PROMPT, COMMAND);
        return console;
    }


    private static void powerOff(Console console) throws Exception {
        console.type("poweroff -f");
        assertThat(console.exitCode(COMMAND)).as(console.output()).isZero();
    }

    private Path disk(String name, long bytes) throws IOException {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return p;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static String host(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }

    @Test
    void anExt4FilesystemMadeInTheGuestSurvivesPowerOffAndPassesTheHostsFsck() throws Exception {
        Path image = disk("disk.img", 128 * MIB);
        String drive = "file=" + image + ",format=raw";
        String sum;
        try (Console console = boot("--drive", drive)) {
            String made = console.shell("mkfs.ext4 -q /dev/vda && mount /dev/vda /mnt && echo mounted");
            assertThat(made).endsWith("mounted");
            sum = console.shell("dd if=/dev/urandom of=/mnt/data bs=64k count=48 2>/dev/null;"
                    + " sha256sum /mnt/data | cut -d' ' -f1 | tee /mnt/sum; umount /mnt");
            powerOff(console);
        }
        assertThat(sum).matches("[0-9a-f]{64}");
        host("e2fsck", "-fn", image.toString());
        Path copy = dir.resolve("data.out");
        host("debugfs", "-R", "dump /data " + copy, image.toString());
        assertThat(sha256(Files.readAllBytes(copy))).isEqualTo(sum);

        try (Console console = boot("--drive", drive)) {
            String again = console.shell("mount /dev/vda /mnt && sha256sum /mnt/data | cut -d' ' -f1; cat /mnt/sum; umount /mnt");
            assertThat(again.lines().map(String::strip).toList()).containsExactly(sum, sum);
            powerOff(console);
        }
    }

    @Test
    void aQcow2OverlayTakesTheGuestsFilesystemAndSnapshotOnKeepsItUntouched() throws Exception {
        Path base = disk("base.img", 64 * MIB);
        Path overlay = dir.resolve("disk.qcow2");
        jvirt.image.ImageFormats.QCOW2.create(overlay, 96 * MIB, java.util.Map.of("backing_file", "base.img", "backing_fmt", "raw"));
        String sum;
        try (Console console = boot("--drive", "file=" + overlay + ",format=qcow2")) {
            // mkfs.ext4 discards the whole device first: unmapping through the overlay, then writing.
            String made = console.shell("mkfs.ext4 -q /dev/vda && mount /dev/vda /mnt && echo mounted");
            assertThat(made).endsWith("mounted");
            sum = console.shell("dd if=/dev/urandom of=/mnt/data bs=64k count=48 2>/dev/null;"
                    + " sha256sum /mnt/data | cut -d' ' -f1; umount /mnt");
            powerOff(console);
        }
        host("qemu-img", "check", overlay.toString());
        Path flat = dir.resolve("flat.raw");
        host("qemu-img", "convert", "-O", "raw", overlay.toString(), flat.toString());
        host("e2fsck", "-fn", flat.toString());
        Path copy = dir.resolve("data.out");
        host("debugfs", "-R", "dump /data " + copy, flat.toString());
        assertThat(sha256(Files.readAllBytes(copy))).isEqualTo(sum);
        assertThat(sha256(Files.readAllBytes(base))).isEqualTo(sha256(new byte[(int) (64 * MIB)]));

        try (Console console = boot("--drive", "file=" + overlay + ",format=qcow2,snapshot=on")) {
            assertThat(console.shell("mount -o ro /dev/vda /mnt && sha256sum /mnt/data | cut -d' ' -f1; umount /mnt"))
                    .isEqualTo(sum);
            assertThat(console.shell("dd if=/dev/urandom of=/dev/vda bs=1M count=4 oflag=direct 2>/dev/null; echo $?"))
                    .isEqualTo("0");
            powerOff(console);
        }
        host("qemu-img", "compare", "-F", "raw", overlay.toString(), flat.toString());
    }

    @Test
    void rawBytesMoveBothWaysIntactAndReadOnlyDrivesRefuseWrites() throws Exception {
        byte[] data = new byte[(int) (3 * MIB)];
        new Random(42).nextBytes(data);
        Path source = Files.write(dir.resolve("source.img"), data);
        Path target = disk("target.img", 8 * MIB);
        try (Console console = boot("--drive", "file=" + source + ",format=raw,readonly=on",
                "--drive", "file=" + target + ",format=raw")) {
            // vda is the first --drive, vdb the second.
            assertThat(console.shell("dd if=/dev/vda bs=64k 2>/dev/null | sha256sum | cut -d' ' -f1"))
                    .isEqualTo(sha256(data));
            assertThat(console.shell("cat /sys/block/vda/ro /sys/block/vdb/ro")).isEqualTo("1\n0");
            assertThat(console.shell("dd if=/dev/zero of=/dev/vda bs=4k count=1 2>&1 >/dev/null; echo status=$?"))
                    .contains("status=1");
            String written = console.shell("dd if=/dev/urandom of=/tmp/r bs=64k count=40 2>/dev/null;"
                    + " dd if=/tmp/r of=/dev/vdb bs=64k seek=8 oflag=direct 2>/dev/null; sync;"
                    + " sha256sum /tmp/r | cut -d' ' -f1");
            powerOff(console);
            byte[] region = new byte[40 * 64 * 1024];
            try (RandomAccessFile f = new RandomAccessFile(target.toFile(), "r")) {
                f.seek(8 * 64 * 1024);
                f.readFully(region);
            }
            assertThat(sha256(region)).isEqualTo(written);
        }
        assertThat(sha256(Files.readAllBytes(source))).isEqualTo(sha256(data));
    }

    @Test
    void theGuestDrawsEntropyFromVirtioRng() throws Exception {
        try (Console console = boot()) {
            assertThat(console.shell("cat /sys/class/misc/hw_random/rng_current")).isEqualTo("virtio_rng.0");
            String hex = console.shell("head -c 64 /dev/hwrng | od -An -tx1 | tr -d ' \\n'");
            assertThat(hex).matches("[0-9a-f]{128}").isNotEqualTo("0".repeat(128));
            powerOff(console);
        }
    }

    @Test
    void virtioConsoleCarriesTheShellOnHvc0() throws Exception {
        try (Console console = boot("--console", "virtio")) {
            assertThat(console.shell("tty; cat /proc/consoles | cut -d' ' -f1")).isEqualTo("/dev/hvc0\nhvc0");
            powerOff(console);
        }
    }
}
