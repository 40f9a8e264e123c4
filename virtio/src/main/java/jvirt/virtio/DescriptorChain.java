package jvirt.virtio;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jvirt.core.GuestMemory;

/**
 * One request: a chain of guest buffers, device-readable ones first, then device-writable ones,
 * each already checked to lie inside RAM. Devices see the readable part and the writable part
 * each as one byte stream, however the driver split it into buffers, and move data in place.
 */
public final class DescriptorChain {
    /** Receives the guest buffers that make up a range of a chain, as segments of RAM. */
    @FunctionalInterface
    public interface SegmentAction {
        void accept(MemorySegment part, long rangeOffset) throws IOException;
    }

    private final int head;
    private final GuestMemory memory;
    private long[] addrs = new long[4];
    private long[] lengths = new long[4];
    private int count;
    private int firstWritable;
    private long readableLength;
    private long writableLength;

    DescriptorChain(int head, GuestMemory memory) {
        this.head = head;
        this.memory = memory;
    }

    void add(long addr, long length, boolean writable) {
        if (count == addrs.length) {
            addrs = Arrays.copyOf(addrs, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        addrs[count] = addr;
        lengths[count] = length;
        count++;
        if (writable) {
            writableLength += length;
        } else {
            firstWritable = count;
            readableLength += length;
        }
    }

    /** The index of the chain's first descriptor: what the used ring reports back. */
    public int head() {
        return head;
    }

    int count() {
        return count;
    }

    /** Total bytes the device may read. */
    public long readableLength() {
        return readableLength;
    }

    /** Total bytes the device may write. */
    public long writableLength() {
        return writableLength;
    }

    /** Copies readable bytes {@code [from, from + into.length)} out (a request header, say). */
    public void read(long from, byte[] into) {
        checkRange(from, into.length, readableLength);
        try {
            forEach(0, firstWritable, from, into.length, (part, at) ->
                    MemorySegment.copy(part, ValueLayout.JAVA_BYTE, 0, into, (int) at, (int) part.byteSize()));
        } catch (IOException e) {
            throw new IllegalStateException(e); // a copy does no I/O
        }
    }

    /** Copies {@code data} into the writable bytes at {@code at}. */
    public void write(long at, byte[] data) {
        checkRange(at, data.length, writableLength);
        try {
            writable(at, data.length, (part, offset) ->
                    MemorySegment.copy(data, (int) offset, part, ValueLayout.JAVA_BYTE, 0, (int) part.byteSize()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Hands readable bytes {@code [from, from + length)} to {@code action}, buffer by buffer, in place. */
    public void readable(long from, long length, SegmentAction action) throws IOException {
        checkRange(from, length, readableLength);
        forEach(0, firstWritable, from, length, action);
    }

    /**
     * Hands writable bytes {@code [at, at + length)} to {@code action}, buffer by buffer, in place,
     * and tells the memory's write monitor (decoded code there is stale).
     */
    public void writable(long at, long length, SegmentAction action) throws IOException {
        checkRange(at, length, writableLength);
        forEach(firstWritable, count, at, length, (part, offset) -> {
            action.accept(part, offset);
            reportWritten(part);
        });
    }

    /** Readable bytes {@code [from, from + length)} as the guest buffers that hold them, in place. */
    public List<MemorySegment> readableSegments(long from, long length) {
        checkRange(from, length, readableLength);
        return segments(0, firstWritable, from, length);
    }

    /**
     * Writable bytes {@code [at, at + length)} as the guest buffers that hold them, in place. The
     * caller fills them all; they are reported to the memory's write monitor now.
     */
    public List<MemorySegment> writableSegments(long at, long length) {
        checkRange(at, length, writableLength);
        List<MemorySegment> parts = segments(firstWritable, count, at, length);
        for (MemorySegment part : parts) {
            reportWritten(part);
        }
        return parts;
    }

    /** Decoded code in a buffer the device wrote is stale: the write monitor hears of it. */
    private void reportWritten(MemorySegment part) {
        memory.monitor().written(part.address() - memory.segment().address(), part.byteSize());
    }

    private List<MemorySegment> segments(int first, int end, long from, long length) {
        List<MemorySegment> parts = new ArrayList<>(end - first);
        try {
            forEach(first, end, from, length, (part, at) -> parts.add(part));
        } catch (IOException e) {
            throw new IllegalStateException(e); // collecting does no I/O
        }
        return parts;
    }

    private void forEach(int first, int end, long from, long length, SegmentAction action) throws IOException {
        long skip = from;
        long done = 0;
        for (int i = first; i < end && done < length; i++) {
            if (skip >= lengths[i]) {
                skip -= lengths[i];
                continue;
            }
            long n = Math.min(lengths[i] - skip, length - done);
            action.accept(memory.slice(addrs[i] + skip, n), done);
            done += n;
            skip = 0;
        }
    }

    private static void checkRange(long from, long length, long limit) {
        if (from < 0 || length < 0 || from > limit || length > limit - from) {
            throw new IndexOutOfBoundsException("range " + from + "+" + length + " outside a part of " + limit + " bytes");
        }
    }
}
