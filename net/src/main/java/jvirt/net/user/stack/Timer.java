package jvirt.net.user.stack;

import java.util.function.LongConsumer;

/** One deadline in a {@link TimerQueue}; its action gets the time it ran at (milliseconds). */
public final class Timer {
    final LongConsumer action;
    long deadline;
    int index = -1;

    public Timer(LongConsumer action) {
        this.action = action;
    }

    public boolean isScheduled() {
        return index >= 0;
    }
}
