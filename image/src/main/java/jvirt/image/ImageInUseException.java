package jvirt.image;

import java.io.IOException;
import java.nio.file.Path;

/** An image another process or drive holds a conflicting lock on: a one-line message saying what to do. */
public final class ImageInUseException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageInUseException(Path path, boolean readOnly) {
        super(path + " is in use by another process or drive (failed to get "
                + (readOnly ? "a shared" : "an exclusive") + " lock); stop the other user, or open it read-only");
    }
}
