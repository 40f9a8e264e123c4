package jvirt.net.user.stack;

import java.util.Arrays;

/**
 * Deadlines in a binary heap: scheduling, moving and cancelling a timer are O(log n), so a TCP
 * connection can re-arm its retransmission timer on every acknowledgment. Not thread-safe: used
 * under the stack lock.
 */
public final class TimerQueue {
    private Timer[] heap = new Timer[64];
    private int size;

    /** Sets the timer to fire at {@code deadline}, scheduled or not. */
    public void schedule(Timer timer, long deadline) {
        long old = timer.deadline;
        timer.deadline = deadline;
        if (timer.index < 0) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            timer.index = size;
            heap[size++] = timer;
            up(timer.index);
        } else if (deadline < old) {
            up(timer.index);
        } else {
            down(timer.index);
        }
    }

    public void cancel(Timer timer) {
        int i = timer.index;
        if (i < 0) {
            return;
        }
        timer.index = -1;
        Timer last = heap[--size];
        heap[size] = null;
        if (i < size) {
            heap[i] = last;
            last.index = i;
            up(i);
            down(last.index);
        }
    }

    /** The earliest deadline, or {@link Long#MAX_VALUE} with none. */
    public long nextDeadline() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
    }

    /** Removes and returns a timer due at {@code now}, or null. */
    public Timer pollDue(long now) {
        if (size == 0 || heap[0].deadline > now) {
            return null;
        }
        Timer first = heap[0];
        cancel(first);
        return first;
    }

    private void up(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (p.deadline <= t.deadline) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    private void down(int i) {
        Timer t = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1].deadline < heap[child].deadline) {
                child++;
            }
            Timer c = heap[child];
            if (t.deadline <= c.deadline) {
                break;
            }
            heap[i] = c;
            c.index = i;
            i = child;
        }
        heap[i] = t;
        t.index = i;
    }
}
