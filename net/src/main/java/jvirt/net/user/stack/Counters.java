package jvirt.net.user.stack;

import java.util.concurrent.atomic.AtomicLongArray;

/** The NAT's counters and gauges, readable from any thread while the NAT runs. */
public final class Counters {
    private static final Counter[] ALL = Counter.values();
    private final AtomicLongArray values = new AtomicLongArray(ALL.length);

    public void add(Counter counter) {
        values.incrementAndGet(counter.ordinal());
    }

    public void add(Counter counter, long delta) {
        values.addAndGet(counter.ordinal(), delta);
    }

    public long get(Counter counter) {
        return values.get(counter.ordinal());
    }
}
