package jvirt.image;

/**
 * How one run of a disk's bytes is stored in one image of a chain, in the terms {@code qemu-img
 * map} reports: the run's length and what reading it means.
 *
 * @param length     bytes in the run, more than zero
 * @param kind       what the bytes are
 * @param hostOffset where the run starts in the image file, or -1 where it has no place there
 *                   (compressed, unallocated, or zero with no storage behind it)
 */
public record Extent(long length, Kind kind, long hostOffset) {
    /** What a run of the disk is, in one image. */
    public enum Kind {
        /** Stored in this image, uncompressed, at {@code hostOffset}. */
        DATA,
        /** Stored in this image, compressed. */
        COMPRESSED,
        /** Known to read as zeros in this image (a zero cluster, a hole in a raw file). */
        ZERO,
        /** Not stored in this image: reads come from the backing image, or are zeros without one. */
        UNALLOCATED
    }

    public Extent {
        if (length <= 0) {
            throw new IllegalArgumentException("extent length " + length);
        }
    }

    /** Whether this image itself decides what the run reads as (qemu-img's "present" at this depth). */
    public boolean allocated() {
        return kind != Kind.UNALLOCATED;
    }
}
