package jvirt.image.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.ImageInUseException;
import jvirt.image.OpenOptions;
import jvirt.image.QemuImg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jvirt and QEMU see each other's locks on an image, as two QEMUs do. */
class QemuLocksTest {
    @TempDir
    Path dir;

    @Test
    void qemuImgReadsABaseThatJvirtReadsAndNotADiskJvirtWrites() throws Exception {
        Path image = dir.resolve("base.qcow2");
        ImageFormats.QCOW2.create(image, 1 << 20, Map.of());
        try (BlockDevice base = ImageFormats.open(image, ImageFormats.QCOW2, OpenOptions.forReading())) {
            assertThat(QemuImg.run("info", image.toString()).exit()).as("qemu-img info beside a jvirt reader").isZero();
        }
        try (BlockDevice disk = ImageFormats.open(image, ImageFormats.QCOW2, OpenOptions.forWriting())) {
            QemuImg.Result info = QemuImg.run("info", image.toString());
            assertThat(info.exit()).isOne();
            assertThat(info.err()).contains("Failed to get shared \"write\" lock");
            assertThat(QemuImg.run("info", "-U", image.toString()).exit()).as("-U, as with QEMU's own").isZero();
        }
        assertThat(QemuImg.run("info", image.toString()).exit()).as("closed: the locks are gone").isZero();
    }

    @Test
    void jvirtKeepsOffAnImageQemuWrites() throws Exception {
        Path image = dir.resolve("disk.qcow2");
        ImageFormats.QCOW2.create(image, 1 << 20, Map.of());
        Process qemuIo = new ProcessBuilder("qemu-io", "-f", "qcow2", "-c", "sleep 4000", image.toString())
                .redirectErrorStream(true).start();
        try {
            // Wait, without taking locks that would keep qemu-io out, until it holds the write permission's byte.
            Native calls = Native.CALLS.orElseThrow();
            int fd = calls.open(image.toString(), Native.O_RDONLY);
            try {
                while (qemuIo.isAlive() && !calls.lockedElsewhere(fd, 101)) {
                    Thread.sleep(10);
                }
            } finally {
                calls.close(fd);
            }
            assertThat(qemuIo.isAlive()).as("qemu-io opened the image").isTrue();
            assertThatThrownBy(() -> ImageFormats.open(image, ImageFormats.QCOW2, OpenOptions.forReading()))
                    .isInstanceOf(ImageInUseException.class).hasMessageContaining("failed to get a shared lock");
            assertThatThrownBy(() -> ImageFormats.open(image, ImageFormats.QCOW2, OpenOptions.forWriting()))
                    .isInstanceOf(ImageInUseException.class).hasMessageContaining("failed to get an exclusive lock");
        } finally {
            assertThat(qemuIo.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        ImageFormats.open(image, ImageFormats.QCOW2, OpenOptions.forWriting()).close();
    }
}
