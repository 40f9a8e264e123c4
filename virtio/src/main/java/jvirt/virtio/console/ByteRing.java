package jvirt.virtio.console;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A bounded first-in first-out buffer of bytes: one direction of a port between the guest's
 * buffers and the host. Not thread-safe: the device's lock guards it.
 */
final class ByteRing {
    private final byte[] bytes;
    /** Where the oldest byte is. */
    private int head;
    private int size;

    ByteRing(int capacity) {
        bytes = new byte[capacity];
    }

    int size() {
        return size;
    }

    int room() {
        return bytes.length - size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void clear() {
        head = 0;
        size = 0;
    }

    /** Appends as much of {@code b[off, off + len)} as fits; returns how many bytes. */
    int put(byte[] b, int off, int len) {
        int n = Math.min(len, room());
        int tail = (head + size) % bytes.length;
        int first = Math.min(n, bytes.length - tail);
        System.arraycopy(b, off, bytes, tail, first);
        System.arraycopy(b, off + first, bytes, 0, n - first);
        size += n;
        return n;
    }

    /** Appends all of {@code part}, which the caller made sure fits. */
    void put(MemorySegment part) {
        int n = (int) part.byteSize();
        int tail = (head + size) % bytes.length;
        int first = Math.min(n, bytes.length - tail);
        MemorySegment.copy(part, ValueLayout.JAVA_BYTE, 0, bytes, tail, first);
        MemorySegment.copy(part, ValueLayout.JAVA_BYTE, first, bytes, 0, n - first);
        size += n;
    }

    /** Moves up to {@code len} of the oldest bytes into {@code b} at {@code off}; returns how many. */
    int take(byte[] b, int off, int len) {
        int n = Math.min(len, size);
        int first = Math.min(n, bytes.length - head);
        System.arraycopy(bytes, head, b, off, first);
        System.arraycopy(bytes, 0, b, off + first, n - first);
        drop(n);
        return n;
    }

    /** Moves the oldest bytes into all of {@code part}, which the caller made sure there are enough for. */
    void take(MemorySegment part) {
        int n = (int) part.byteSize();
        int first = Math.min(n, bytes.length - head);
        MemorySegment.copy(bytes, head, part, ValueLayout.JAVA_BYTE, 0, first);
        MemorySegment.copy(bytes, 0, part, ValueLayout.JAVA_BYTE, first, n - first);
        drop(n);
    }

    private void drop(int n) {
        head = (head + n) % bytes.length;
        size -= n;
    }
}
