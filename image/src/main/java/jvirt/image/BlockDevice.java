package jvirt.image;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A virtual disk: a fixed number of bytes, read and written at byte offsets. Data moves between
 * the disk and a caller's segment (guest RAM, in place) with no copy in between.
 *
 * <p>Writes may sit in a cache until {@link #flush}: once it returns, every write that completed
 * before it was called is on stable storage. Callers check ranges against {@link #size()}; a
 * backend still refuses ranges outside the disk with {@link IllegalArgumentException}.
 *
 * <p>Implementations are safe for use by several threads at once.
 */
public interface BlockDevice extends AutoCloseable {
    /** The disk's size in bytes. */
    long size();

    /** Whether writes, discards and write-zeroes are refused. */
    boolean readOnly();

    /** Fills {@code destination} with the disk's bytes starting at {@code offset}. */
    void read(long offset, MemorySegment destination) throws IOException;

    /** Writes all of {@code source} at {@code offset}. */
    void write(long offset, MemorySegment source) throws IOException;

    /**
     * Fills {@code destinations} one after the other from the disk's bytes at {@code offset}: a
     * request scattered over many guest pages. Backends that can do it in one system call do.
     */
    default void read(long offset, List<MemorySegment> destinations) throws IOException {
        for (MemorySegment d : destinations) {
            read(offset, d);
            offset += d.byteSize();
        }
    }

    /** Writes {@code sources} one after the other at {@code offset}: the gathering twin of {@link #read(long, List)}. */
    default void write(long offset, List<MemorySegment> sources) throws IOException {
        for (MemorySegment s : sources) {
            write(offset, s);
            offset += s.byteSize();
        }
    }

    /** Makes every completed write durable. */
    void flush() throws IOException;

    /**
     * Tells the disk that {@code [offset, offset + length)} is no longer needed: it may free the
     * space; what later reads return there is unspecified until it is written again.
     */
    void discard(long offset, long length) throws IOException;

    /** Makes {@code [offset, offset + length)} read as zeros, freeing the space where {@code unmap} allows. */
    void writeZeroes(long offset, long length, boolean unmap) throws IOException;

    /**
     * How the disk's bytes from {@code offset} are stored in this image: the first run of at most
     * {@code maxLength} bytes that are all of one kind. Formats that do not track allocation
     * report everything as data.
     */
    default Extent status(long offset, long maxLength) throws IOException {
        checkRange(offset, maxLength, size());
        return new Extent(maxLength, Extent.Kind.DATA, offset);
    }

    /** The image that unallocated runs read from, or {@code null} when there is none (or it was not opened). */
    default BlockDevice backing() {
        return null;
    }

    /** What {@code qemu-img info} reports about this image. */
    ImageInfo info() throws IOException;

    @Override
    void close() throws IOException;

    /** Refuses a range that is not inside a disk of {@code size} bytes (overflow included). */
    static void checkRange(long offset, long length, long size) {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new IllegalArgumentException(
                    "range " + offset + "+" + length + " is outside the disk's " + size + " bytes");
        }
    }
}
