package jvirt.image.vhdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import jvirt.image.InvalidImageException;

/**
 * The metadata region: a table of items (at its start, 64 KiB) and the items it points to. The
 * disk needs five: file parameters (block size, whether blocks stay allocated, whether there is a
 * parent), virtual disk size, the disk's page-83 id, logical and physical sector size.
 */
final class VhdxMetadata {
    static final long TABLE_SIZE = 64 * 1024;
    static final long SIGNATURE = 0x617461646174656dL; // "metadata"
    static final int FLAG_USER = 1;
    static final int FLAG_VIRTUAL_DISK = 2;
    static final int FLAG_REQUIRED = 4;
    static final long MIN_BLOCK = 1 << 20;
    static final long MAX_BLOCK = 256 << 20;
    static final long MAX_SIZE = 64L << 40;

    final long blockSize;
    final boolean leaveAllocated;
    final long virtualSize;
    final int logicalSectorSize;
    final int physicalSectorSize;

    VhdxMetadata(long blockSize, boolean leaveAllocated, long virtualSize, int logicalSectorSize, int physicalSectorSize) {
        this.blockSize = blockSize;
        this.leaveAllocated = leaveAllocated;
        this.virtualSize = virtualSize;
        this.logicalSectorSize = logicalSectorSize;
        this.physicalSectorSize = physicalSectorSize;
    }

    /** Parses the whole region ({@code region} holds it all) and checks every value used. */
    static VhdxMetadata parse(Path path, byte[] region) throws InvalidImageException {
        ByteBuffer b = ByteBuffer.wrap(region).order(ByteOrder.LITTLE_ENDIAN);
        if (region.length < TABLE_SIZE || b.getLong(0) != SIGNATURE) {
            throw new InvalidImageException(path, "VHDX metadata region has no metadata table");
        }
        int count = Short.toUnsignedInt(b.getShort(10));
        if (count > 2047) {
            throw new InvalidImageException(path, "VHDX metadata table has " + count + " entries (at most 2047)");
        }
        ByteBuffer params = null;
        ByteBuffer size = null;
        ByteBuffer page83 = null;
        ByteBuffer logical = null;
        ByteBuffer physical = null;
        for (int i = 0; i < count; i++) {
            int at = 32 + 32 * i;
            Guid id = Guid.read(b, at);
            long offset = Integer.toUnsignedLong(b.getInt(at + 16));
            long length = Integer.toUnsignedLong(b.getInt(at + 20));
            int flags = b.getInt(at + 24);
            if (length > 0 && (offset < TABLE_SIZE || offset > region.length || length > region.length - offset)) {
                throw new InvalidImageException(path, "VHDX metadata item " + id + " (" + length + " bytes at " + offset
                        + ") lies outside the metadata region");
            }
            ByteBuffer item = ByteBuffer.wrap(region, (int) offset, (int) length).slice().order(ByteOrder.LITTLE_ENDIAN);
            if (id.equals(Guid.FILE_PARAMETERS)) {
                params = once(path, params, item, 8, "file parameters");
            } else if (id.equals(Guid.VIRTUAL_DISK_SIZE)) {
                size = once(path, size, item, 8, "virtual disk size");
            } else if (id.equals(Guid.PAGE_83)) {
                page83 = once(path, page83, item, 16, "page 83 data");
            } else if (id.equals(Guid.LOGICAL_SECTOR_SIZE)) {
                logical = once(path, logical, item, 4, "logical sector size");
            } else if (id.equals(Guid.PHYSICAL_SECTOR_SIZE)) {
                physical = once(path, physical, item, 4, "physical sector size");
            } else if (id.equals(Guid.PARENT_LOCATOR)) {
                throw new InvalidImageException(path, "differencing VHDX images (parent locator) are not supported");
            } else if ((flags & FLAG_REQUIRED) != 0) {
                throw new InvalidImageException(path, "VHDX image needs a metadata item this reader does not know (" + id + ")");
            }
        }
        if (params == null || size == null || page83 == null || logical == null || physical == null) {
            throw new InvalidImageException(path, "VHDX metadata lacks a required item");
        }
        long blockSize = Integer.toUnsignedLong(params.getInt(0));
        int bits = params.getInt(4);
        if ((bits & 2) != 0) {
            throw new InvalidImageException(path, "differencing VHDX images are not supported");
        }
        if (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK || Long.bitCount(blockSize) != 1) {
            throw new InvalidImageException(path, "VHDX block size " + blockSize + " is not a power of two from 1 MiB to 256 MiB");
        }
        int ls = logical.getInt(0);
        int ps = physical.getInt(0);
        if ((ls != 512 && ls != 4096) || (ps != 512 && ps != 4096)) {
            throw new InvalidImageException(path, "VHDX sector sizes " + Integer.toUnsignedString(ls) + "/"
                    + Integer.toUnsignedString(ps) + " are not 512 or 4096");
        }
        long virtualSize = size.getLong(0);
        if (virtualSize < 0 || virtualSize > MAX_SIZE || virtualSize % ls != 0) {
            throw new InvalidImageException(path, "VHDX virtual size " + Long.toUnsignedString(virtualSize)
                    + " is not a multiple of its sector size up to 64 TiB");
        }
        return new VhdxMetadata(blockSize, (bits & 1) != 0, virtualSize, ls, ps);
    }

    private static ByteBuffer once(Path path, ByteBuffer previous, ByteBuffer item, int need, String what)
            throws InvalidImageException {
        if (previous != null) {
            throw new InvalidImageException(path, "VHDX metadata lists its " + what + " twice");
        }
        if (item.remaining() < need) {
            throw new InvalidImageException(path, "VHDX metadata item " + what + " is " + item.remaining() + " bytes, not " + need);
        }
        return item;
    }

    /** Payload blocks per sector-bitmap block: the BAT interleaves one bitmap entry after each chunk of this many. */
    long chunkRatio() {
        return (1L << 23) * logicalSectorSize / blockSize;
    }

    long payloadBlocks() {
        return (virtualSize + blockSize - 1) / blockSize;
    }

    /** Entries in the BAT of a disk without a parent. */
    long batEntries() {
        long n = payloadBlocks();
        return n == 0 ? 0 : n + (n - 1) / chunkRatio();
    }

    /** A new metadata region (table and items) as {@code create} writes it. */
    static byte[] create(long blockSize, boolean leaveAllocated, long virtualSize, int sectorSize) {
        byte[] raw = new byte[(int) TABLE_SIZE + 4096];
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, SIGNATURE).putShort(10, (short) 5);
        Guid[] ids = {Guid.FILE_PARAMETERS, Guid.VIRTUAL_DISK_SIZE, Guid.PAGE_83, Guid.LOGICAL_SECTOR_SIZE, Guid.PHYSICAL_SECTOR_SIZE};
        int[] lengths = {8, 8, 16, 4, 4};
        int offset = (int) TABLE_SIZE;
        for (int i = 0; i < ids.length; i++) {
            int at = 32 + 32 * i;
            b.put(at, ids[i].bytes()).putInt(at + 16, offset).putInt(at + 20, lengths[i])
                    .putInt(at + 24, FLAG_REQUIRED | (i == 0 ? 0 : FLAG_VIRTUAL_DISK));
            offset += lengths[i];
        }
        int at = (int) TABLE_SIZE;
        b.putInt(at, (int) blockSize).putInt(at + 4, leaveAllocated ? 1 : 0);
        b.putLong(at + 8, virtualSize);
        b.put(at + 16, Guid.random().bytes());
        b.putInt(at + 32, sectorSize).putInt(at + 36, sectorSize);
        return raw;
    }
}
