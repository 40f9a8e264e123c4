package jvirt.image.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import jvirt.image.InvalidImageException;

/**
 * The 512-byte header of a hosted sparse extent ({@code KDMV}): capacity and grain size in
 * sectors, where the embedded descriptor, the grain directory and its redundant copy lie, and
 * the flags for redundant tables, zeroed-grain entries, compression and markers. Little-endian.
 * A stream-optimized extent may say its directory is at the end ({@link #GD_AT_END}); the copy
 * of this header in its footer then holds the real offset.
 */
final class SparseExtentHeader {
    static final int SIZE = 512;
    static final int MAGIC = 0x564d444b; // "KDMV" as a little-endian int
    static final int COWD_MAGIC = 0x44574f43; // "COWD", the old VMFS sparse format
    static final long GD_AT_END = -1L;
    static final int FLAG_NL_DETECT = 1;
    static final int FLAG_RGD = 1 << 1;
    static final int FLAG_ZERO_GRAIN = 1 << 2;
    static final int FLAG_COMPRESSED = 1 << 16;
    static final int FLAG_MARKERS = 1 << 17;
    static final int COMPRESSION_DEFLATE = 1;
    /** Grains of more than this many sectors (8 MiB) are refused. */
    static final long MAX_GRAIN_SECTORS = 1 << 14;
    /** An extent of more than this many sectors (512 TiB) is refused. */
    static final long MAX_CAPACITY = 1L << 40;
    /**
     * A grain directory of more entries than this is refused (QEMU's limit is 32 Mi): 1 Mi tables
     * cover 32 TiB of 64 KiB grains, where VMware's sparse extents stop at 2 TiB.
     */
    static final long MAX_GD_ENTRIES = 1L << 20;

    static final int OFF_VERSION = 4;
    static final int OFF_FLAGS = 8;
    static final int OFF_CAPACITY = 12;
    static final int OFF_GRAIN = 20;
    static final int OFF_DESC_OFFSET = 28;
    static final int OFF_DESC_SIZE = 36;
    static final int OFF_GTES = 44;
    static final int OFF_RGD = 48;
    static final int OFF_GD = 56;
    static final int OFF_OVERHEAD = 64;
    static final int OFF_UNCLEAN = 72;
    static final int OFF_CHECK_BYTES = 73;
    static final int OFF_COMPRESSION = 77;

    final int version;
    final int flags;
    final long capacity;
    final long grainSectors;
    final long descOffset;
    final long descSize;
    final int gtesPerGt;
    final long rgdOffset;
    final long gdOffset;
    final long overhead;
    final int compression;

    SparseExtentHeader(int version, int flags, long capacity, long grainSectors, long descOffset, long descSize,
                       int gtesPerGt, long rgdOffset, long gdOffset, long overhead, int compression) {
        this.version = version;
        this.flags = flags;
        this.capacity = capacity;
        this.grainSectors = grainSectors;
        this.descOffset = descOffset;
        this.descSize = descSize;
        this.gtesPerGt = gtesPerGt;
        this.rgdOffset = rgdOffset;
        this.gdOffset = gdOffset;
        this.overhead = overhead;
        this.compression = compression;
    }

    static int magic(byte[] head) {
        return head.length < 4 ? 0 : ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    /** Reads a header's fields; {@link #check} judges them once the directory's place is known. */
    static SparseExtentHeader parse(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return new SparseExtentHeader(b.getInt(OFF_VERSION), b.getInt(OFF_FLAGS), b.getLong(OFF_CAPACITY),
                b.getLong(OFF_GRAIN), b.getLong(OFF_DESC_OFFSET), b.getLong(OFF_DESC_SIZE), b.getInt(OFF_GTES),
                b.getLong(OFF_RGD), b.getLong(OFF_GD), b.getLong(OFF_OVERHEAD), Short.toUnsignedInt(b.getShort(OFF_COMPRESSION)));
    }

    boolean compressed() {
        return compression == COMPRESSION_DEFLATE;
    }

    boolean markers() {
        return (flags & FLAG_MARKERS) != 0;
    }

    boolean zeroGrains() {
        return (flags & FLAG_ZERO_GRAIN) != 0;
    }

    boolean redundant() {
        return (flags & FLAG_RGD) != 0 && rgdOffset != 0;
    }

    long grainBytes() {
        return grainSectors * 512;
    }

    /** Entries in the grain directory: one per grain table, each table covering {@code gtesPerGt} grains. */
    long gdEntries() {
        long perTable = gtesPerGt * grainSectors;
        return (capacity + perTable - 1) / perTable;
    }

    /** Checks the fields against the file's size (in bytes); the directory must be where {@link #gdOffset} says. */
    void check(Path path, long fileSize) throws InvalidImageException {
        if (version < 1 || version > 3) {
            throw new InvalidImageException(path, "unsupported VMDK sparse extent version " + Integer.toUnsignedString(version));
        }
        if (compression != 0 && compression != COMPRESSION_DEFLATE) {
            throw new InvalidImageException(path, "unknown VMDK compression algorithm " + compression);
        }
        if (compressed() && !markers()) {
            throw new InvalidImageException(path, "compressed VMDK grains without markers are not supported");
        }
        if (grainSectors < 1 || grainSectors > MAX_GRAIN_SECTORS || Long.bitCount(grainSectors) != 1) {
            throw new InvalidImageException(path, "VMDK grain size of " + grainSectors + " sectors is not a power of two up to "
                    + MAX_GRAIN_SECTORS);
        }
        if (gtesPerGt < 1 || gtesPerGt > 512) {
            throw new InvalidImageException(path, "VMDK grain tables of " + Integer.toUnsignedString(gtesPerGt)
                    + " entries are not supported (at most 512)");
        }
        if (capacity < 0 || capacity > MAX_CAPACITY) {
            throw new InvalidImageException(path, "VMDK extent capacity of " + Long.toUnsignedString(capacity)
                    + " sectors is larger than supported");
        }
        if (gdEntries() > MAX_GD_ENTRIES) {
            throw new InvalidImageException(path, "VMDK grain directory of " + gdEntries() + " entries is larger than supported");
        }
        long fileSectors = fileSize / 512;
        checkTable(path, "grain directory", gdOffset, fileSectors);
        if (redundant()) {
            checkTable(path, "redundant grain directory", rgdOffset, fileSectors);
        }
        if (overhead < 0 || overhead > fileSectors + 1) {
            throw new InvalidImageException(path, "VMDK grains are said to start at sector " + Long.toUnsignedString(overhead)
                    + ", past the end of the file (" + fileSize + " bytes); truncated?");
        }
    }

    private void checkTable(Path path, String what, long sector, long fileSectors) throws InvalidImageException {
        long bytes = gdEntries() * 4;
        if (sector < 1 || sector > fileSectors || bytes > (fileSectors - sector) * 512) {
            throw new InvalidImageException(path, "VMDK " + what + " (" + gdEntries() + " entries at sector "
                    + Long.toUnsignedString(sector) + ") lies outside the file (" + fileSectors + " sectors)");
        }
    }

    /** The header's bytes ({@code KDMV} magic first, the newline-detection bytes in place). */
    byte[] toBytes() {
        byte[] raw = new byte[SIZE];
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC);
        b.putInt(OFF_VERSION, version);
        b.putInt(OFF_FLAGS, flags);
        b.putLong(OFF_CAPACITY, capacity);
        b.putLong(OFF_GRAIN, grainSectors);
        b.putLong(OFF_DESC_OFFSET, descOffset);
        b.putLong(OFF_DESC_SIZE, descSize);
        b.putInt(OFF_GTES, gtesPerGt);
        b.putLong(OFF_RGD, rgdOffset);
        b.putLong(OFF_GD, gdOffset);
        b.putLong(OFF_OVERHEAD, overhead);
        raw[OFF_CHECK_BYTES] = '\n';
        raw[OFF_CHECK_BYTES + 1] = ' ';
        raw[OFF_CHECK_BYTES + 2] = '\r';
        raw[OFF_CHECK_BYTES + 3] = '\n';
        b.putShort(OFF_COMPRESSION, (short) compression);
        return raw;
    }

    SparseExtentHeader withGdOffset(long gd, int newFlags, long rgd) {
        return new SparseExtentHeader(version, newFlags, capacity, grainSectors, descOffset, descSize, gtesPerGt, rgd, gd,
                overhead, compression);
    }
}
