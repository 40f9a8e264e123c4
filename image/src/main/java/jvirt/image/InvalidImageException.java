package jvirt.image;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An image file that is not what its format requires: truncated, out-of-range offsets, loops,
 * sizes that cannot be. The message is one line naming the file and what is wrong with it.
 */
public final class InvalidImageException extends IOException {
    private static final long serialVersionUID = 1L;

    public InvalidImageException(Path path, String problem) {
        super(path + ": " + problem);
    }
}
