package jvirt.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteMonitorTest {
    private final WriteMonitor monitor = new WriteMonitor(4 * 4096);

    @Test
    void aWriteToDecodedCodeBumpsThePageGeneration() {
        monitor.markCode(4096 + 100);
        int before = monitor.generation(1);
        monitor.stored(4096 + 96, 8, 0);
        assertThat(monitor.generation(1)).isEqualTo(before + 1);
        assertThat(monitor.flags()[1] & WriteMonitor.CODE).isZero();
    }

    @Test
    void aWriteToDataOnACodePageKeepsTheCode() {
        monitor.markCode(4096 + 100); // chunk 1: bytes 64..127
        int before = monitor.generation(1);
        monitor.stored(4096 + 128, 8, 0);
        monitor.stored(4096 + 56, 8, 0); // ends at byte 63
        monitor.written(4096 + 2048, 1024);
        assertThat(monitor.generation(1)).isEqualTo(before);
        monitor.stored(4096 + 60, 8, 0); // bytes 60..67 reach chunk 1
        assertThat(monitor.generation(1)).isEqualTo(before + 1);
    }

    @Test
    void dmaAcrossPagesInvalidatesEachPageWithCodeInRange() {
        monitor.markCode(4095);
        monitor.markCode(2 * 4096 + 4032); // chunk 63: bytes 4032..4095
        monitor.markCode(3 * 4096);
        monitor.written(4000, 2 * 4096);
        assertThat(monitor.generation(0)).isEqualTo(1);
        assertThat(monitor.generation(1)).isZero();
        assertThat(monitor.generation(2)).isZero(); // the range ends at 2 * 4096 + 3904
        assertThat(monitor.generation(3)).isZero();
    }

    @Test
    void storeHooksHearStoresInTheirRangeOnly() {
        List<Long> heard = new ArrayList<>();
        monitor.hook(8192 + 16, 8, (off, size, value) -> heard.add(value));
        monitor.stored(8192 + 8, 8, 1);
        monitor.stored(8192 + 16, 8, 2);
        monitor.stored(8192 + 20, 4, 3);
        monitor.stored(8192 + 24, 8, 4);
        assertThat(heard).containsExactly(2L, 3L);
    }
}
