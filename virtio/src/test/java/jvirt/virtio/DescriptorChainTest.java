package jvirt.virtio;

import static jvirt.virtio.TestDriver.RAM_BASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import jvirt.core.GuestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A chain's readable and writable parts, each one byte stream over however many buffers. */
class DescriptorChainTest {
    private final GuestMemory memory = new GuestMemory(RAM_BASE, 64 * 1024);

    @AfterEach
    void close() {
        memory.close();
    }

    private DescriptorChain chain() {
        memory.write(RAM_BASE + 0x100, "abc".getBytes());
        memory.write(RAM_BASE + 0x200, "defg".getBytes());
        DescriptorChain c = new DescriptorChain(7, memory);
        c.add(RAM_BASE + 0x100, 3, false);
        c.add(RAM_BASE + 0x180, 0, false); // zero-length: no bytes, no segment
        c.add(RAM_BASE + 0x200, 4, false);
        c.add(RAM_BASE + 0x300, 2, true);
        c.add(RAM_BASE + 0x400, 5, true);
        return c;
    }

    @Test
    void lengthsAddUpPerPart() {
        DescriptorChain c = chain();
        assertThat(c.head()).isEqualTo(7);
        assertThat(c.readableLength()).isEqualTo(7);
        assertThat(c.writableLength()).isEqualTo(7);
    }

    @Test
    void readsCrossBufferBoundaries() {
        byte[] into = new byte[3];
        chain().read(2, into);
        assertThat(new String(into)).isEqualTo("cde");
        byte[] all = new byte[7];
        chain().read(0, all);
        assertThat(new String(all)).isEqualTo("abcdefg");
    }

    @Test
    void writesCrossBufferBoundaries() {
        chain().write(1, "XYZ".getBytes());
        assertThat(memory.read(RAM_BASE + 0x300, 2)).containsExactly(0, 'X');
        assertThat(memory.read(RAM_BASE + 0x400, 5)).containsExactly('Y', 'Z', 0, 0, 0);
    }

    @Test
    void rangesOutsideAPartAreRefused() {
        DescriptorChain c = chain();
        assertThatThrownBy(() -> c.read(5, new byte[3])).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> c.read(-1, new byte[1])).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> c.write(7, new byte[1])).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> c.writableSegments(0, 8)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> c.readableSegments(Long.MAX_VALUE, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        // Nothing was written by the refused calls.
        assertThat(memory.read(RAM_BASE + 0x300, 2)).containsOnly(0);
    }

    @Test
    void segmentsAreTheGuestBuffersInPlace() throws IOException {
        DescriptorChain c = chain();
        List<Long> offsets = new ArrayList<>();
        c.readable(1, 5, (part, at) -> offsets.add(at));
        assertThat(offsets).containsExactly(0L, 2L);
        List<MemorySegment> parts = c.readableSegments(0, 7);
        assertThat(parts).extracting(MemorySegment::byteSize).containsExactly(3L, 4L);
        assertThat(parts.get(1).address() - memory.segment().address()).isEqualTo(0x200);

        List<MemorySegment> out = c.writableSegments(1, 6);
        assertThat(out).extracting(MemorySegment::byteSize).containsExactly(1L, 5L);
        out.get(0).fill((byte) 1);
        assertThat(memory.read(RAM_BASE + 0x300, 2)).containsExactly(0, 1);
    }

    @Test
    void writesThroughAChainInvalidateDecodedCode() throws IOException {
        // A device writing over code a hart decoded must make the hart decode it again.
        int page = 0x400 >> 12;
        memory.monitor().markCode(0x400);
        int generation = memory.monitor().generation(page);
        chain().write(2, new byte[] {1});
        assertThat(memory.monitor().generation(page)).isNotEqualTo(generation);

        memory.monitor().markCode(0x400);
        generation = memory.monitor().generation(page);
        chain().writable(0, 7, (part, at) -> part.fill((byte) 2));
        assertThat(memory.monitor().generation(page)).isNotEqualTo(generation);

        memory.monitor().markCode(0x400);
        generation = memory.monitor().generation(page);
        chain().writableSegments(0, 7);
        assertThat(memory.monitor().generation(page)).isNotEqualTo(generation);
    }
}
