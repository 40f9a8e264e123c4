package jvirt.image.vhdx;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageInfo;
import jvirt.image.InvalidImageException;
import jvirt.image.host.Buffers;
import jvirt.image.host.HostFile;
import jvirt.image.host.MappedRuns;
import jvirt.image.host.MappedRuns.Run;

/**
 * A Hyper-V VHDX disk, dynamic or fixed: payload blocks (1 to 256 MiB) found through the block
 * allocation table, a block not present (or zero, unmapped, undefined) reading as zeros.
 *
 * <p>A log that needs replaying is replayed on open: into the file when the image is opened for
 * writing (then marked empty), else in memory, its writes laid over every read of the file, so a
 * read-only open never changes the file. Writes allocate new blocks at the end of the file (1
 * MiB-aligned); their BAT entries reach the file at {@link #flush}, after the data. The headers'
 * file- and data-write GUIDs change before the first write, as the specification asks. BAT
 * entries are written in place rather than through the log, the data-before-metadata order
 * standing in for it.
 */
public final class VhdxImage implements BlockDevice {
    private static final long MIB = VhdxRegionTable.MIB;
    private static final long MAX_METADATA = 64L << 20;

    private final HostFile file;
    private final Path path;
    private final boolean readOnly;
    private VhdxHeader header;
    private boolean currentIsFirst;
    private final VhdxRegionTable regions;
    private final VhdxMetadata metadata;
    private final BlockAllocationTable bat;
    private final List<VhdxLog.Write> overlay;
    private final long size;
    private final long blockSize;
    private boolean wrote;
    private boolean closed;

    private VhdxImage(HostFile file, Path path, boolean readOnly, VhdxHeader header, boolean currentIsFirst,
                      VhdxRegionTable regions, VhdxMetadata metadata, BlockAllocationTable bat, List<VhdxLog.Write> overlay) {
        this.file = file;
        this.path = path;
        this.readOnly = readOnly;
        this.header = header;
        this.currentIsFirst = currentIsFirst;
        this.regions = regions;
        this.metadata = metadata;
        this.bat = bat;
        this.overlay = overlay;
        this.size = metadata.virtualSize;
        this.blockSize = metadata.blockSize;
    }

    /** Opens {@code path}; a one-line {@link InvalidImageException} when it is not a usable VHDX. */
    public static VhdxImage open(Path path, boolean readOnly) throws IOException {
        HostFile file = HostFile.open(path, readOnly);
        try {
            return open(path, file, readOnly);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static VhdxImage open(Path path, HostFile file, boolean readOnly) throws IOException {
        long fileSize = file.size();
        if (fileSize < VhdxRegionTable.SECOND + VhdxRegionTable.SIZE) {
            throw new InvalidImageException(path, "too short for a VHDX image (" + fileSize + " bytes)");
        }
        byte[] sig = new byte[8];
        file.read(ByteBuffer.wrap(sig), 0);
        if (!new String(sig, StandardCharsets.ISO_8859_1).equals("vhdxfile")) {
            throw new InvalidImageException(path, "not a VHDX image (no vhdxfile signature)");
        }
        byte[] a = new byte[VhdxHeader.SIZE];
        byte[] b = new byte[VhdxHeader.SIZE];
        file.read(ByteBuffer.wrap(a), VhdxHeader.FIRST);
        file.read(ByteBuffer.wrap(b), VhdxHeader.SECOND);
        VhdxHeader h1 = VhdxHeader.parse(a);
        VhdxHeader h2 = VhdxHeader.parse(b);
        boolean first;
        if (h1 != null && h2 != null) {
            if (h1.sequence == h2.sequence && !Arrays.equals(a, b)) {
                throw new InvalidImageException(path, "VHDX headers differ but have one sequence number");
            }
            first = Long.compareUnsigned(h1.sequence, h2.sequence) >= 0;
        } else if (h1 != null || h2 != null) {
            first = h1 != null;
        } else {
            throw new InvalidImageException(path, "VHDX image has no valid header (both fail their checksum or signature)");
        }
        VhdxHeader header = first ? h1 : h2;
        VhdxLog.checkPlace(path, header, fileSize);
        VhdxLog.Replay replay = VhdxLog.read(path, file, header, fileSize);
        List<VhdxLog.Write> overlay = List.of();
        if (!replay.empty()) {
            if (readOnly) {
                overlay = replay.writes();
                fileSize = Math.max(fileSize, (replay.lastFileOffset() + MIB - 1) / MIB * MIB);
            } else {
                // A new file-write GUID before the file changes; the log's GUID goes once the log is applied.
                VhdxHeader writing = header.next(Guid.random(), header.dataWriteGuid, header.logGuid);
                writeHeaders(file, writing, first);
                header = writing.next(writing.fileWriteGuid, writing.dataWriteGuid, writing.logGuid);
                for (VhdxLog.Write w : replay.writes()) {
                    if (w.data() != null) {
                        file.write(ByteBuffer.wrap(w.data()), w.offset());
                    } else {
                        Buffers.zeroHost(file, w.offset(), w.zeroLength(), false);
                    }
                }
                if (file.size() < replay.lastFileOffset()) {
                    file.truncate((replay.lastFileOffset() + MIB - 1) / MIB * MIB);
                }
                file.sync();
                VhdxHeader empty = header.next(header.fileWriteGuid, header.dataWriteGuid, Guid.ZERO);
                writeHeaders(file, empty, first);
                header = empty.next(empty.fileWriteGuid, empty.dataWriteGuid, Guid.ZERO); // after two updates, the same slot is current
                fileSize = file.size();
            }
        }
        byte[] rt = readHost(file, overlay, VhdxRegionTable.FIRST, VhdxRegionTable.SIZE);
        if (!VhdxRegionTable.valid(rt)) {
            rt = readHost(file, overlay, VhdxRegionTable.SECOND, VhdxRegionTable.SIZE);
            if (!VhdxRegionTable.valid(rt)) {
                throw new InvalidImageException(path, "VHDX image has no valid region table (both fail their checksum or signature)");
            }
        }
        VhdxRegionTable regions = VhdxRegionTable.parse(path, rt, fileSize, header.logOffset, header.logLength);
        if (regions.metadataLength > MAX_METADATA) {
            throw new InvalidImageException(path, "VHDX metadata region of " + regions.metadataLength + " bytes is larger than supported");
        }
        VhdxMetadata m = VhdxMetadata.parse(path, readHost(file, overlay, regions.metadataOffset, (int) regions.metadataLength));
        long entries = m.batEntries();
        if (entries > BlockAllocationTable.MAX_ENTRIES) {
            throw new InvalidImageException(path, "VHDX disk of " + entries + " blocks is larger than supported");
        }
        if (entries * 8 > regions.batLength) {
            throw new InvalidImageException(path, "VHDX block allocation table region (" + regions.batLength
                    + " bytes) is too small for the disk's " + entries + " entries");
        }
        long[][] reserved = {
            {regions.batOffset, regions.batOffset + regions.batLength},
            {regions.metadataOffset, regions.metadataOffset + regions.metadataLength},
            {header.logOffset, header.logOffset + header.logLength},
        };
        BlockAllocationTable bat = BlockAllocationTable.parse(path,
                ByteBuffer.wrap(readHost(file, overlay, regions.batOffset, (int) (entries * 8))), m, fileSize, reserved);
        return new VhdxImage(file, path, readOnly, header, first, regions, m, bat, overlay);
    }

    /** Writes {@code next} over the header that is not current, then (one sequence number on) over the other. */
    private static void writeHeaders(HostFile file, VhdxHeader next, boolean currentIsFirst) throws IOException {
        file.write(ByteBuffer.wrap(next.toBytes()), currentIsFirst ? VhdxHeader.SECOND : VhdxHeader.FIRST);
        file.sync();
        VhdxHeader again = next.next(next.fileWriteGuid, next.dataWriteGuid, next.logGuid);
        file.write(ByteBuffer.wrap(again.toBytes()), currentIsFirst ? VhdxHeader.FIRST : VhdxHeader.SECOND);
        file.sync();
    }

    private static byte[] readHost(HostFile file, List<VhdxLog.Write> overlay, long offset, int length) throws IOException {
        byte[] raw = new byte[length];
        ByteBuffer[] b = {ByteBuffer.wrap(raw)};
        file.read(b[0].duplicate(), offset);
        VhdxLog.patch(overlay, offset, b);
        return raw;
    }

    /** A new image; {@code blockSize} 0 picks QEMU's default for the size. */
    static void create(Path path, long size, long blockSize, long logSize, boolean fixed) throws IOException {
        if (blockSize == 0) {
            blockSize = size > (32L << 40) ? 64 * MIB : size > (1L << 40) ? 32 * MIB : size > (1L << 30) ? 16 * MIB : 8 * MIB;
        }
        VhdxMetadata m = new VhdxMetadata(blockSize, fixed, size, 512, 512);
        long batOffset = MIB + logSize;
        long batLength = Math.max(MIB, (m.batEntries() * 8 + MIB - 1) / MIB * MIB);
        long metadataOffset = batOffset + batLength;
        long dataStart = metadataOffset + MIB;
        try (HostFile f = HostFile.create(path)) {
            byte[] id = new byte[64 * 1024];
            byte[] creator = "jvirt".getBytes(StandardCharsets.UTF_16LE);
            System.arraycopy("vhdxfile".getBytes(StandardCharsets.ISO_8859_1), 0, id, 0, 8);
            System.arraycopy(creator, 0, id, 8, creator.length);
            f.write(ByteBuffer.wrap(id), 0);
            long seq = new java.security.SecureRandom().nextInt() & 0xffffffffL;
            VhdxHeader h = new VhdxHeader(seq, Guid.random(), Guid.random(), Guid.ZERO, 0, 1, logSize, MIB);
            f.write(ByteBuffer.wrap(h.toBytes()), VhdxHeader.FIRST);
            f.write(ByteBuffer.wrap(h.next(h.fileWriteGuid, h.dataWriteGuid, Guid.ZERO).toBytes()), VhdxHeader.SECOND);
            byte[] rt = new VhdxRegionTable(batOffset, batLength, metadataOffset, MIB).toBytes();
            f.write(ByteBuffer.wrap(rt), VhdxRegionTable.FIRST);
            f.write(ByteBuffer.wrap(rt), VhdxRegionTable.SECOND);
            f.write(BlockAllocationTable.create(m, fixed ? dataStart : 0, batLength), batOffset);
            f.write(ByteBuffer.wrap(VhdxMetadata.create(blockSize, fixed, size, 512)), metadataOffset);
            f.truncate(dataStart + (fixed ? m.payloadBlocks() * blockSize : 0));
            f.sync();
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }


    private Run run(long pos, long max) {
        long block = pos / blockSize;
        long within = pos % blockSize;
        long length = Math.min(max, blockSize - within);
        long offset = bat.offset(block);
        if (offset < 0) {
            while (length < max && bat.offset(++block) < 0) {
                length = Math.min(max, length + blockSize);
            }
            return new Run(length, -1);
        }
        long host = offset + within;
        while (length < max && bat.offset(block + 1) == offset + blockSize) {
            block++;
            offset += blockSize;
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
        MappedRuns.read(file, this::run, offset, destinations, overlay.isEmpty() ? null : (host, buffers) -> VhdxLog.patch(overlay, host, buffers));
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
        beforeFirstWrite();
        long last = (offset + length - 1) / blockSize;
        for (long block = offset / blockSize; block <= last; block++) {
            if (bat.offset(block) < 0) {
                long at = (file.size() + MIB - 1) / MIB * MIB;
                file.truncate(at + blockSize);
                bat.setPresent(block, at);
            }
        }
        for (long done = 0; done < length; ) {
            Run r = run(offset + done, length - done);
            Buffers.write(file, r.host(), Buffers.slice(sources, done, r.length()));
            done += r.length();
        }
    }

    /** New file- and data-write GUIDs in both headers before anything else of the file changes. */
    private void beforeFirstWrite() throws IOException {
        if (wrote) {
            return;
        }
        VhdxHeader next = header.next(Guid.random(), Guid.random(), header.logGuid);
        writeHeaders(file, next, currentIsFirst);
        header = next.next(next.fileWriteGuid, next.dataWriteGuid, next.logGuid);
        wrote = true;
    }

    /** Data first; once it is stable, the BAT entries that point to it. */
    @Override
    public synchronized void flush() throws IOException {
        if (readOnly || closed) {
            return;
        }
        file.sync();
        if (bat.dirty()) {
            file.write(bat.dirtyBytes(), regions.batOffset + bat.dirtyOffset());
            bat.clean();
            file.sync();
        }
    }

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
            beforeFirstWrite();
            Buffers.zeroHost(file, host, n, unmap);
        });
    }

    /**
     * Present blocks are DATA at their place in the file; blocks in any other state read as zeros
     * (ZERO). QEMU 7.2 has no block status for vhdx and maps everything as data; this is the truth
     * the BAT tells.
     */
    @Override
    public synchronized Extent status(long offset, long maxLength) throws IOException {
        BlockDevice.checkRange(offset, maxLength, size);
        checkOpen();
        return run(offset, maxLength).extent();
    }

    @Override
    public ImageInfo info() {
        return ImageInfo.plain("vhdx", size, file.allocatedBytes(), blockSize);
    }

    /** Whether the image was opened with a log replayed in memory (read-only, the file left as it was). */
    boolean replayedInMemory() {
        return !overlay.isEmpty();
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException(path + " is closed");
        }
    }

    private void checkWritable() throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException(path + " is read-only");
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
        return "vhdx:" + path;
    }
}
