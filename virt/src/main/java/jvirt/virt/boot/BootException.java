package jvirt.virt.boot;

/** A boot file the board cannot use; the message is one line for the user and says why. */
public final class BootException extends Exception {
    public BootException(String message) {
        super(message);
    }
}
