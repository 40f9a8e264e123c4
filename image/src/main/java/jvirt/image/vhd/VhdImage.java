package jvirt.image.vhd;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageInfo;
import jvirt.image.InvalidImageException;
import jvirt.image.host.Buffers;
import jvirt.image.host.HostFile;
import jvirt.image.host.MappedRuns;
import jvirt.image.host.MappedRuns.Run;

/**
 * A Virtual PC / Hyper-V disk (QEMU's {@code vpc}), fixed or dynamic.
 *
 * <p>A fixed disk is its bytes followed by the footer. A dynamic disk stores blocks (2 MiB as
 * usually made) anywhere after its headers, each a sector bitmap followed by the data; a sector
 * whose bit is clear reads as zeros, and so does a block the allocation table does not list. New
 * blocks go where the footer was, the footer moving behind them; their table entries reach the
 * file at {@link #flush}, after the data. Blocks are given whole bitmaps of ones, as QEMU does.
 */
public final class VhdImage implements BlockDevice {
    private static final int BITMAP_CACHE = 256;

    private final HostFile file;
    private final VhdFooter footer;
    private final long size;
    private final boolean fixed;
    private final long tableOffset;
    private final BlockAllocationTable bat;
    private final long blockSize;
    private final int bitmapSize;
    private long freeOffset;
    /** Blocks whose bitmap is known to be all ones: their data is read as it is. */
    private final BitSet fullBitmaps = new BitSet();
    private final Map<Integer, byte[]> bitmaps = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, byte[]> eldest) {
            return size() > BITMAP_CACHE;
        }
    };
    /** Blocks whose bitmap became all ones in memory, to be written at flush. */
    private final TreeSet<Integer> dirtyBitmaps = new TreeSet<>();
    private boolean closed;

    private VhdImage(HostFile file, VhdFooter footer, long size, long tableOffset, BlockAllocationTable bat,
                     long blockSize, long freeOffset) {
        this.file = file;
        this.footer = footer;
        this.size = size;
        this.fixed = bat == null;
        this.tableOffset = tableOffset;
        this.bat = bat;
        this.blockSize = blockSize;
        this.bitmapSize = (int) bitmapBytes(blockSize);
        this.freeOffset = freeOffset;
    }

    static long bitmapBytes(long blockSize) {
        return (blockSize / 512 / 8 + 511) / 512 * 512;
    }

    /** Opens {@code path}; a one-line {@link InvalidImageException} when it is not a usable VHD. */
    public static VhdImage open(Path path, boolean readOnly) throws IOException {
        HostFile file = HostFile.open(path, readOnly);
        try {
            return open(path, file);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static VhdImage open(Path path, HostFile file) throws IOException {
        long fileSize = file.size();
        if (fileSize < VhdFooter.SIZE) {
            throw new InvalidImageException(path, "too short for a VHD footer (" + fileSize + " bytes)");
        }
        byte[] head = new byte[VhdFooter.SIZE];
        file.read(ByteBuffer.wrap(head), 0);
        VhdFooter footer = null;
        if (VhdFooter.hasCookie(head)) {
            footer = VhdFooter.parse(path, head);
        }
        if (footer == null || footer.type == VhdFooter.TYPE_FIXED) {
            // A fixed disk's only footer is at its end (a copy at the start is a dynamic disk's).
            byte[] tail = new byte[VhdFooter.SIZE];
            file.read(ByteBuffer.wrap(tail), fileSize - VhdFooter.SIZE);
            footer = VhdFooter.parse(path, tail);
        }
        long size = footer.virtualSize(path);
        switch (footer.type) {
            case VhdFooter.TYPE_FIXED -> {
                if (size > fileSize - VhdFooter.SIZE) {
                    throw new InvalidImageException(path, "fixed VHD of " + size + " bytes is in a file of only "
                            + fileSize + "; truncated?");
                }
                return new VhdImage(file, footer, size, -1, null, 0, 0);
            }
            case VhdFooter.TYPE_DYNAMIC -> {
                return openDynamic(path, file, footer, size, fileSize);
            }
            case VhdFooter.TYPE_DIFFERENCING -> throw new InvalidImageException(path,
                    "differencing VHD images are not supported");
            default -> throw new InvalidImageException(path, "unknown VHD disk type " + Integer.toUnsignedString(footer.type));
        }
    }

    private static VhdImage openDynamic(Path path, HostFile file, VhdFooter footer, long size, long fileSize)
            throws IOException {
        long headerAt = footer.dataOffset;
        if (headerAt < VhdFooter.SIZE || headerAt > fileSize - DynamicDiskHeader.SIZE) {
            throw new InvalidImageException(path, "VHD dynamic disk header offset " + Long.toUnsignedString(headerAt)
                    + " is outside the file");
        }
        byte[] raw = new byte[DynamicDiskHeader.SIZE];
        file.read(ByteBuffer.wrap(raw), headerAt);
        DynamicDiskHeader dyn = DynamicDiskHeader.parse(path, raw);
        long blockSize = dyn.blockSize;
        long blocks = (size + blockSize - 1) / blockSize;
        if (blocks > BlockAllocationTable.MAX_BLOCKS) {
            throw new InvalidImageException(path, "VHD of " + blocks + " blocks is larger than supported");
        }
        if (dyn.maxTableEntries < blocks) {
            throw new InvalidImageException(path, "VHD block allocation table has " + dyn.maxTableEntries
                    + " entries but the disk needs " + blocks);
        }
        long tableAt = dyn.tableOffset;
        if (tableAt < 0 || tableAt > fileSize || dyn.maxTableEntries * 4 > fileSize - tableAt) {
            throw new InvalidImageException(path, "VHD block allocation table (" + dyn.maxTableEntries + " entries at "
                    + Long.toUnsignedString(tableAt) + ") runs past the end of the file (" + fileSize + " bytes)");
        }
        long tableEnd = (tableAt + dyn.maxTableEntries * 4 + 511) / 512 * 512;
        if (tableAt < headerAt + DynamicDiskHeader.SIZE && tableEnd > headerAt) {
            throw new InvalidImageException(path, "VHD block allocation table overlaps the dynamic disk header");
        }
        long blockBytes = bitmapBytes(blockSize) + blockSize;
        long[] reserved = {0, VhdFooter.SIZE, headerAt, headerAt + DynamicDiskHeader.SIZE, tableAt, tableEnd};
        BlockAllocationTable bat = BlockAllocationTable.read(path, file, tableAt, (int) blocks, blockBytes, fileSize,
                reserved);
        long free = Math.max(Math.max(tableEnd, headerAt + DynamicDiskHeader.SIZE), bat.end(blockBytes));
        return new VhdImage(file, footer, size, tableAt, bat, blockSize, (free + 511) / 512 * 512);
    }

    /** A new disk: {@code chs} from {@link VhdFooter#sizeFor}. */
    static void create(Path path, boolean fixedDisk, long[] chs, long nowSeconds) throws IOException {
        long size = chs[0];
        try (HostFile f = HostFile.create(path)) {
            if (fixedDisk) {
                VhdFooter footer = VhdFooter.create(VhdFooter.TYPE_FIXED, size, chs, -1L, nowSeconds);
                f.truncate(size);
                f.write(ByteBuffer.wrap(footer.toBytes()), size);
            } else {
                int blockSize = DynamicDiskHeader.DEFAULT_BLOCK_SIZE;
                int entries = (int) ((size + blockSize - 1) / blockSize);
                long tableAt = VhdFooter.SIZE + DynamicDiskHeader.SIZE;
                int tableBytes = (entries * 4 + 511) / 512 * 512;
                ByteBuffer footer = ByteBuffer.wrap(VhdFooter.create(VhdFooter.TYPE_DYNAMIC, size, chs, VhdFooter.SIZE,
                        nowSeconds).toBytes());
                f.write(footer.duplicate(), 0);
                f.write(ByteBuffer.wrap(DynamicDiskHeader.create(tableAt, entries, blockSize)), VhdFooter.SIZE);
                f.write(BlockAllocationTable.empty(entries, tableBytes), tableAt);
                f.write(footer, tableAt + tableBytes);
            }
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


    /** The longest run from {@code pos} that reads as one kind: stored contiguously at {@code host}, or zeros (-1). */
    private Run run(long pos, long max) throws IOException {
        if (fixed) {
            return new Run(max, pos);
        }
        int block = (int) (pos / blockSize);
        long within = pos % blockSize;
        long length = Math.min(max, blockSize - within);
        long bitmapAt = bat.bitmapOffset(block);
        if (bitmapAt < 0) {
            while (length < max && bat.bitmapOffset(++block) < 0) {
                length = Math.min(max, length + blockSize);
            }
            return new Run(length, -1);
        }
        long host = bitmapAt + bitmapSize + within;
        byte[] bits = bitmap(block, bitmapAt);
        if (bits == null) {
            return new Run(length, host);
        }
        int sector = (int) (within / 512);
        int last = (int) ((within + length - 1) / 512);
        boolean set = isSet(bits, sector);
        while (sector < last && isSet(bits, sector + 1) == set) {
            sector++;
        }
        long runLength = Math.min(length, (sector + 1) * 512L - within);
        return new Run(runLength, set ? host : -1);
    }

    private static boolean isSet(byte[] bits, int sector) {
        return (bits[sector >>> 3] & (0x80 >>> (sector & 7))) != 0;
    }

    /** Block {@code block}'s sector bitmap, or null when every sector of it is present. */
    private byte[] bitmap(int block, long bitmapAt) throws IOException {
        if (fullBitmaps.get(block)) {
            return null;
        }
        byte[] bits = bitmaps.get(block);
        if (bits != null) {
            return bits;
        }
        bits = new byte[bitmapSize];
        file.read(ByteBuffer.wrap(bits), bitmapAt);
        int sectors = (int) (blockSize / 512);
        boolean full = true;
        for (int s = 0; s < sectors && full; s += 8) {
            int need = Math.min(8, sectors - s);
            int mask = (0xff << (8 - need)) & 0xff;
            full = (bits[s >>> 3] & mask) == mask;
        }
        if (full) {
            fullBitmaps.set(block);
            return null;
        }
        bitmaps.put(block, bits);
        return bits;
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
        if (!fixed) {
            int last = (int) ((offset + length - 1) / blockSize);
            for (int b = (int) (offset / blockSize); b <= last; b++) {
                long bitmapAt = bat.bitmapOffset(b);
                if (bitmapAt < 0) {
                    allocate(b);
                } else if (bitmap(b, bitmapAt) != null) {
                    fillBitmap(b, bitmapAt);
                }
            }
        }
        for (long done = 0; done < length; ) {
            Run r = run(offset + done, length - done);
            Buffers.write(file, r.host(), Buffers.slice(sources, done, r.length()));
            done += r.length();
        }
    }

    /**
     * Stores block {@code block} where the footer is: the footer is first written again past the
     * new block, then the block's bitmap of ones over the old footer; the data reads as zeros.
     */
    private void allocate(int block) throws IOException {
        long at = freeOffset;
        long end = at + bitmapSize + blockSize;
        if ((at / 512) >= 0xffffffffL) {
            throw new IOException(file.path() + ": VHD file cannot grow past the sectors its table can address");
        }
        long fileSize = file.size();
        if (at + VhdFooter.SIZE < fileSize) {
            // Bytes of a block that was written but never entered in the table (a crash before a flush).
            Buffers.zeroHost(file, at, Math.min(end, fileSize) - at);
        }
        file.write(ByteBuffer.wrap(footer.toBytes()), end);
        byte[] ones = new byte[bitmapSize];
        Arrays.fill(ones, (byte) 0xff);
        file.write(ByteBuffer.wrap(ones), at);
        bat.set(block, at);
        fullBitmaps.set(block);
        bitmaps.remove(block);
        freeOffset = end;
    }

    /** Makes a stored block's absent sectors present as zeros, so that it can be written anywhere; its bitmap is written at flush. */
    private void fillBitmap(int block, long bitmapAt) throws IOException {
        byte[] bits = bitmap(block, bitmapAt);
        int sectors = (int) (blockSize / 512);
        long data = bitmapAt + bitmapSize;
        for (int s = 0; s < sectors; ) {
            if (isSet(bits, s)) {
                s++;
                continue;
            }
            int from = s;
            while (s < sectors && !isSet(bits, s)) {
                s++;
            }
            Buffers.zeroHost(file, data + from * 512L, (s - from) * 512L);
        }
        fullBitmaps.set(block);
        bitmaps.remove(block);
        dirtyBitmaps.add(block);
    }

    /** Data first; once it is stable, the bitmaps and table entries that make it visible. */
    @Override
    public synchronized void flush() throws IOException {
        if (readOnly() || closed) {
            return;
        }
        file.sync();
        if (!fixed && (bat.dirty() || !dirtyBitmaps.isEmpty())) {
            byte[] ones = new byte[bitmapSize];
            Arrays.fill(ones, (byte) 0xff);
            for (int b : dirtyBitmaps) {
                file.write(ByteBuffer.wrap(ones), bat.bitmapOffset(b));
            }
            dirtyBitmaps.clear();
            bat.writeDirty(file, tableOffset);
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
            Buffers.zeroHost(file, host, n, unmap);
        });
    }

    /**
     * Stored data is DATA at its place in the file (a fixed disk is all data, as QEMU maps it);
     * blocks not stored, and sectors a bitmap marks absent, read as zeros (ZERO).
     */
    @Override
    public synchronized Extent status(long offset, long maxLength) throws IOException {
        BlockDevice.checkRange(offset, maxLength, size);
        checkOpen();
        return run(offset, maxLength).extent();
    }

    @Override
    public ImageInfo info() {
        return ImageInfo.plain("vpc", size, file.allocatedBytes(), fixed ? 0 : blockSize);
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
        return "vpc:" + file.path();
    }
}
