package jvirt.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GuestClockTest {
    @Test
    void countsAtItsFrequencyAndCanBeSet() throws InterruptedException {
        GuestClock clock = new GuestClock(10_000_000);
        long a = clock.ticks();
        Thread.sleep(20);
        long b = clock.ticks();
        assertThat(b - a).isGreaterThanOrEqualTo(200_000); // at least 20 ms at 10 MHz
        clock.setTicks(1L << 40);
        assertThat(clock.ticks()).isBetween(1L << 40, (1L << 40) + 10_000_000);
        assertThat(clock.nanosUntil((1L << 40) + 10_000_000)).isBetween(0L, 1_000_000_000L);
    }

    @Test
    void farDeadlinesDoNotOverflow() {
        GuestClock clock = new GuestClock(10_000_000);
        assertThat(clock.nanosUntil(Long.MAX_VALUE)).isPositive();
        assertThat(clock.nanosUntil(-1)).isPositive(); // mtimecmp = all ones: never
    }

    @Test
    void standsStillWhileFrozenAndGoesOnFromThere() throws InterruptedException {
        GuestClock clock = new GuestClock(10_000_000);
        clock.freeze();
        long frozen = clock.ticks();
        Thread.sleep(30);
        assertThat(clock.ticks()).isEqualTo(frozen);
        long until = clock.nanosUntil(frozen + 10_000); // 1 ms of guest time ahead, however long the pause
        assertThat(until).isBetween(900_000L, 1_000_000L);
        Thread.sleep(10);
        assertThat(clock.nanosUntil(frozen + 10_000)).isEqualTo(until);
        clock.thaw();
        long after = clock.ticks();
        assertThat(after - frozen).isBetween(0L, 200_000L); // well under the 30 ms that passed while frozen
        Thread.sleep(5);
        assertThat(clock.ticks()).isGreaterThan(after);
    }
}
