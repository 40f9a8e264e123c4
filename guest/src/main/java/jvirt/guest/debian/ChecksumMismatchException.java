package jvirt.guest.debian;

import java.io.IOException;

/** A file's size or SHA256 differs from what the archive's metadata promises. */
public final class ChecksumMismatchException extends IOException {
    public ChecksumMismatchException(String message) {
        super(message);
    }
}
