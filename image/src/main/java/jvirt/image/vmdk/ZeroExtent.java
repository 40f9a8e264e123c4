package jvirt.image.vmdk;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import jvirt.image.Extent;
import jvirt.image.host.Buffers;

/** A {@code ZERO} extent: sectors with no file behind them that read as zeros and cannot be written. */
final class ZeroExtent implements VmdkExtent {
    private final long sectors;

    ZeroExtent(long sectors) {
        this.sectors = sectors;
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public String type() {
        return "ZERO";
    }

    @Override
    public Path path() {
        return null;
    }

    @Override
    public long grainBytes() {
        return 0;
    }

    @Override
    public boolean compressed() {
        return false;
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public void read(long pos, long length, List<MemorySegment> parts, long partsOffset) {
        Buffers.zero(Buffers.slice(parts, partsOffset, length));
    }

    @Override
    public void write(long pos, long length, List<MemorySegment> parts, long partsOffset) throws IOException {
        throw new IOException("a ZERO extent of a VMDK cannot be written");
    }

    @Override
    public Extent status(long pos, long max) {
        return new Extent(max, Extent.Kind.ZERO, -1);
    }

    @Override
    public void writeZeroes(long pos, long length, boolean unmap) {
        // Already zeros.
    }

    @Override
    public void discard(long pos, long length) {
    }

    @Override
    public void flush() {
    }

    @Override
    public long allocatedBytes() {
        return 0;
    }

    @Override
    public void close() {
    }
}
