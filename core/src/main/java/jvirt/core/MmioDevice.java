package jvirt.core;

/**
 * A device's register window on the bus. Offsets are relative to the window's base; sizes are
 * 1, 2, 4 or 8 bytes and the bus only calls with accesses that lie inside the window.
 *
 * <p>Harts on different threads may access a device at the same time: implementations
 * synchronize themselves.
 */
public interface MmioDevice {
    /** Reads {@code size} bytes at {@code offset}, zero-extended. Unknown registers read as zero. */
    long read(long offset, int size);

    /** Writes the low {@code size} bytes of {@code value} at {@code offset}. Unknown registers ignore writes. */
    void write(long offset, int size, long value);

    /** Whether a hart may fetch instructions from this window (a ROM), rather than take an access fault. */
    default boolean executable() {
        return false;
    }
}
