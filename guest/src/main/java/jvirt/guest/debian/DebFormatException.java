package jvirt.guest.debian;

import java.io.IOException;

/** A {@code .deb} is damaged, truncated, unsafe or in a form jvirt does not read. */
public final class DebFormatException extends IOException {
    public DebFormatException(String message) {
        super(message);
    }

    public DebFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
