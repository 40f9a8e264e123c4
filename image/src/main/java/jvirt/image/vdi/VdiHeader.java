package jvirt.image.vdi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import jvirt.image.InvalidImageException;

/**
 * The 512-byte VDI header (VirtualBox's version 1.1): the pre-header with its signature, then the
 * geometry, the disk size, the block size and count, and where the block map and the blocks lie.
 * All fields are little-endian.
 */
final class VdiHeader {
    static final int SIZE = 512;
    static final int SIGNATURE = 0xbeda107f;
    static final int VERSION_1_1 = 0x00010001;
    static final int TYPE_DYNAMIC = 1;
    static final int TYPE_STATIC = 2;
    static final int TYPE_UNDO = 3;
    static final int TYPE_DIFF = 4;
    static final int SECTOR = 512;
    static final int DEFAULT_BLOCK_SIZE = 1 << 20;
    /** Bytes of the pre-header (text, signature, version) that come before the counted header. */
    static final int PRE_HEADER = 72;
    /** The size of a version 1.1 header as VirtualBox counts it. */
    static final int HEADER_1_1 = 0x180;
    /** Block maps of more entries are refused: 64 MiB of map, 16 TiB of disk at the usual block size. */
    static final long MAX_BLOCKS = 1L << 24;
    static final String TEXT = "<<< jvirt Virtual Disk Image >>>\n";

    static final int OFF_SIGNATURE = 64;
    static final int OFF_VERSION = 68;
    static final int OFF_HEADER_SIZE = 72;
    static final int OFF_TYPE = 76;
    static final int OFF_FLAGS = 80;
    static final int OFF_BMAP = 340;
    static final int OFF_DATA = 344;
    static final int OFF_SECTOR_SIZE = 360;
    static final int OFF_DISK_SIZE = 368;
    static final int OFF_BLOCK_SIZE = 376;
    static final int OFF_BLOCK_EXTRA = 380;
    static final int OFF_BLOCKS = 384;
    static final int OFF_ALLOCATED = 388;
    static final int OFF_UUID_IMAGE = 392;
    static final int OFF_UUID_SNAP = 408;
    static final int OFF_UUID_LINK = 424;
    static final int OFF_UUID_PARENT = 440;

    private final byte[] raw;
    final int type;
    final long offsetBmap;
    final long offsetData;
    final long diskSize;
    final int blockSize;
    final int blocks;
    int blocksAllocated;

    private VdiHeader(byte[] raw, int type, long offsetBmap, long offsetData, long diskSize, int blockSize,
                      int blocks, int blocksAllocated) {
        this.raw = raw;
        this.type = type;
        this.offsetBmap = offsetBmap;
        this.offsetData = offsetData;
        this.diskSize = diskSize;
        this.blockSize = blockSize;
        this.blocks = blocks;
        this.blocksAllocated = blocksAllocated;
    }

    /** Whether {@code head} starts with a VDI header (QEMU's probe: the signature at byte 64). */
    static boolean probe(byte[] head) {
        return head.length >= SIZE && le(head).getInt(OFF_SIGNATURE) == SIGNATURE;
    }

    /** Reads and checks a header against the size of the file it came from. */
    static VdiHeader parse(Path path, byte[] raw, long fileSize) throws InvalidImageException {
        if (fileSize < SIZE) {
            throw new InvalidImageException(path, "too short for a VDI header (" + fileSize + " bytes)");
        }
        ByteBuffer b = le(raw);
        if (b.getInt(OFF_SIGNATURE) != SIGNATURE) {
            throw new InvalidImageException(path, String.format("not a VDI image (bad signature %08x)", b.getInt(OFF_SIGNATURE)));
        }
        int version = b.getInt(OFF_VERSION);
        if (version != VERSION_1_1) {
            throw new InvalidImageException(path, "unsupported VDI version " + (version >>> 16) + "." + (version & 0xffff));
        }
        long headerSize = Integer.toUnsignedLong(b.getInt(OFF_HEADER_SIZE));
        int type = b.getInt(OFF_TYPE);
        if (type == TYPE_UNDO || type == TYPE_DIFF || !isNull(raw, OFF_UUID_LINK) || !isNull(raw, OFF_UUID_PARENT)) {
            throw new InvalidImageException(path, "differencing and undo VDI images are not supported");
        }
        if (type != TYPE_DYNAMIC && type != TYPE_STATIC) {
            throw new InvalidImageException(path, "unknown VDI image type " + Integer.toUnsignedString(type));
        }
        long offsetBmap = Integer.toUnsignedLong(b.getInt(OFF_BMAP));
        long offsetData = Integer.toUnsignedLong(b.getInt(OFF_DATA));
        int sectorSize = b.getInt(OFF_SECTOR_SIZE);
        long diskSize = b.getLong(OFF_DISK_SIZE);
        long blockSize = Integer.toUnsignedLong(b.getInt(OFF_BLOCK_SIZE));
        long blockExtra = Integer.toUnsignedLong(b.getInt(OFF_BLOCK_EXTRA));
        long blocks = Integer.toUnsignedLong(b.getInt(OFF_BLOCKS));
        long allocated = Integer.toUnsignedLong(b.getInt(OFF_ALLOCATED));
        if (headerSize < HEADER_1_1 || headerSize > SIZE - PRE_HEADER) {
            throw new InvalidImageException(path, "VDI header size " + headerSize + " is not that of version 1.1");
        }
        if (sectorSize != SECTOR) {
            throw new InvalidImageException(path, "unsupported VDI sector size " + Integer.toUnsignedString(sectorSize));
        }
        if (blockSize < SECTOR || blockSize > (1 << 28) || Long.bitCount(blockSize) != 1) {
            throw new InvalidImageException(path, "unsupported VDI block size " + blockSize);
        }
        if (blockExtra != 0) {
            throw new InvalidImageException(path, "VDI blocks with " + blockExtra + " extra bytes are not supported");
        }
        if (offsetBmap % SECTOR != 0 || offsetBmap < SIZE) {
            throw new InvalidImageException(path, "VDI block map offset " + offsetBmap + " is unaligned or inside the header");
        }
        if (blocks > MAX_BLOCKS) {
            throw new InvalidImageException(path, "VDI image of " + blocks + " blocks is larger than supported (" + MAX_BLOCKS + ")");
        }
        long bmapEnd = offsetBmap + blocks * 4;
        if (bmapEnd > fileSize) {
            throw new InvalidImageException(path, "VDI block map (" + blocks + " entries at " + offsetBmap
                    + ") runs past the end of the file (" + fileSize + " bytes); truncated?");
        }
        if (offsetData % SECTOR != 0 || offsetData < bmapEnd) {
            throw new InvalidImageException(path, "VDI data offset " + offsetData + " is unaligned or overlaps the block map");
        }
        if (diskSize < 0 || Long.compareUnsigned(diskSize, blocks * blockSize) > 0) {
            throw new InvalidImageException(path, "VDI disk size " + Long.toUnsignedString(diskSize)
                    + " is larger than its " + blocks + " blocks of " + blockSize + " bytes");
        }
        if (allocated > blocks) {
            throw new InvalidImageException(path, "VDI header counts " + allocated + " allocated blocks of " + blocks);
        }
        // VBoxManage convertfromraw writes odd sizes; QEMU rounds them up to whole sectors, and so do we.
        long rounded = (diskSize + SECTOR - 1) / SECTOR * SECTOR;
        return new VdiHeader(raw.clone(), type, offsetBmap, offsetData, rounded, (int) blockSize, (int) blocks,
                (int) allocated);
    }

    /** A new header, as {@code create} writes it: the block map right after the header, the blocks after the map. */
    static VdiHeader create(long diskSize, boolean isStatic) {
        int blockSize = DEFAULT_BLOCK_SIZE;
        long blocks = (diskSize + blockSize - 1) / blockSize;
        long bmapBytes = (blocks * 4 + SECTOR - 1) / SECTOR * SECTOR;
        byte[] raw = new byte[SIZE];
        ByteBuffer b = le(raw);
        byte[] text = TEXT.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, raw, 0, text.length);
        b.putInt(OFF_SIGNATURE, SIGNATURE);
        b.putInt(OFF_VERSION, VERSION_1_1);
        b.putInt(OFF_HEADER_SIZE, HEADER_1_1);
        b.putInt(OFF_TYPE, isStatic ? TYPE_STATIC : TYPE_DYNAMIC);
        b.putInt(OFF_BMAP, SIZE);
        b.putInt(OFF_DATA, (int) (SIZE + bmapBytes));
        b.putInt(OFF_SECTOR_SIZE, SECTOR);
        b.putLong(OFF_DISK_SIZE, diskSize);
        b.putInt(OFF_BLOCK_SIZE, blockSize);
        b.putInt(OFF_BLOCKS, (int) blocks);
        b.putInt(OFF_ALLOCATED, isStatic ? (int) blocks : 0);
        putUuid(b, OFF_UUID_IMAGE, UUID.randomUUID());
        putUuid(b, OFF_UUID_SNAP, UUID.randomUUID());
        return new VdiHeader(raw, isStatic ? TYPE_STATIC : TYPE_DYNAMIC, SIZE, SIZE + bmapBytes, diskSize, blockSize,
                (int) blocks, isStatic ? (int) blocks : 0);
    }

    /** The header's bytes with the current count of allocated blocks. */
    byte[] toBytes() {
        byte[] out = raw.clone();
        le(out).putInt(OFF_ALLOCATED, blocksAllocated);
        return out;
    }

    private static boolean isNull(byte[] raw, int offset) {
        for (int i = 0; i < 16; i++) {
            if (raw[offset + i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** VirtualBox stores UUIDs in their little-endian (Microsoft) layout. */
    private static void putUuid(ByteBuffer b, int offset, UUID uuid) {
        long hi = uuid.getMostSignificantBits();
        b.putInt(offset, (int) (hi >>> 32));
        b.putShort(offset + 4, (short) (hi >>> 16));
        b.putShort(offset + 6, (short) hi);
        ByteBuffer.wrap(b.array(), offset + 8, 8).order(ByteOrder.BIG_ENDIAN).putLong(uuid.getLeastSignificantBits());
    }

    private static ByteBuffer le(byte[] raw) {
        return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }
}
