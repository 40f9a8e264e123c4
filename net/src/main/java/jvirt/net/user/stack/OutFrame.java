package jvirt.net.user.stack;

import java.nio.ByteBuffer;

/**
 * A frame on its way to the guest, in a pooled buffer: the bytes from 0 to {@link #length} and the
 * offload metadata {@link jvirt.net.GuestPort#receive} takes.
 */
public final class OutFrame {
    public final ByteBuffer buffer;
    public int length;
    public int checksumStart;
    public int checksumOffset;
    public int segmentSize;
    /** The bytes this frame holds of the link's budget, given back when it is recycled. */
    int charged;

    OutFrame(int capacity) {
        buffer = ByteBuffer.allocate(capacity);
    }

    void reset(int length) {
        this.length = length;
        checksumStart = -1;
        checksumOffset = 0;
        segmentSize = 0;
        buffer.clear();
    }
}
