package jvirt.virt.device;

import jvirt.core.DeadlineTimer;
import jvirt.core.GuestClock;
import jvirt.core.InterruptLine;
import jvirt.core.MmioDevice;

/**
 * Google's Goldfish real-time clock ({@code google,goldfish-rtc}): wall-clock nanoseconds since
 * the Unix epoch, settable by the guest, with one alarm. Reading {@code TIME_LOW} latches the high
 * half for the following {@code TIME_HIGH} read.
 */
public final class GoldfishRtc implements MmioDevice, DeadlineTimer.Target {
    public static final long SIZE = 0x1000;
    private static final int TIME_LOW = 0x00;
    private static final int TIME_HIGH = 0x04;
    private static final int ALARM_LOW = 0x08;
    private static final int ALARM_HIGH = 0x0C;
    private static final int IRQ_ENABLED = 0x10;
    private static final int CLEAR_ALARM = 0x14;
    private static final int ALARM_STATUS = 0x18;
    private static final int CLEAR_INTERRUPT = 0x1C;

    private final InterruptLine irq;
    private final GuestClock clock;
    private final DeadlineTimer timer;
    private long offsetNanos;
    private long latchedHigh;
    private long alarmHigh;
    private long alarmNanos = -1;
    private boolean irqEnabled;
    private boolean interrupt;
    private volatile long deadline = Long.MAX_VALUE;

    public GoldfishRtc(InterruptLine irq, GuestClock clock, DeadlineTimer timer) {
        this.irq = irq;
        this.clock = clock;
        this.timer = timer;
        timer.add(this);
    }

    private long now() {
        return System.currentTimeMillis() * 1_000_000L + offsetNanos;
    }

    @Override
    public synchronized long read(long offset, int size) {
        return switch ((int) offset) {
            case TIME_LOW -> {
                long t = now();
                latchedHigh = t >>> 32;
                yield t & 0xFFFFFFFFL;
            }
            case TIME_HIGH -> latchedHigh;
            case ALARM_LOW -> alarmNanos < 0 ? 0 : alarmNanos & 0xFFFFFFFFL;
            case ALARM_HIGH -> alarmNanos < 0 ? 0 : alarmNanos >>> 32;
            case IRQ_ENABLED -> irqEnabled ? 1 : 0;
            case ALARM_STATUS -> alarmNanos >= 0 ? 1 : 0;
            default -> 0;
        };
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        long v = value & 0xFFFFFFFFL;
        switch ((int) offset) {
            case TIME_LOW -> offsetNanos += (latchedHigh << 32 | v) - now();
            case TIME_HIGH -> latchedHigh = v;
            case ALARM_HIGH -> alarmHigh = v;
            case ALARM_LOW -> arm(alarmHigh << 32 | v);
            case IRQ_ENABLED -> {
                irqEnabled = (v & 1) != 0;
                irq.set(interrupt && irqEnabled);
            }
            case CLEAR_ALARM -> {
                alarmNanos = -1;
                deadline = Long.MAX_VALUE;
            }
            case CLEAR_INTERRUPT -> {
                interrupt = false;
                irq.set(false);
            }
            default -> {
                // Read-only or unknown.
            }
        }
    }

    private void arm(long atNanos) {
        alarmNanos = atNanos;
        long wait = atNanos - now();
        if (wait <= 0) {
            fire();
            return;
        }
        // The timer thread counts guest clock ticks; convert the wall-clock wait.
        deadline = clock.ticks() + Math.max(1, wait / 1_000_000_000L * clock.frequencyHz()
                + wait % 1_000_000_000L * clock.frequencyHz() / 1_000_000_000L);
        timer.reschedule();
    }

    private void fire() {
        alarmNanos = -1;
        deadline = Long.MAX_VALUE;
        interrupt = true;
        irq.set(irqEnabled);
    }

    @Override
    public long deadline() {
        return deadline;
    }

    @Override
    public synchronized void expired() {
        if (deadline != Long.MAX_VALUE) {
            fire();
        }
    }
}
