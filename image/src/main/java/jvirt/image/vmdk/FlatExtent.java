package jvirt.image.vmdk;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import jvirt.image.Extent;
import jvirt.image.host.Buffers;
import jvirt.image.host.HostFile;

/** A flat extent: the disk's sectors stored as they are in a file, from a sector offset. */
final class FlatExtent implements VmdkExtent {
    private final HostFile file;
    private final String type;
    private final long sectors;
    private final long start;
    private final boolean readOnly;

    FlatExtent(HostFile file, String type, long sectors, long startSector, boolean readOnly) {
        this.file = file;
        this.type = type;
        this.sectors = sectors;
        this.start = startSector * 512;
        this.readOnly = readOnly;
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public Path path() {
        return file.path();
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
        return readOnly;
    }

    @Override
    public void read(long pos, long length, List<MemorySegment> parts, long partsOffset) throws IOException {
        Buffers.read(file, start + pos, Buffers.slice(parts, partsOffset, length));
    }

    @Override
    public void write(long pos, long length, List<MemorySegment> parts, long partsOffset) throws IOException {
        Buffers.write(file, start + pos, Buffers.slice(parts, partsOffset, length));
    }

    /** All data, at its place in the file (qemu-img map's "data": true with an offset). */
    @Override
    public Extent status(long pos, long max) {
        return new Extent(max, Extent.Kind.DATA, start + pos);
    }

    @Override
    public void writeZeroes(long pos, long length, boolean unmap) throws IOException {
        Buffers.zeroHost(file, start + pos, length, unmap);
    }

    @Override
    public void discard(long pos, long length) {
        file.punchHole(start + pos, length);
    }

    @Override
    public void flush() throws IOException {
        if (!file.readOnly()) {
            file.sync();
        }
    }

    @Override
    public long allocatedBytes() {
        return file.allocatedBytes();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
