package jvirt.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jvirt.guest.debian.MirrorLocator;
import jvirt.guest.initramfs.Cpio;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestImagesTest {
    private static final String IMAGE = "debian-13-riscv64";
    private static final MirrorLocator OFFLINE = () -> {
        throw new AssertionError("this pull must not need the network");
    };

    @TempDir
    Path cache;
    private FakeMirror mirror;

    @BeforeEach
    void start() throws IOException {
        mirror = new FakeMirror();
    }

    @AfterEach
    void stop() {
        mirror.close();
    }

    private GuestImage pull(boolean refresh, MirrorLocator locator) throws IOException {
        return GuestImages.pull(IMAGE, cache, refresh, Progress.SILENT, locator);
    }

    private Path imageDirectory() {
        return cache.resolve("images").resolve(IMAGE);
    }

    private Properties manifest() throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(imageDirectory().resolve("image.properties"))) {
            p.load(in);
        }
        return p;
    }

    @Test
    void pullBuildsTheImageFromTheMirrorsPackages() throws IOException, InterruptedException {
        GuestImage image = pull(false, mirror.locator());

        Path dir = imageDirectory();
        assertThat(image).isEqualTo(new GuestImage(IMAGE, dir.resolve("vmlinux"), dir.resolve("initrd.cpio"),
                dir.resolve("fw_dynamic.bin"), "console=ttyS0", FakeMirror.KERNEL_VERSION));
        assertThat(image.kernel()).hasBinaryContent(FakeMirror.kernelImage());
        assertThat(image.firmware()).hasBinaryContent(FakeMirror.FIRMWARE);
        String modules = "usr/lib/modules/" + FakeMirror.KERNEL_VERSION + "/";
        assertThat(Cpio.list(image.initrd(), false)).contains("init", "usr/bin/busybox", "dev/console", "dev/null",
                modules + "modules.dep",
                modules + "kernel/drivers/virtio/virtio_mmio.ko",
                modules + "kernel/drivers/block/virtio_blk.ko",
                modules + "kernel/drivers/net/virtio_net.ko",
                modules + "kernel/drivers/net/net_failover.ko",
                modules + "kernel/net/core/failover.ko",
                modules + "kernel/drivers/char/hw_random/virtio-rng.ko",
                modules + "kernel/crypto/crc32c_generic.ko",
                modules + "kernel/fs/ext4/ext4.ko",
                modules + "kernel/fs/jbd2/jbd2.ko",
                modules + "kernel/fs/mbcache.ko",
                modules + "kernel/lib/crc16.ko")
                .noneMatch(path -> path.contains("virtio_snd") || path.contains("virtio_console"));
        assertThat(Cpio.list(image.initrd(), false)).contains("bin", "sbin", "lib",
                "usr/sbin/mke2fs", "usr/sbin/mkfs.ext2", "usr/sbin/mkfs.ext3", "usr/sbin/mkfs.ext4",
                "usr/sbin/e2fsck", "usr/sbin/fsck.ext2", "usr/sbin/fsck.ext3", "usr/sbin/fsck.ext4", "etc/mke2fs.conf",
                "usr/lib/ld-linux-riscv64-lp64d.so.1",
                "usr/lib/riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1",
                "usr/lib/riscv64-linux-gnu/libc.so.6",
                "usr/lib/riscv64-linux-gnu/libext2fs.so.2",
                "usr/lib/riscv64-linux-gnu/libext2fs.so.2.4")
                .noneMatch(path -> path.contains("debugfs") || path.contains("libm.so") || path.contains("libgcc_s")
                        || path.contains("gconv") || path.contains("usr/share") || path.contains("ld.so.conf"));
        Properties manifest = manifest();
        assertThat(manifest.getProperty("image.recipe")).isEqualTo(Integer.toString(DebianRecipe.VERSION));
        assertThat(manifest.getProperty("kernel.version")).isEqualTo(FakeMirror.KERNEL_VERSION);
        assertThat(manifest.getProperty("package.kernel.name")).isEqualTo("linux-image-" + FakeMirror.KERNEL_VERSION);
        assertThat(manifest.getProperty("package.busybox.version")).isEqualTo("1:1.37.0-6+b9");
        assertThat(manifest.getProperty("package.firmware.sha256")).hasSize(64);
        assertThat(manifest.getProperty("package.e2fsprogs.version")).isEqualTo(FakeMirror.E2FSPROGS_VERSION);
        assertThat(manifest.getProperty("package.e2fsprogs.pre-depends")).contains("libext2fs2t64");
        assertThat(List.of(manifest.getProperty("package.library.0.name"), manifest.getProperty("package.library.1.name"),
                manifest.getProperty("package.library.2.name"))).containsExactly("libc6", "libext2fs2t64", "libgcc-s1");
        assertThat(manifest.getProperty("package.library.3.name")).isNull();
        assertThat(cache.resolve("downloads")).isDirectoryContaining(p -> p.toString().endsWith(".deb"));
        assertThat(GuestImages.cached(IMAGE, cache)).contains(image);
    }

    @Test
    void aSecondPullOfACompleteImageNeedsNoNetwork() throws IOException {
        GuestImage first = pull(false, mirror.locator());
        int requests = mirror.requests().size();

        assertThat(pull(false, OFFLINE)).isEqualTo(first);
        assertThat(mirror.requests()).hasSize(requests);
    }

    @Test
    void aStaleRecipeIsRebuiltFromCachedDownloadsWithoutNetwork() throws IOException {
        GuestImage first = pull(false, mirror.locator());
        byte[] initrd = Files.readAllBytes(first.initrd());
        Properties old = manifest();
        old.setProperty("image.recipe", "0");
        try (var out = Files.newBufferedWriter(imageDirectory().resolve("image.properties"))) {
            old.store(out, null);
        }
        assertThat(GuestImages.cached(IMAGE, cache)).isEmpty();

        GuestImage rebuilt = pull(false, OFFLINE);

        assertThat(rebuilt).isEqualTo(first);
        assertThat(rebuilt.initrd()).hasBinaryContent(initrd); // the same inputs give the same archive
        assertThat(manifest().getProperty("image.recipe")).isEqualTo(Integer.toString(DebianRecipe.VERSION));
    }

    @Test
    void aRebuildWhosePackagesLeftTheMirrorTakesTheCurrentOnes() throws IOException {
        pull(false, mirror.locator());
        Files.delete(imageDirectory().resolve("initrd.cpio"));
        try (var debs = Files.list(cache.resolve("downloads"))) {
            for (Path deb : debs.toList()) {
                Files.delete(deb);
            }
        }
        mirror.updateBusybox("1:1.37.0-7");

        pull(false, mirror.locator());

        assertThat(manifest().getProperty("package.busybox.version")).isEqualTo("1:1.37.0-7");
        assertThat(GuestImages.cached(IMAGE, cache)).isPresent();
    }

    @Test
    void aHalfWrittenImageIsNotCached() throws IOException {
        pull(false, mirror.locator());
        Path dir = imageDirectory();

        Files.write(dir.resolve("vmlinux"), new byte[10]); // a file that is not what the manifest recorded
        assertThat(GuestImages.cached(IMAGE, cache)).isEmpty();

        pull(false, OFFLINE);
        Files.delete(dir.resolve("image.properties")); // killed after the files, before the manifest
        Files.write(dir.resolve("initrd.cpio.part"), new byte[10]);
        assertThat(GuestImages.cached(IMAGE, cache)).isEmpty();

        Files.writeString(dir.resolve("image.properties"), "image.name=" + IMAGE + "\n"); // unreadable manifest
        assertThat(GuestImages.cached(IMAGE, cache)).isEmpty();

        GuestImage image = pull(false, mirror.locator());
        assertThat(GuestImages.cached(IMAGE, cache)).contains(image);
        assertThat(dir).isDirectoryNotContaining(p -> p.toString().endsWith(".part"));
    }

    @Test
    void refreshTakesNewPackagesAndSkipsTheRebuildWhenNothingChanged() throws IOException {
        GuestImage first = pull(false, mirror.locator());
        FileTime built = Files.getLastModifiedTime(first.initrd());
        int requests = mirror.requests().size();

        pull(true, mirror.locator());
        assertThat(mirror.requests().subList(requests, mirror.requests().size()))
                .allMatch(path -> path.contains("/dists/")); // indexes only, no package download
        assertThat(Files.getLastModifiedTime(first.initrd())).isEqualTo(built);

        mirror.updateBusybox("1:1.37.0-7");
        pull(true, mirror.locator());
        assertThat(manifest().getProperty("package.busybox.version")).isEqualTo("1:1.37.0-7");
    }

    @Test
    void concurrentPullsTakeTurns() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<GuestImage>> pulls = pool.invokeAll(List.of(
                    () -> pull(false, mirror.locator()), () -> pull(false, mirror.locator()), () -> pull(false, mirror.locator())));
            GuestImage first = pulls.getFirst().get();
            for (Future<GuestImage> pull : pulls) {
                assertThat(pull.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(mirror.requests()).filteredOn(path -> path.contains("/linux-image-" + FakeMirror.KERNEL_VERSION)).hasSize(1);
        assertThat(GuestImages.cached(IMAGE, cache)).isPresent();
    }

    @Test
    void aDamagedPackageLeavesNoImageAndNoDownload() {
        mirror.damageKernelPackage(new byte[] {1, 2, 3});

        assertThatThrownBy(() -> pull(false, mirror.locator()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("failed twice")
                .hasMessageNotContaining("\n");
        assertThat(GuestImages.cached(IMAGE, cache)).isEmpty();
        assertThat(cache.resolve("downloads")).isDirectoryNotContaining(p -> p.getFileName().toString().contains("part")
                || p.getFileName().toString().endsWith(".deb") && sizeOf(p) == 3);
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anUnwritableCacheIsReportedWithWhatToDo() throws IOException {
        Path notADirectory = Files.writeString(cache.resolve("file"), "x");

        assertThatThrownBy(() -> GuestImages.pull(IMAGE, notADirectory, false, Progress.SILENT, mirror.locator()))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot write to the image cache " + notADirectory)
                .hasMessageEndingWith("set JVIRT_CACHE to a writable directory");
    }

    @Test
    void aMissingMirrorIsReportedAsItIs() {
        assertThatThrownBy(() -> pull(false, () -> {
            throw new IOException("no Debian mirror found; set JVIRT_DEBIAN_MIRROR to a Debian mirror URL");
        })).hasMessageContaining("JVIRT_DEBIAN_MIRROR");
    }

    @Test
    void unknownNamesAreRefusedWithTheListOfImages() {
        assertThat(GuestImages.available()).containsExactly(IMAGE, "debian-13-riscv64-cloud");
        assertThatThrownBy(() -> GuestImages.cached("debian-12-amd64", cache))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown image 'debian-12-amd64'; available: debian-13-riscv64, debian-13-riscv64-cloud");
        assertThatThrownBy(() -> GuestImages.pull("x", cache, false, Progress.SILENT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCacheRootFollowsTheEnvironment() {
        Path home = Path.of("/home/someone");

        assertThat(GuestImages.cacheRoot(Map.of("JVIRT_CACHE", "/var/cache/jv", "XDG_CACHE_HOME", "/xdg"), home))
                .isEqualTo(Path.of("/var/cache/jv"));
        assertThat(GuestImages.cacheRoot(Map.of("XDG_CACHE_HOME", "/xdg"), home)).isEqualTo(Path.of("/xdg/jvirt"));
        assertThat(GuestImages.cacheRoot(Map.of("XDG_CACHE_HOME", "relative"), home)).isEqualTo(home.resolve(".cache/jvirt"));
        assertThat(GuestImages.cacheRoot(Map.of(), home)).isEqualTo(home.resolve(".cache/jvirt"));
    }
}
