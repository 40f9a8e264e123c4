package jvirt.image.vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jvirt.image.InvalidImageException;

/**
 * The 1024-byte dynamic disk header of a dynamic or differencing VHD (cookie {@code cxsparse}):
 * where the block allocation table is, how many entries it has and the block size. Big-endian,
 * with its own checksum.
 */
final class DynamicDiskHeader {
    static final int SIZE = 1024;
    static final int OFF_DATA_OFFSET = 8;
    static final int OFF_TABLE_OFFSET = 16;
    static final int OFF_VERSION = 24;
    static final int OFF_MAX_ENTRIES = 28;
    static final int OFF_BLOCK_SIZE = 32;
    static final int OFF_CHECKSUM = 36;
    static final int DEFAULT_BLOCK_SIZE = 2 << 20;
    static final long MAX_BLOCK_SIZE = 1L << 28;

    final long tableOffset;
    final long maxTableEntries;
    final long blockSize;

    private DynamicDiskHeader(long tableOffset, long maxTableEntries, long blockSize) {
        this.tableOffset = tableOffset;
        this.maxTableEntries = maxTableEntries;
        this.blockSize = blockSize;
    }

    static DynamicDiskHeader parse(Path path, byte[] raw) throws InvalidImageException {
        if (!new String(raw, 0, 8, StandardCharsets.ISO_8859_1).equals("cxsparse")) {
            throw new InvalidImageException(path, "VHD dynamic disk header is missing (no cxsparse cookie)");
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        if (VhdFooter.checksum(raw, OFF_CHECKSUM) != b.getInt(OFF_CHECKSUM)) {
            throw new InvalidImageException(path, "VHD dynamic disk header checksum is wrong (the header is damaged)");
        }
        long blockSize = Integer.toUnsignedLong(b.getInt(OFF_BLOCK_SIZE));
        if (blockSize < 512 || blockSize > MAX_BLOCK_SIZE || Long.bitCount(blockSize) != 1) {
            throw new InvalidImageException(path, "VHD block size " + blockSize + " is not a power of two from 512 to "
                    + MAX_BLOCK_SIZE);
        }
        return new DynamicDiskHeader(b.getLong(OFF_TABLE_OFFSET), Integer.toUnsignedLong(b.getInt(OFF_MAX_ENTRIES)),
                blockSize);
    }

    static byte[] create(long tableOffset, int entries, int blockSize) {
        byte[] raw = new byte[SIZE];
        ByteBuffer b = ByteBuffer.wrap(raw);
        b.put(0, "cxsparse".getBytes(StandardCharsets.ISO_8859_1));
        b.putLong(OFF_DATA_OFFSET, -1L); // MS tools want all 64 bits set, whatever the spec says
        b.putLong(OFF_TABLE_OFFSET, tableOffset);
        b.putInt(OFF_VERSION, 0x00010000);
        b.putInt(OFF_MAX_ENTRIES, entries);
        b.putInt(OFF_BLOCK_SIZE, blockSize);
        b.putInt(OFF_CHECKSUM, VhdFooter.checksum(raw, OFF_CHECKSUM));
        return raw;
    }
}
