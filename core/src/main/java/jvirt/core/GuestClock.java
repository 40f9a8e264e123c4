package jvirt.core;

/**
 * The guest's time base: a counter running at a fixed frequency from the host's monotonic clock
 * (RISC-V {@code mtime}, 10 MHz on the virt board). The guest may set it; it then keeps counting.
 * It stands still while the machine is paused, so a paused guest sees no time pass (QEMU's
 * {@code vm_clock}).
 */
public final class GuestClock {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long frequencyHz;
    private volatile long offsetNanos;
    /** Nanoseconds of guest time at the moment the clock was frozen; negative while it runs. */
    private volatile long frozenNanos = -1;

    public GuestClock(long frequencyHz) {
        if (frequencyHz <= 0 || frequencyHz > NANOS_PER_SECOND) {
            throw new IllegalArgumentException("clock frequency out of range: " + frequencyHz);
        }
        this.frequencyHz = frequencyHz;
        this.offsetNanos = System.nanoTime();
    }

    public long frequencyHz() {
        return frequencyHz;
    }

    /** The counter now. */
    public long ticks() {
        return toTicks(elapsedNanos());
    }

    /** Stops the counter (the machine pauses). */
    public synchronized void freeze() {
        if (frozenNanos < 0) {
            frozenNanos = System.nanoTime() - offsetNanos;
        }
    }

    /** Lets the counter go on from where it stood. */
    public synchronized void thaw() {
        long frozen = frozenNanos;
        if (frozen >= 0) {
            offsetNanos = System.nanoTime() - frozen; // before frozenNanos: a reader that sees it cleared sees this
            frozenNanos = -1;
        }
    }

    private long elapsedNanos() {
        long frozen = frozenNanos;
        return frozen >= 0 ? frozen : System.nanoTime() - offsetNanos;
    }

    /** Sets the counter to {@code ticks} now (a guest write to {@code mtime}). */
    public synchronized void setTicks(long ticks) {
        if (frozenNanos >= 0) {
            frozenNanos = toNanos(ticks);
        } else {
            offsetNanos = System.nanoTime() - toNanos(ticks);
        }
    }

    /**
     * Host nanoseconds from now until the counter reaches {@code ticks} (unsigned, like {@code
     * mtimecmp}); zero or less if already there.
     */
    public long nanosUntil(long ticks) {
        return toNanos(ticks) - elapsedNanos();
    }

    private long toTicks(long nanos) {
        // Split so that nanos * frequency cannot overflow for any uptime.
        return nanos / NANOS_PER_SECOND * frequencyHz + nanos % NANOS_PER_SECOND * frequencyHz / NANOS_PER_SECOND;
    }

    private long toNanos(long ticks) {
        if (ticks < 0 || ticks >= Long.MAX_VALUE / 2) {
            return Long.MAX_VALUE / 2; // "never": keeps callers' arithmetic from overflowing
        }
        return ticks / frequencyHz * NANOS_PER_SECOND + ticks % frequencyHz * NANOS_PER_SECOND / frequencyHz;
    }
}
