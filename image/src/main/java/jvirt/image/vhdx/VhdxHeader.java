package jvirt.image.vhdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * One of the two 4 KiB VHDX headers (at 64 KiB and 128 KiB): sequence number, the GUIDs that
 * change on writes, the log's GUID, place and length. The one with the higher sequence number
 * and a good CRC-32C is current.
 */
final class VhdxHeader {
    static final int SIZE = 4096;
    static final long FIRST = 64 * 1024;
    static final long SECOND = 128 * 1024;
    static final int SIGNATURE = 0x64616568; // "head"

    final long sequence;
    final Guid fileWriteGuid;
    final Guid dataWriteGuid;
    final Guid logGuid;
    final int logVersion;
    final int version;
    final long logLength;
    final long logOffset;

    VhdxHeader(long sequence, Guid fileWriteGuid, Guid dataWriteGuid, Guid logGuid, int logVersion, int version,
               long logLength, long logOffset) {
        this.sequence = sequence;
        this.fileWriteGuid = fileWriteGuid;
        this.dataWriteGuid = dataWriteGuid;
        this.logGuid = logGuid;
        this.logVersion = logVersion;
        this.version = version;
        this.logLength = logLength;
        this.logOffset = logOffset;
    }

    /** The header in {@code raw}, or null when its signature, checksum or version is wrong. */
    static VhdxHeader parse(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != SIGNATURE || b.getInt(4) != crc(raw, 4)) {
            return null;
        }
        VhdxHeader h = new VhdxHeader(b.getLong(8), Guid.read(b, 16), Guid.read(b, 32), Guid.read(b, 48),
                Short.toUnsignedInt(b.getShort(64)), Short.toUnsignedInt(b.getShort(66)),
                Integer.toUnsignedLong(b.getInt(68)), b.getLong(72));
        return h.version == 1 ? h : null;
    }

    byte[] toBytes() {
        byte[] raw = new byte[SIZE];
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, SIGNATURE).putLong(8, sequence).put(16, fileWriteGuid.bytes()).put(32, dataWriteGuid.bytes())
                .put(48, logGuid.bytes()).putShort(64, (short) logVersion).putShort(66, (short) version)
                .putInt(68, (int) logLength).putLong(72, logOffset);
        b.putInt(4, crc(raw, 4));
        return raw;
    }

    VhdxHeader next(Guid fileWrite, Guid dataWrite, Guid log) {
        return new VhdxHeader(sequence + 1, fileWrite, dataWrite, log, logVersion, version, logLength, logOffset);
    }

    /** CRC-32C of {@code raw} with the four bytes at {@code checksumAt} taken as zeros, as VHDX computes its checksums. */
    static int crc(byte[] raw, int checksumAt) {
        CRC32C c = new CRC32C();
        c.update(raw, 0, checksumAt);
        c.update(new byte[4]);
        c.update(raw, checksumAt + 4, raw.length - checksumAt - 4);
        return (int) c.getValue();
    }
}
