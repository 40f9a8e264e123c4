package jvirt.image.qcow2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jvirt.image.InvalidImageException;
import jvirt.image.SnapshotInfo;

/**
 * One entry of the snapshot table: a frozen copy of the L1 table (sharing every L2 table and
 * data cluster with the active disk until either side writes) with its id, name and dates.
 *
 * @param extra the entry's extra data beyond the fields jvirt knows, kept as it is
 */
record Snapshot(long l1Offset, int l1Size, String id, String name, long dateSeconds, long dateNanos,
                long vmClockNanos, long vmStateSize, long diskSize, long icount, byte[] extra) {
    private static final int FIXED = 40;
    /** vm_state_size_large, disk_size, icount: the extra data QEMU writes. */
    private static final int KNOWN_EXTRA = 24;
    /** QEMU's bounds on one entry's extra data and on the whole table. */
    private static final int MAX_EXTRA = 1024;
    private static final long MAX_TABLE_BYTES = 64L << 20;

    SnapshotInfo info() {
        return new SnapshotInfo(id, name, vmStateSize, dateSeconds, dateNanos, vmClockNanos, icount, diskSize);
    }

    /** The entry's size in the table, padded to 8 bytes. */
    int encodedSize() {
        int n = FIXED + KNOWN_EXTRA + extra.length + bytes(id).length + bytes(name).length;
        return (n + 7) & ~7;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void encode(ByteBuffer b) {
        int start = b.position();
        byte[] idBytes = bytes(id);
        byte[] nameBytes = bytes(name);
        b.putLong(l1Offset).putInt(l1Size).putShort((short) idBytes.length).putShort((short) nameBytes.length)
                .putInt((int) dateSeconds).putInt((int) dateNanos).putLong(vmClockNanos)
                .putInt((int) Math.min(vmStateSize, 0xffff_ffffL)).putInt(KNOWN_EXTRA + extra.length)
                .putLong(vmStateSize).putLong(diskSize).putLong(icount).put(extra).put(idBytes).put(nameBytes);
        b.position(start + encodedSize());
    }

    /** Reads and checks the image's snapshot table. */
    static List<Snapshot> readTable(Qcow2Image image) throws IOException {
        Qcow2Header h = image.header;
        List<Snapshot> list = new ArrayList<>();
        long at = h.snapshotsOffset;
        ByteBuffer fixed = ByteBuffer.allocate(FIXED);
        for (int i = 0; i < h.nbSnapshots; i++) {
            if (at - h.snapshotsOffset > MAX_TABLE_BYTES) {
                throw new InvalidImageException(image.path, "snapshot table is larger than 64 MiB");
            }
            image.file.read(fixed.clear(), at);
            long l1Offset = fixed.getLong(0);
            int l1Size = fixed.getInt(8);
            int idSize = fixed.getShort(12) & 0xffff;
            int nameSize = fixed.getShort(14) & 0xffff;
            int extraSize = fixed.getInt(36);
            if (extraSize < 0 || extraSize > MAX_EXTRA) {
                throw new InvalidImageException(image.path, "snapshot " + i + " has " + Integer.toUnsignedString(extraSize)
                        + " bytes of extra data");
            }
            if (Integer.toUnsignedLong(l1Size) * 8 > Qcow2Header.MAX_L1_BYTES || (l1Offset & (image.clusterSize - 1)) != 0
                    || l1Offset < 0 || l1Offset >= Qcow2Image.MAX_HOST_OFFSET || (l1Size != 0 && l1Offset < image.clusterSize)) {
                throw new InvalidImageException(image.path, "snapshot " + i + " has an invalid L1 table");
            }
            ByteBuffer rest = ByteBuffer.allocate(extraSize + idSize + nameSize);
            image.file.read(rest, at + FIXED);
            rest.flip();
            long vmState = Integer.toUnsignedLong(fixed.getInt(32));
            long diskSize = h.size;
            long icount = -1;
            if (extraSize >= 8) {
                vmState = rest.getLong(0);
            }
            if (extraSize >= 16) {
                diskSize = rest.getLong(8);
            }
            if (extraSize >= 24) {
                icount = rest.getLong(16);
            }
            byte[] extra = extraSize > KNOWN_EXTRA ? Arrays.copyOfRange(rest.array(), KNOWN_EXTRA, extraSize) : new byte[0];
            String id = new String(rest.array(), extraSize, idSize, StandardCharsets.UTF_8);
            String name = new String(rest.array(), extraSize + idSize, nameSize, StandardCharsets.UTF_8);
            list.add(new Snapshot(l1Offset, l1Size, id, name, Integer.toUnsignedLong(fixed.getInt(16)),
                    Integer.toUnsignedLong(fixed.getInt(20)), fixed.getLong(24), vmState, diskSize, icount, extra));
            at += (FIXED + extraSize + idSize + nameSize + 7) & ~7L;
        }
        return list;
    }
}
