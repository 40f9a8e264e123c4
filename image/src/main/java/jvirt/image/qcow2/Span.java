package jvirt.image.qcow2;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A caller's buffers (one segment, or the pages of a scattered request) seen as one run of
 * bytes that can be cut into pieces without copying: a request is split at cluster boundaries
 * and each piece goes to the file, the backing image or a fill as it is.
 */
final class Span {
    private final List<MemorySegment> parts;
    private final long length;

    private Span(List<MemorySegment> parts, long length) {
        this.parts = parts;
        this.length = length;
    }

    static Span of(MemorySegment segment) {
        return new Span(List.of(segment), segment.byteSize());
    }

    static Span of(List<MemorySegment> segments) {
        long length = 0;
        for (MemorySegment s : segments) {
            length += s.byteSize();
        }
        return new Span(List.copyOf(segments), length);
    }

    long length() {
        return length;
    }

    /** The segments covering {@code [from, from + n)}. */
    List<MemorySegment> slice(long from, long n) {
        if (parts.size() == 1) {
            return List.of(parts.getFirst().asSlice(from, n));
        }
        List<MemorySegment> out = new ArrayList<>();
        long at = 0;
        for (MemorySegment p : parts) {
            long size = p.byteSize();
            long start = Math.max(from, at);
            long end = Math.min(from + n, at + size);
            if (start < end) {
                out.add(p.asSlice(start - at, end - start));
            }
            at += size;
            if (at >= from + n) {
                break;
            }
        }
        return out;
    }

    void fill(long from, long n) {
        for (MemorySegment s : slice(from, n)) {
            s.fill((byte) 0);
        }
    }

    /** Copies {@code n} bytes of {@code source} from {@code sourceOffset} into this span at {@code from}. */
    void copyFrom(MemorySegment source, long sourceOffset, long from, long n) {
        for (MemorySegment s : slice(from, n)) {
            MemorySegment.copy(source, sourceOffset, s, 0, s.byteSize());
            sourceOffset += s.byteSize();
        }
    }
}
