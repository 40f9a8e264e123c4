package jvirt.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GuestMemoryTest {
    private static final long BASE = 0x80000000L;

    @Test
    void containsChecksRangesWithoutOverflow() {
        try (GuestMemory ram = new GuestMemory(BASE, 1 << 20)) {
            assertThat(ram.contains(BASE, 1 << 20)).isTrue();
            assertThat(ram.contains(BASE + (1 << 20) - 8, 8)).isTrue();
            assertThat(ram.contains(BASE + (1 << 20) - 7, 8)).isFalse();
            assertThat(ram.contains(BASE - 1, 2)).isFalse();
            assertThat(ram.contains(BASE, -1)).isFalse();
            assertThat(ram.contains(BASE + 16, Long.MAX_VALUE)).isFalse();
            assertThat(ram.contains(-1L, 2)).isFalse();
        }
    }

    @Test
    void writesReadBackAndStartZeroed() {
        try (GuestMemory ram = new GuestMemory(BASE, 1 << 20)) {
            assertThat(ram.read(BASE + 4096, 4)).containsExactly(0, 0, 0, 0);
            ram.write(BASE + 4096, new byte[] {1, 2, 3});
            assertThat(ram.read(BASE + 4096, 4)).containsExactly(1, 2, 3, 0);
            assertThatThrownBy(() -> ram.write(BASE + (1 << 20) - 1, new byte[2]))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void sizesMustBeWholePages() {
        assertThatThrownBy(() -> new GuestMemory(BASE, 4095)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GuestMemory(-4096L, 8192)).isInstanceOf(IllegalArgumentException.class);
    }
}
