package jvirt.image.raw;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageInfo;
import jvirt.image.host.HostFile;

/**
 * A raw disk image: the file's bytes are the disk's bytes. Sparse files stay sparse: discard and
 * write-zeroes punch holes where the host file system can, and holes are reported as zeros.
 */
public final class RawImage implements BlockDevice {
    private static final int ZERO_CHUNK = 1 << 20;

    private final HostFile file;
    private final long size;

    private RawImage(HostFile file, long size) {
        this.file = file;
        this.size = size;
    }

    /** Opens {@code path}; fails with a one-line message when it is missing, unreadable or in use. */
    public static RawImage open(java.nio.file.Path path, boolean readOnly) throws IOException {
        HostFile file = HostFile.open(path, readOnly);
        try {
            return new RawImage(file, file.size());
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean readOnly() {
        return file.readOnly();
    }

    @Override
    public void read(long offset, MemorySegment destination) throws IOException {
        BlockDevice.checkRange(offset, destination.byteSize(), size);
        file.read(destination, offset); // past a file that shrank under us: zeros
    }

    @Override
    public void write(long offset, MemorySegment source) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, source.byteSize(), size);
        file.write(source, offset);
    }

    /** One readv per request (up to the host's IOV_MAX buffers at a time) instead of one read per guest page. */
    @Override
    public void read(long offset, List<MemorySegment> destinations) throws IOException {
        BlockDevice.checkRange(offset, total(destinations), size);
        file.read(destinations, offset); // past a file that shrank under us: zeros
    }

    /** One writev per request. */
    @Override
    public void write(long offset, List<MemorySegment> sources) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, total(sources), size);
        file.write(sources, offset);
    }

    private static long total(List<MemorySegment> parts) {
        long total = 0;
        for (MemorySegment p : parts) {
            total += p.byteSize();
        }
        return total;
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly()) {
            file.sync();
        }
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, length, size);
        file.punchHole(offset, length);
        // Without hole punching a discard is a hint that may be ignored: the data stays.
    }

    @Override
    public void writeZeroes(long offset, long length, boolean unmap) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, length, size);
        if (unmap ? file.punchHole(offset, length) : file.zeroRange(offset, length)) {
            return;
        }
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK, Math.max(length, 1)));
        for (long done = 0; done < length; done += zeros.capacity()) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), length - done));
            file.write(zeros, offset + done);
        }
    }

    /** Holes in the file read as zeros (qemu-img map's "zero": true, with the offset they would have). */
    @Override
    public Extent status(long offset, long maxLength) throws IOException {
        BlockDevice.checkRange(offset, maxLength, size);
        long fileSize = file.size();
        if (offset >= fileSize) {
            return new Extent(maxLength, Extent.Kind.ZERO, offset); // past a file that shrank
        }
        HostFile.Run run = file.run(offset);
        long length = Math.min(maxLength, Math.max(run.end(), offset + 1) - offset);
        return new Extent(length, run.hole() ? Extent.Kind.ZERO : Extent.Kind.DATA, offset);
    }

    @Override
    public ImageInfo info() {
        return ImageInfo.plain("raw", size, file.allocatedBytes(), 0);
    }

    private void checkWritable() throws IOException {
        if (readOnly()) {
            throw new IOException(file.path() + " is read-only");
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    @Override
    public String toString() {
        return "raw:" + file.path();
    }
}
