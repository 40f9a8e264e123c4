package jvirt.image.vhdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import jvirt.image.InvalidImageException;

/**
 * The 64 KiB region table (at 192 KiB, a copy at 256 KiB): where the block allocation table and
 * the metadata region are. Unknown regions marked required make the image unreadable to us.
 */
final class VhdxRegionTable {
    static final int SIZE = 64 * 1024;
    static final long FIRST = 192 * 1024;
    static final long SECOND = 256 * 1024;
    static final int SIGNATURE = 0x69676572; // "regi"
    static final int MAX_ENTRIES = 2047;
    static final long MIB = 1 << 20;

    final long batOffset;
    final long batLength;
    final long metadataOffset;
    final long metadataLength;

    VhdxRegionTable(long batOffset, long batLength, long metadataOffset, long metadataLength) {
        this.batOffset = batOffset;
        this.batLength = batLength;
        this.metadataOffset = metadataOffset;
        this.metadataLength = metadataLength;
    }

    /** Whether {@code raw} has a region table's signature and a good checksum. */
    static boolean valid(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        return b.getInt(0) == SIGNATURE && b.getInt(4) == VhdxHeader.crc(raw, 4);
    }

    /** Reads a valid table; each region must be 1 MiB-aligned, inside the file, clear of the others and of {@code log}. */
    static VhdxRegionTable parse(Path path, byte[] raw, long fileSize, long logOffset, long logLength)
            throws InvalidImageException {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long count = Integer.toUnsignedLong(b.getInt(8));
        if (count > MAX_ENTRIES) {
            throw new InvalidImageException(path, "VHDX region table has " + count + " entries (at most 2047)");
        }
        long[][] seen = new long[(int) count + 2][];
        seen[0] = new long[] {0, MIB};
        seen[1] = new long[] {logOffset, logOffset + logLength};
        long bat = -1;
        long batLength = 0;
        long meta = -1;
        long metaLength = 0;
        for (int i = 0; i < count; i++) {
            int at = 16 + 32 * i;
            Guid id = Guid.read(b, at);
            long offset = b.getLong(at + 16);
            long length = Integer.toUnsignedLong(b.getInt(at + 24));
            boolean required = (b.getInt(at + 28) & 1) != 0;
            if (offset < MIB || offset % MIB != 0 || length == 0 || length % MIB != 0 || offset > fileSize
                    || length > fileSize - offset) {
                throw new InvalidImageException(path, "VHDX region " + id + " (" + length + " bytes at " + offset
                        + ") is misaligned or outside the file (" + fileSize + " bytes)");
            }
            for (int j = 0; j < i + 2; j++) {
                if (offset < seen[j][1] && offset + length > seen[j][0]) {
                    throw new InvalidImageException(path, "VHDX region at " + offset + " overlaps another region, the log or the headers");
                }
            }
            seen[i + 2] = new long[] {offset, offset + length};
            if (id.equals(Guid.BAT)) {
                if (bat >= 0) {
                    throw new InvalidImageException(path, "VHDX region table lists two block allocation tables");
                }
                bat = offset;
                batLength = length;
            } else if (id.equals(Guid.METADATA)) {
                if (meta >= 0) {
                    throw new InvalidImageException(path, "VHDX region table lists two metadata regions");
                }
                meta = offset;
                metaLength = length;
            } else if (required) {
                throw new InvalidImageException(path, "VHDX image needs a region this reader does not know (" + id + ")");
            }
        }
        if (bat < 0 || meta < 0) {
            throw new InvalidImageException(path, "VHDX region table lacks the " + (bat < 0 ? "block allocation table" : "metadata region"));
        }
        return new VhdxRegionTable(bat, batLength, meta, metaLength);
    }

    byte[] toBytes() {
        byte[] raw = new byte[SIZE];
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, SIGNATURE).putInt(8, 2);
        b.put(16, Guid.BAT.bytes()).putLong(32, batOffset).putInt(40, (int) batLength).putInt(44, 1);
        b.put(48, Guid.METADATA.bytes()).putLong(64, metadataOffset).putInt(72, (int) metadataLength).putInt(76, 1);
        b.putInt(4, VhdxHeader.crc(raw, 4));
        return raw;
    }
}
