package jvirt.virt;

import java.nio.file.Path;
import java.util.Objects;
import jvirt.image.ImageFormat;

/** A disk image attached as a virtio-blk device ({@code --drive file=…,format=…,readonly=…}). */
public record Drive(Path file, ImageFormat format, boolean readOnly, String serial) {
    public Drive {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        serial = serial == null ? "" : serial;
    }
}
