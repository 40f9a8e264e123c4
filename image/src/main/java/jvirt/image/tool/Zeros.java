package jvirt.image.tool;

import java.lang.foreign.MemorySegment;

/** Finding zeros in buffers, with the vectorized comparison {@link MemorySegment#mismatch} does. */
final class Zeros {
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[Convert.CHUNK]);

    private Zeros() {
    }

    static boolean all(MemorySegment data) {
        return first(data) < 0;
    }

    /** The offset of the first non-zero byte, or -1. */
    static long first(MemorySegment data) {
        for (long at = 0; at < data.byteSize(); at += ZEROS.byteSize()) {
            long n = Math.min(ZEROS.byteSize(), data.byteSize() - at);
            long m = data.asSlice(at, n).mismatch(ZEROS.asSlice(0, n));
            if (m >= 0) {
                return at + m;
            }
        }
        return -1;
    }
}
