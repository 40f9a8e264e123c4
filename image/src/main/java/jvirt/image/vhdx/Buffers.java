package jvirt.image.vhdx;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import jvirt.image.host.HostFile;

/**
 * A request's caller segments seen as one run of bytes: slices of it as buffers, filled or
 * drained with one host call per contiguous piece of the image file.
 */
final class Buffers {
    private Buffers() {
    }

    static long total(List<MemorySegment> parts) {
        long total = 0;
        for (MemorySegment p : parts) {
            total += p.byteSize();
        }
        return total;
    }

    /** The buffers that cover {@code [from, from + length)} of the segments laid end to end. */
    static ByteBuffer[] slice(List<MemorySegment> parts, long from, long length) {
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

    static void zero(ByteBuffer[] buffers) {
        for (ByteBuffer b : buffers) {
            MemorySegment.ofBuffer(b).fill((byte) 0);
        }
    }

    /** Fills the buffers from the file at {@code position}: one positional read, or one readv; past the end, zeros. */
    static void read(HostFile file, long position, ByteBuffer[] buffers) throws IOException {
        if (buffers.length == 1) {
            file.read(buffers[0], position);
            return;
        }
        file.channel().position(position);
        long want = remaining(buffers);
        long done = 0;
        while (done < want) {
            long n = file.channel().read(buffers);
            if (n < 0) {
                for (ByteBuffer b : buffers) {
                    while (b.hasRemaining()) {
                        b.put((byte) 0);
                    }
                }
                return;
            }
            done += n;
        }
    }

    /** Writes the buffers to the file at {@code position}: one positional write, or one writev. */
    static void write(HostFile file, long position, ByteBuffer[] buffers) throws IOException {
        if (buffers.length == 1) {
            file.write(buffers[0], position);
            return;
        }
        file.channel().position(position);
        long want = remaining(buffers);
        long done = 0;
        while (done < want) {
            done += file.channel().write(buffers);
        }
    }

    private static long remaining(ByteBuffer[] buffers) {
        long n = 0;
        for (ByteBuffer b : buffers) {
            n += b.remaining();
        }
        return n;
    }

    /** Makes {@code [offset, offset + length)} of the file read as zeros: a hole where the host can, else written zeros. */
    static void zeroHost(HostFile file, long offset, long length) throws IOException {
        zeroHost(file, offset, length, true);
    }

    /** Zeros a range of the file, freeing its space first when {@code unmap}, else keeping it allocated where the host can. */
    static void zeroHost(HostFile file, long offset, long length, boolean unmap) throws IOException {
        if (length <= 0 || (unmap && file.punchHole(offset, length)) || file.zeroRange(offset, length)) {
            return;
        }
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(1 << 20, length));
        for (long done = 0; done < length; done += zeros.capacity()) {
            file.write(zeros.clear().limit((int) Math.min(zeros.capacity(), length - done)), offset + done);
        }
    }
}
