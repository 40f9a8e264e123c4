package jvirt.net.user.stack;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The NAT's one thread: it waits on a selector for every host socket and on the earliest timer,
 * then handles what is ready with the stack lock held, and flushes frames for the guest after
 * releasing it. Other threads (the NIC's) may register channels, change interest and schedule
 * timers under the lock; the selector is woken only when that changes what it waits for.
 */
public final class EventLoop {
    /** What a registered channel's readiness is handed to, on the loop thread with the lock held. */
    public interface Handler {
        void ready(int readyOps);

        /** Handling failed with a bug: release the channel and whatever belongs with it. */
        void abort();
    }

    /** How many closed sockets may wait for the selector to release them before new ones are refused. */
    public static final int MAX_UNRELEASED = 128;
    /** When the loop is awake and will look at the timers again before it sleeps. */
    private static final long AWAKE = Long.MIN_VALUE;
    private final Selector selector;
    private final ReentrantLock lock;
    private final TimerQueue timers = new TimerQueue();
    private final Runnable round;
    private final Runnable flush;
    private final Consumer<RuntimeException> bug;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean roundRequested;
    /** Registered channels closed whose sockets the selector has not yet released (it does so on its next pass). */
    private final AtomicInteger unreleased = new AtomicInteger();
    /** The deadline the loop sleeps until; a timer due earlier needs a wakeup. */
    private volatile long plannedWake = AWAKE;

    /**
     * {@code round} runs under the lock on the loop thread after {@link #requestRound}; {@code flush}
     * runs without the lock after every pass; {@code bug} gets what a handler or timer threw.
     */
    public EventLoop(ReentrantLock lock, Runnable round, Runnable flush, Consumer<RuntimeException> bug) throws IOException {
        this.selector = Selector.open();
        this.lock = lock;
        this.round = round;
        this.flush = flush;
        this.bug = bug;
    }

    /** Milliseconds of a monotonic clock, the unit of every deadline. */
    public static long now() {
        return System.nanoTime() / 1_000_000;
    }

    public void start(String name) {
        running = true;
        Thread t = new Thread(this::run, name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Registers a non-blocking channel (under the lock). */
    public SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws ClosedChannelException {
        SelectionKey key = channel.register(selector, ops, handler);
        if (ops != 0 && !inLoop()) {
            selector.wakeup();
        }
        return key;
    }

    /** Sets a key's interest; wakes the loop only if the key now waits for something new. */
    public void interest(SelectionKey key, int ops) {
        if (!key.isValid()) {
            return;
        }
        int old = key.interestOps();
        if (old != ops) {
            key.interestOps(ops);
            if ((ops & ~old) != 0 && !inLoop()) {
                selector.wakeup();
            }
        }
    }

    /** Arms (or moves) a timer; under the lock. */
    public void schedule(Timer timer, long deadline) {
        timers.schedule(timer, deadline);
        if (deadline < plannedWake && !inLoop()) {
            selector.wakeup();
        }
    }

    public void cancel(Timer timer) {
        timers.cancel(timer);
    }

    /** Asks for {@code round} to run on the loop thread soon; callable from any thread without the lock. */
    public void requestRound() {
        roundRequested = true;
        if (running && !inLoop()) {
            selector.wakeup();
        }
    }

    /**
     * Notes that a registered channel was closed: NIO releases its socket only on the selector's
     * next pass, so the loop is woken, and {@link #unreleased} counts it until then.
     */
    public void closed() {
        unreleased.incrementAndGet();
        if (running && !inLoop()) {
            selector.wakeup();
        }
    }

    /**
     * Whether {@link #MAX_UNRELEASED} sockets are closed and not yet released: then no new one is
     * opened, so that a flood cannot outrun the loop and pile up descriptors.
     */
    public boolean behindOnReleases() {
        return unreleased.get() >= MAX_UNRELEASED;
    }

    /** The keys of every registered channel (under the lock, to close them). */
    public Set<SelectionKey> keys() {
        return selector.keys();
    }

    /** Stops the thread, waiting up to {@code millis}; then the selector is closed. */
    public void stop(long millis) {
        running = false;
        selector.wakeup();
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the selector, which releases the sockets of channels closed since its last pass. */
    public void closeSelector() {
        try {
            selector.close();
        } catch (IOException e) {
            bug.accept(new IllegalStateException("closing the NAT's selector failed", e));
        }
    }

    private void run() {
        try {
            while (running) {
                long timeout = pass();
                flush();
                // A selection releases the sockets of every channel closed before it began: with some
                // waiting, a quick one releases them now rather than when the next event comes.
                int closing = unreleased.get();
                if (roundRequested || !running || closing > 0) {
                    selector.selectNow();
                } else {
                    selector.select(timeout);
                }
                unreleased.addAndGet(-closing);
                plannedWake = AWAKE;
                Set<SelectionKey> ready = selector.selectedKeys();
                if (!ready.isEmpty()) {
                    dispatch(ready);
                    flush();
                }
            }
        } catch (IOException e) {
            bug.accept(new IllegalStateException("the NAT's selector failed; the network stops", e));
        } catch (RuntimeException e) {
            bug.accept(e);
        }
    }

    /** Runs due timers and a requested round; returns how long to sleep (0: until woken). */
    private long pass() {
        lock.lock();
        try {
            long now = now();
            Timer timer;
            while ((timer = timers.pollDue(now)) != null) {
                try {
                    timer.action.accept(now);
                } catch (RuntimeException e) {
                    bug.accept(e);
                }
            }
            if (roundRequested) {
                roundRequested = false;
                try {
                    round.run();
                } catch (RuntimeException e) {
                    bug.accept(e);
                }
            }
            long next = timers.nextDeadline();
            plannedWake = next;
            return next == Long.MAX_VALUE ? 0 : Math.max(1, next - now);
        } finally {
            lock.unlock();
        }
    }

    private void dispatch(Set<SelectionKey> ready) {
        lock.lock();
        try {
            for (SelectionKey key : ready) {
                Handler handler = (Handler) key.attachment();
                try {
                    if (key.isValid()) {
                        handler.ready(key.readyOps());
                    }
                } catch (CancelledKeyException e) {
                    // The handler closed its own channel while handling it: nothing is left to do.
                } catch (RuntimeException e) {
                    bug.accept(e);
                    handler.abort();
                }
            }
            ready.clear();
        } finally {
            lock.unlock();
        }
    }

    private void flush() {
        try {
            flush.run();
        } catch (RuntimeException e) {
            bug.accept(e);
        }
    }
}
