package jvirt.image.qcow2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The feature name table header extension: a name for every feature bit, so that a program
 * that does not know a feature can still name it. jvirt writes the table QEMU writes.
 */
final class FeatureNames {
    private static final int ENTRY = 48;
    private static final Object[][] FEATURES = {
        {0, 0, "dirty bit"}, {0, 1, "corrupt bit"}, {0, 2, "external data file"}, {0, 3, "compression type"},
        {0, 4, "extended L2 entries"}, {1, 0, "lazy refcounts"}, {2, 0, "bitmaps"}, {2, 1, "raw external data"},
    };
    static final byte[] TABLE = table();

    private FeatureNames() {
    }

    private static byte[] table() {
        ByteBuffer b = ByteBuffer.allocate(FEATURES.length * ENTRY);
        for (int i = 0; i < FEATURES.length; i++) {
            b.put(i * ENTRY, (byte) (int) (Integer) FEATURES[i][0]).put(i * ENTRY + 1, (byte) (int) (Integer) FEATURES[i][1]);
            b.put(i * ENTRY + 2, ((String) FEATURES[i][2]).getBytes(StandardCharsets.US_ASCII));
        }
        return b.array();
    }
}
