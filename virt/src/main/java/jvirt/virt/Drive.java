package jvirt.virt;

import java.nio.file.Path;
import java.util.Objects;
import jvirt.image.ImageFormat;

/**
 * A disk image attached as a virtio-blk device ({@code --drive file=…,format=…,readonly=…,snapshot=…}).
 *
 * @param snapshot the guest's writes go to a temporary qcow2 overlay that vanishes when the
 *                 machine ends; the image itself is only read
 */
public record Drive(Path file, ImageFormat format, boolean readOnly, boolean snapshot, String serial) {
    public Drive {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        serial = serial == null ? "" : serial;
    }
}
