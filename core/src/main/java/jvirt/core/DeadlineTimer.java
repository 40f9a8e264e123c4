package jvirt.core;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread that fires timer compare registers (RISC-V {@code mtimecmp}, {@code stimecmp}) when
 * the {@link GuestClock} reaches them, so that harts pay nothing per instruction for time.
 */
public final class DeadlineTimer implements AutoCloseable {
    /** Something with an armed deadline in clock ticks. */
    public interface Target {
        /** The armed deadline in clock ticks, or {@link Long#MAX_VALUE} when disarmed. */
        long deadline();

        /**
         * Called on the timer thread once the clock has reached {@link #deadline()}. The target
         * disarms itself (or re-arms later), or it is called again.
         */
        void expired();
    }

    private final GuestClock clock;
    private final CopyOnWriteArrayList<Target> targets = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    public DeadlineTimer(GuestClock clock) {
        this.clock = clock;
        this.thread = Thread.ofPlatform().daemon().name("jvirt-timer").unstarted(this::run);
    }

    public void add(Target target) {
        targets.add(target);
    }

    public void start() {
        thread.start();
    }

    /** Tells the timer that a target's deadline moved earlier. */
    public void reschedule() {
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!closed) {
            long now = clock.ticks();
            long next = Long.MAX_VALUE;
            for (Target target : targets) {
                long deadline = target.deadline();
                if (deadline <= now) {
                    target.expired();
                } else {
                    next = Math.min(next, deadline);
                }
            }
            long wait = clock.nanosUntil(next);
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
