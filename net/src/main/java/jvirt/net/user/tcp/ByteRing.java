package jvirt.net.user.tcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * A byte queue in a circular array that grows by doubling while it fills, up to a limit. The first
 * {@link #FLOOR} bytes are every connection's own; beyond that a ring {@link #reserve reserves}
 * from the {@link BufferBudget} before it may hold more, and gives it back when it closes. The
 * array itself is allocated on first use. Guarded by the stack lock.
 */
final class ByteRing {
    static final int FLOOR = 32 * 1024;
    private static final int INITIAL = 16 * 1024;
    private final BufferBudget budget;
    private final int limit;
    private byte[] data;
    private final ByteBuffer[] views = new ByteBuffer[2];
    private int head;
    private int size;
    private final int floor;
    private int reserved;

    ByteRing(BufferBudget budget, int limit) {
        this.budget = budget;
        this.limit = limit;
        this.floor = Math.min(FLOOR, limit);
        this.reserved = floor;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** How many bytes the ring may hold now: its floor plus what it reserved. */
    int reserved() {
        return reserved;
    }

    /** Raises the reservation toward {@code bytes} (at most the limit) as far as the budget allows; returns it. */
    int reserve(int bytes) {
        int target = Math.min(bytes, limit);
        if (target > reserved) {
            reserved += budget.grant(target - reserved);
        }
        return reserved;
    }

    /** Whether another byte may be read in without exceeding the reservation (growing it if the budget allows). */
    boolean hasRoom() {
        return size < reserved || size < reserve(reserved * 2);
    }

    /** Appends {@code [offset, offset + length)} of {@code source}; the caller keeps within the reservation. */
    void put(ByteBuffer source, int offset, int length) {
        if (length == 0) {
            return;
        }
        ensureCapacity(size + length);
        int mask = data.length - 1;
        int tail = (head + size) & mask;
        int first = Math.min(length, data.length - tail);
        source.get(offset, data, tail, first);
        source.get(offset + first, data, 0, length - first);
        size += length;
    }

    /** Copies {@code length} bytes from {@code from} bytes past the head into {@code target} at {@code at}. */
    void copyTo(int from, ByteBuffer target, int at, int length) {
        int mask = data.length - 1;
        int start = (head + from) & mask;
        int first = Math.min(length, data.length - start);
        target.put(at, data, start, first);
        target.put(at + first, data, 0, length - first);
    }

    /** Drops {@code n} bytes from the head. */
    void discard(int n) {
        size -= n;
        head = size == 0 ? 0 : (head + n) & (data.length - 1);
    }

    /**
     * Reads what the channel has into the free space, doubling the array (within the reservation,
     * growing that if the budget allows) when the previous read filled it. Returns the bytes read,
     * -1 at end of stream, 0 when there is no room.
     */
    int readFrom(ScatteringByteChannel channel) throws IOException {
        if (data == null || size == data.length) {
            int want = data == null ? INITIAL : data.length * 2;
            if (want > reserved) {
                reserve(want);
            }
            ensureCapacity(Math.min(want, reserved));
            if (size == data.length) {
                return 0;
            }
        }
        int mask = data.length - 1;
        int tail = (head + size) & mask;
        int room = Math.min(data.length, reserved) - size;
        if (room <= 0) {
            return 0;
        }
        int first = Math.min(room, data.length - tail);
        views[0].limit(tail + first).position(tail);
        views[1].limit(room - first).position(0);
        long n = channel.read(views, 0, room > first ? 2 : 1);
        if (n > 0) {
            size += (int) n;
        }
        return (int) n;
    }

    /** Writes from the head what the channel takes; returns how many bytes went. */
    int writeTo(GatheringByteChannel channel) throws IOException {
        if (size == 0) {
            return 0;
        }
        int first = Math.min(size, data.length - head);
        views[0].limit(head + first).position(head);
        views[1].limit(size - first).position(0);
        long n = channel.write(views, 0, size > first ? 2 : 1);
        discard((int) n);
        return (int) n;
    }

    /** Gives the reservation back and drops the array. */
    void release() {
        budget.release(reserved - floor);
        reserved = floor;
        data = null;
        size = 0;
        head = 0;
    }

    private void ensureCapacity(int needed) {
        if (data != null && needed <= data.length) {
            return;
        }
        int capacity = Math.max(INITIAL, Integer.highestOneBit(Math.max(1, needed - 1)) << 1);
        byte[] grown = new byte[capacity];
        if (data != null && size > 0) {
            int first = Math.min(size, data.length - head);
            System.arraycopy(data, head, grown, 0, first);
            System.arraycopy(data, 0, grown, first, size - first);
        }
        data = grown;
        head = 0;
        views[0] = ByteBuffer.wrap(grown);
        views[1] = ByteBuffer.wrap(grown);
    }
}
