package jvirt.virt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;

/**
 * QEMU's {@code snapshot=on}: the drive's image becomes the read-only backing file of a new
 * qcow2 overlay in the temporary folder, which takes the guest's writes. The overlay's file is
 * unlinked as soon as it is open, so it vanishes when the machine ends, however it ends.
 */
final class TemporaryOverlay {
    private TemporaryOverlay() {
    }

    static BlockDevice open(Drive drive) throws IOException {
        Path base = drive.file().toAbsolutePath();
        long size;
        try (BlockDevice image = ImageFormats.open(base, drive.format(), OpenOptions.forReading())) {
            size = image.size();
        }
        Path overlay = Files.createTempFile("jvirt-snapshot-", ".qcow2");
        try {
            ImageFormats.QCOW2.create(overlay, size, Map.of("backing_file", base.toString(),
                    "backing_fmt", drive.format().name()));
            return ImageFormats.open(overlay, ImageFormats.QCOW2,
                    drive.readOnly() ? OpenOptions.forReading() : OpenOptions.forWriting());
        } finally {
            Files.deleteIfExists(overlay);
        }
    }
}
