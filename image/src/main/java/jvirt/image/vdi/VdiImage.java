package jvirt.image.vdi;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageInfo;
import jvirt.image.host.Buffers;
import jvirt.image.host.HostFile;
import jvirt.image.host.MappedRuns;
import jvirt.image.host.MappedRuns.Run;

/**
 * A VirtualBox disk image: the disk in blocks (1 MiB as VirtualBox and QEMU make them), each
 * stored anywhere in the file as the block map says, or not at all (reads as zeros).
 *
 * <p>A write to a block that is not stored appends a block to the file; the map entry that points
 * to it is written at the next {@link #flush}, after the data has reached stable storage, so a
 * crash never leaves an entry pointing at a block that was not written. Runs of blocks that lie
 * one after the other in the file are read and written with one host call.
 */
public final class VdiImage implements BlockDevice {
    private final HostFile file;
    private final VdiHeader header;
    private final BlockMap map;
    private final long size;
    private final int blockSize;
    /** The file block the next allocation takes. */
    private int nextBlock;
    private int allocatedCount;
    private boolean headerDirty;
    private boolean closed;

    private VdiImage(HostFile file, VdiHeader header, BlockMap map) {
        this.file = file;
        this.header = header;
        this.map = map;
        this.size = header.diskSize;
        this.blockSize = header.blockSize;
        this.nextBlock = Math.max(header.blocksAllocated, map.nextFree());
        for (int i = 0; i < map.size(); i++) {
            if (BlockMap.allocated(map.get(i))) {
                allocatedCount++;
            }
        }
    }

    /** Opens {@code path}; a one-line {@link jvirt.image.InvalidImageException} when it is not a usable VDI image. */
    public static VdiImage open(Path path, boolean readOnly) throws IOException {
        HostFile file = HostFile.open(path, readOnly);
        try {
            long fileSize = file.size();
            byte[] raw = new byte[VdiHeader.SIZE];
            file.read(ByteBuffer.wrap(raw), 0);
            VdiHeader header = VdiHeader.parse(path, raw, fileSize);
            return new VdiImage(file, header, BlockMap.read(path, file, header, fileSize));
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Writes a new, empty image of {@code diskSize} bytes (a multiple of 512); static images have every block in place. */
    static void create(Path path, long diskSize, boolean isStatic) throws IOException {
        VdiHeader header = VdiHeader.create(diskSize, isStatic);
        BlockMap map = BlockMap.empty(header.blocks, isStatic);
        try (HostFile f = HostFile.create(path)) {
            f.write(ByteBuffer.wrap(header.toBytes()), 0);
            f.write(map.toBytes(), header.offsetBmap);
            f.truncate(header.offsetData + (isStatic ? (long) header.blocks * header.blockSize : 0));
            f.sync();
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


    /** The longest run from {@code pos} (at most {@code max} bytes) that is all unstored or all contiguous in the file. */
    private Run run(long pos, long max) {
        int block = (int) (pos / blockSize);
        long within = pos % blockSize;
        int entry = map.get(block);
        long length = Math.min(max, blockSize - within);
        if (!BlockMap.allocated(entry)) {
            while (length < max && !BlockMap.allocated(map.get(++block))) {
                length = Math.min(max, length + blockSize);
            }
            return new Run(length, -1);
        }
        long host = header.offsetData + (long) entry * blockSize + within;
        while (length < max && map.get(block + 1) == entry + 1) {
            block++;
            entry++;
            length = Math.min(max, length + blockSize);
        }
        return new Run(length, host);
    }

    @Override
    public void read(long offset, MemorySegment destination) throws IOException {
        read(offset, List.of(destination));
    }

    @Override
    public synchronized void read(long offset, List<MemorySegment> destinations) throws IOException {
        long length = Buffers.total(destinations);
        BlockDevice.checkRange(offset, length, size);
        checkOpen();
        MappedRuns.read(file, this::run, offset, destinations, null);
    }

    @Override
    public void write(long offset, MemorySegment source) throws IOException {
        write(offset, List.of(source));
    }

    @Override
    public synchronized void write(long offset, List<MemorySegment> sources) throws IOException {
        checkWritable();
        long length = Buffers.total(sources);
        BlockDevice.checkRange(offset, length, size);
        if (length == 0) {
            return;
        }
        // Allocate first, in disk order, so that new blocks written together lie together in the file.
        int last = (int) ((offset + length - 1) / blockSize);
        for (int b = (int) (offset / blockSize); b <= last; b++) {
            if (!BlockMap.allocated(map.get(b))) {
                allocate(b);
            }
        }
        for (long done = 0; done < length; ) {
            Run r = run(offset + done, length - done);
            Buffers.write(file, r.host(), Buffers.slice(sources, done, r.length()));
            done += r.length();
        }
    }

    /** Gives disk block {@code block} a file block of zeros at the end of the data; its map entry waits for the flush. */
    private void allocate(int block) throws IOException {
        if (nextBlock >= header.blocks) {
            BitSet used = new BitSet(header.blocks);
            for (int i = 0; i < map.size(); i++) {
                if (BlockMap.allocated(map.get(i))) {
                    used.set(map.get(i));
                }
            }
            nextBlock = used.nextClearBit(0); // there is one: fewer disk blocks are stored than exist
        }
        long host = header.offsetData + (long) nextBlock * blockSize;
        long fileSize = file.size();
        if (host < fileSize) {
            // Bytes of a block that was written but never entered in the map (a crash before a flush).
            Buffers.zeroHost(file, host, Math.min(blockSize, fileSize - host));
        }
        if (host + blockSize > fileSize) {
            file.truncate(host + blockSize);
        }
        map.set(block, nextBlock);
        nextBlock++;
        allocatedCount++;
        headerDirty = true;
    }

    /** Data first, then (once it is stable) the header and the map entries that point to it. */
    @Override
    public synchronized void flush() throws IOException {
        if (readOnly() || closed) {
            return;
        }
        file.sync();
        if (headerDirty || map.dirty()) {
            header.blocksAllocated = allocatedCount;
            file.write(ByteBuffer.wrap(header.toBytes()), 0);
            map.writeDirty(file, header.offsetBmap);
            file.sync();
            headerDirty = false;
        }
    }

    /** Frees the stored bytes of the range where the host can punch holes; blocks stay mapped (and read as zeros). */
    @Override
    public synchronized void discard(long offset, long length) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, length, size);
        MappedRuns.eachStored(this::run, offset, length, file::punchHole);
    }

    @Override
    public synchronized void writeZeroes(long offset, long length, boolean unmap) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, length, size);
        MappedRuns.eachStored(this::run, offset, length, (host, n) -> {
            Buffers.zeroHost(file, host, n, unmap);
        });
    }

    /** Stored blocks are data at their place in the file; blocks not stored read as zeros (qemu-img map's "zero": true). */
    @Override
    public synchronized Extent status(long offset, long maxLength) throws IOException {
        BlockDevice.checkRange(offset, maxLength, size);
        checkOpen();
        return run(offset, maxLength).extent();
    }

    @Override
    public ImageInfo info() {
        return ImageInfo.plain("vdi", size, file.allocatedBytes(), blockSize);
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException(file.path() + " is closed");
        }
    }

    private void checkWritable() throws IOException {
        checkOpen();
        if (readOnly()) {
            throw new IOException(file.path() + " is read-only");
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } finally {
            closed = true;
            file.close();
        }
    }

    @Override
    public String toString() {
        return "vdi:" + file.path();
    }
}
