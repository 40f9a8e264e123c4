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

    /** A string from an image as a message may quote it: control and other unprintable characters escaped. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isISOControl(c) || !Character.isDefined(c)) {
                b.append(String.format("\\x%02x", (int) c & 0xff));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
