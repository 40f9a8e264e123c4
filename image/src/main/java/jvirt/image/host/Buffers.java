package jvirt.image.host;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A request's caller segments seen as one run of bytes: slices of it as buffers, filled or
 * drained with one host call per contiguous piece of the image file. The formats of other
 * hypervisors share it.
 */
public final class Buffers {
    private Buffers() {
    }

    public static long total(List<MemorySegment> parts) {
        long total = 0;
        for (MemorySegment p : parts) {
            total += p.byteSize();
        }
        return total;
    }

    /** The buffers that cover {@code [from, from + length)} of the segments laid end to end. */
    public static ByteBuffer[] slice(List<MemorySegment> parts, long from, long length) {
        int first = 0;
        long skip = from;
        while (first < parts.size() && skip >= parts.get(first).byteSize()) {
            skip -= parts.get(first).byteSize();
            first++;
        }
        int count = 0;
        long left = length;
        long s = skip;
        for (int i = first; i < parts.size() && left > 0; i++) {
            left -= Math.min(left, parts.get(i).byteSize() - s);
            s = 0;
            count++;
        }
        ByteBuffer[] out = new ByteBuffer[count];
        left = length;
        s = skip;
        for (int i = 0; i < count; i++) {
            MemorySegment p = parts.get(first + i);
            long n = Math.min(left, p.byteSize() - s);
            out[i] = p.asSlice(s, n).asByteBuffer();
            left -= n;
            s = 0;
        }
        return out;
    }

    public static void zero(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            MemorySegment.ofBuffer(b).fill((byte) 0);
        }
    }

    /** Fills the buffers from the file at {@code position}: one positional read, or one readv; past the end, zeros. */
    public static void read(HostFile file, long position, ByteBuffer[] buffers) throws IOException {
        file.read(segments(buffers), position);
    }

    /** Writes the buffers to the file at {@code position}: one positional write, or one writev. */
    public static void write(HostFile file, long position, ByteBuffer[] buffers) throws IOException {
        file.write(segments(buffers), position);
    }

    private static List<MemorySegment> segments(ByteBuffer[] buffers) {
        List<MemorySegment> list = new java.util.ArrayList<>(buffers.length);
        for (ByteBuffer b : buffers) {
            list.add(MemorySegment.ofBuffer(b));
        }
        return list;
    }

    /** Makes {@code [offset, offset + length)} of the file read as zeros: a hole where the host can, else written zeros. */
    public static void zeroHost(HostFile file, long offset, long length) throws IOException {
        zeroHost(file, offset, length, true);
    }

    /** Zeros a range of the file, freeing its space first when {@code unmap}, else keeping it allocated where the host can. */
    public static void zeroHost(HostFile file, long offset, long length, boolean unmap) throws IOException {
        if (length <= 0 || (unmap && file.punchHole(offset, length)) || file.zeroRange(offset, length)) {
            return;
        }
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(1 << 20, length));
        for (long done = 0; done < length; done += zeros.capacity()) {
            file.write(zeros.clear().limit((int) Math.min(zeros.capacity(), length - done)), offset + done);
        }
    }
}
