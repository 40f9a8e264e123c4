package jvirt.net.user.stack;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import jvirt.net.GuestPort;

/**
 * The frames queued for the guest and their delivery to the NIC. Frames are built under the stack
 * lock and queued; {@link #flush} hands them to {@link GuestPort#receive} without that lock, since
 * the NIC takes its own lock there and may hold it while it calls into the NAT. One thread delivers
 * at a time, in queue order; a refused frame stays first until the NIC calls
 * {@link jvirt.net.NetBackend#receiveReady}. The queue (and frames held for ARP) is bounded in
 * frames and bytes; TCP stops producing data at half of either.
 */
public final class GuestLink {
    private static final int SMALL = 2048;
    private static final int LARGE = 14 + 0xFFFF;
    private static final int POOLED = 64;
    private final GuestPort nic;
    private final Counters counters;
    private final int maxFrames;
    private final int maxBytes;
    private final Runnable wake;
    /** Guards the queue, the pools and the budget; never held while calling out. */
    private final Object monitor = new Object();
    private final ArrayDeque<OutFrame> queue = new ArrayDeque<>();
    private final ArrayDeque<OutFrame> smallPool = new ArrayDeque<>();
    private final ArrayDeque<OutFrame> largePool = new ArrayDeque<>();
    private int frames;
    private int bytes;
    private final ReentrantLock delivering = new ReentrantLock();
    private volatile boolean blocked;
    private volatile boolean ready;
    private volatile boolean starved;

    /** {@code wake} asks the event loop for a round: to flush, and to resume starved producers. */
    public GuestLink(GuestPort nic, Counters counters, Limits limits, Runnable wake) {
        this.nic = nic;
        this.counters = counters;
        this.maxFrames = limits.pendingFrames();
        this.maxBytes = limits.pendingBytes();
        this.wake = wake;
    }

    public GuestPort nic() {
        return nic;
    }

    /** A frame of {@code length} bytes to fill, or null (counted) when the queue is full. */
    public OutFrame allocate(int length) {
        if (length > LARGE) {
            throw new IllegalArgumentException("a frame for the guest of " + length + " bytes");
        }
        OutFrame frame;
        synchronized (monitor) {
            if (frames >= maxFrames || bytes + length > maxBytes) {
                frame = null;
            } else {
                ArrayDeque<OutFrame> pool = length <= SMALL ? smallPool : largePool;
                frame = pool.pollFirst();
                if (frame == null) {
                    frame = new OutFrame(length <= SMALL ? SMALL : LARGE);
                }
                frames++;
                bytes += length;
                frame.charged = length;
            }
        }
        if (frame == null) {
            counters.add(Counter.DROPPED_TO_GUEST);
            return null;
        }
        frame.reset(length);
        return frame;
    }

    /** Queues a filled frame for delivery at the next {@link #flush}. */
    public void submit(OutFrame frame) {
        synchronized (monitor) {
            queue.addLast(frame);
        }
    }

    /** Gives back a frame that will not be sent. */
    public void release(OutFrame frame) {
        synchronized (monitor) {
            recycle(frame);
        }
    }

    /** Whether bulk data may be queued: the queue is under half its bounds. */
    public boolean hasRoomForData() {
        synchronized (monitor) {
            return frames < maxFrames / 2 && bytes < maxBytes / 2;
        }
    }

    /** A producer found no room: {@code wake} runs once the queue has drained below half. */
    public void starve() {
        starved = true;
    }

    /** The NIC has room again: clears the refusal and asks the loop to deliver. */
    public void receiveReady() {
        ready = true;
        blocked = false;
        wake.run();
    }

    /** Delivers queued frames until the queue is empty or the NIC refuses one. Never under the stack lock. */
    public void flush() {
        while (!blocked && delivering.tryLock()) {
            try {
                deliver();
            } finally {
                delivering.unlock();
            }
            // Frames queued by a thread that found us delivering are ours to send.
            synchronized (monitor) {
                if (queue.isEmpty()) {
                    break;
                }
            }
        }
        if (starved && hasRoomForData()) {
            starved = false;
            wake.run();
        }
    }

    /** Drops every queued frame (the NAT is closing). */
    public void clear() {
        synchronized (monitor) {
            OutFrame frame;
            while ((frame = queue.pollFirst()) != null) {
                recycle(frame);
            }
        }
    }

    private void deliver() {
        while (true) {
            OutFrame frame;
            synchronized (monitor) {
                frame = queue.peekFirst();
            }
            if (frame == null) {
                return;
            }
            ready = false;
            ByteBuffer buffer = frame.buffer;
            buffer.limit(frame.length).position(0);
            boolean taken;
            try {
                taken = nic.receive(buffer, frame.checksumStart, frame.checksumOffset, frame.segmentSize);
            } catch (RuntimeException e) {
                dequeue(frame);
                counters.add(Counter.DROPPED_TO_GUEST);
                throw e;
            }
            if (!taken) {
                if (ready) {
                    continue;
                }
                blocked = true;
                // receiveReady may have run between the refusal and the line above.
                if (ready) {
                    blocked = false;
                    continue;
                }
                return;
            }
            counters.add(Counter.FRAMES_TO_GUEST);
            counters.add(Counter.BYTES_TO_GUEST, frame.length);
            dequeue(frame);
        }
    }

    private void dequeue(OutFrame frame) {
        synchronized (monitor) {
            queue.pollFirst();
            recycle(frame);
        }
    }

    private void recycle(OutFrame frame) {
        frames--;
        bytes -= frame.charged;
        frame.charged = 0;
        ArrayDeque<OutFrame> pool = frame.buffer.capacity() == SMALL ? smallPool : largePool;
        if (pool.size() < POOLED) {
            pool.addLast(frame);
        }
    }
}
