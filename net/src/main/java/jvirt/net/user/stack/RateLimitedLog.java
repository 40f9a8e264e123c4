package jvirt.net.user.stack;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One-line warnings, at most one per kind every ten seconds, so a guest hammering a limit cannot
 * flood the host's log; a line says how many of its kind were held back before it.
 */
public final class RateLimitedLog {
    private static final long INTERVAL_NANOS = 10_000_000_000L;
    private final Consumer<String> sink;
    private final Map<String, long[]> kinds = new HashMap<>();

    public RateLimitedLog(Consumer<String> sink) {
        this.sink = sink;
    }

    /** Logs {@code message} unless a line of the same {@code kind} went out in the last ten seconds. */
    public void warn(String kind, String message) {
        long now = System.nanoTime();
        String line;
        synchronized (this) {
            long[] state = kinds.computeIfAbsent(kind, k -> new long[] {now - INTERVAL_NANOS, 0});
            if (now - state[0] < INTERVAL_NANOS) {
                state[1]++;
                return;
            }
            line = state[1] == 0 ? message : message + " (" + state[1] + " more like it since the last report)";
            state[0] = now;
            state[1] = 0;
        }
        sink.accept(line);
    }
}
