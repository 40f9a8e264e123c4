package jvirt.image.vmdk;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import jvirt.image.Extent;

/**
 * One extent of a VMDK disk: a run of its sectors stored one way (a flat file, a hosted sparse
 * file, a stream-optimized file, or nothing at all). Offsets are bytes from the extent's start;
 * data moves from or to {@code parts} starting {@code partsOffset} bytes into them.
 */
interface VmdkExtent extends AutoCloseable {
    /** The extent's size in sectors, as its extent line (or header) says. */
    long sectors();

    /** qemu-img's name for the extent's kind: {@code FLAT}, {@code SPARSE}, …, or "" for a monolithic file. */
    String type();

    /** The file holding the extent, or null. */
    Path path();

    /** The grain size in bytes, or 0 for extents without grains. */
    long grainBytes();

    boolean compressed();

    boolean readOnly();

    void read(long pos, long length, List<MemorySegment> parts, long partsOffset) throws IOException;

    void write(long pos, long length, List<MemorySegment> parts, long partsOffset) throws IOException;

    /** How the bytes from {@code pos} are stored: a run of at most {@code max} bytes. */
    Extent status(long pos, long max) throws IOException;

    void writeZeroes(long pos, long length, boolean unmap) throws IOException;

    void discard(long pos, long length) throws IOException;

    /** Makes completed writes durable, data before the metadata that points to it. */
    void flush() throws IOException;

    /** Bytes the extent's file occupies on the host, or -1. */
    long allocatedBytes();

    @Override
    void close() throws IOException;
}
