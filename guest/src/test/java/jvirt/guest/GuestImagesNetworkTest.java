package jvirt.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jvirt.guest.initramfs.Cpio;
import jvirt.guest.kernel.RiscvImage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real pull, from the Debian mirror in this host's apt sources (or JVIRT_DEBIAN_MIRROR), about
 * 130 MB. Runs only with JVIRT_NETWORK_TESTS=1, as a system property or in the environment.
 */
class GuestImagesNetworkTest {
    private static final String SWITCH = "JVIRT_NETWORK_TESTS";

    @TempDir
    Path cache;

    @BeforeEach
    void onlyWhenAsked() {
        String value = System.getProperty(SWITCH, System.getenv(SWITCH));
        assumeTrue("1".equals(value), "set " + SWITCH + "=1 to pull from the real mirror");
    }

    @Test
    void pullsDebian13FromTheHostsMirror() throws IOException, InterruptedException {
        GuestImage image = GuestImages.pull(GuestImages.DEFAULT_IMAGE, cache, false, Progress.SILENT);

        try (InputStream in = Files.newInputStream(image.kernel())) {
            assertThat(RiscvImage.isImage(in.readNBytes(RiscvImage.HEADER_SIZE))).isTrue();
        }
        assertThat(Files.size(image.firmware())).isGreaterThan(100_000);
        String modules = "usr/lib/modules/" + image.kernelVersion() + "/";
        List<String> initrd = Cpio.list(image.initrd(), false);
        assertThat(initrd).contains("init", "usr/bin/busybox", "dev/console", modules + "modules.dep",
                modules + "kernel/drivers/virtio/virtio_mmio.ko",
                modules + "kernel/drivers/block/virtio_blk.ko",
                modules + "kernel/drivers/net/virtio_net.ko",
                modules + "kernel/drivers/char/hw_random/virtio-rng.ko",
                modules + "kernel/fs/ext4/ext4.ko",
                modules + "kernel/fs/jbd2/jbd2.ko",
                modules + "kernel/fs/isofs/isofs.ko",
                "usr/sbin/mkfs.ext4", "usr/sbin/mke2fs", "usr/sbin/fsck.ext4", "usr/sbin/e2fsck",
                "usr/lib/ld-linux-riscv64-lp64d.so.1", "usr/lib/riscv64-linux-gnu/libc.so.6",
                "usr/lib/riscv64-linux-gnu/libext2fs.so.2", "usr/lib/riscv64-linux-gnu/libblkid.so.1");
        assertThat(image.defaultAppend()).isEqualTo("console=ttyS0");
        assertThat(GuestImages.cached(GuestImages.DEFAULT_IMAGE, cache)).contains(image);
    }
}
