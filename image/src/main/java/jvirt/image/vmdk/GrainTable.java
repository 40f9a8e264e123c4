package jvirt.image.vmdk;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One grain table: for each of its grains, the sector where the grain lies in the extent file
 * (0: not allocated; 1 with the zeroed-grain feature: reads as zeros). Little-endian 32-bit entries.
 */
final class GrainTable {
    static final int ZEROED = 1;

    final int[] entries;
    boolean dirty;

    GrainTable(int size) {
        entries = new int[size];
    }

    static GrainTable of(ByteBuffer raw, int size) {
        GrainTable t = new GrainTable(size);
        raw.order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < size; i++) {
            t.entries[i] = raw.getInt();
        }
        return t;
    }

    /** The table as the file stores it, padded to whole sectors. */
    ByteBuffer toBytes() {
        int bytes = (entries.length * 4 + 511) / 512 * 512;
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int e : entries) {
            b.putInt(e);
        }
        return b.clear();
    }

    boolean empty() {
        for (int e : entries) {
            if (e != 0) {
                return false;
            }
        }
        return true;
    }
}
