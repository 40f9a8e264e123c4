package jvirt.virtio;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What every device does the same way: remember its transport and queues between activation and
 * reset, serve chains under one lock (so a reset waits for the request in progress and nothing
 * touches guest memory after it), interrupt the driver when the queue says so, and stop at the
 * first protocol violation.
 */
public abstract class AbstractVirtioDevice implements VirtioDevice {
    /** Serves one chain; returns how many bytes it wrote into the chain's writable part. */
    @FunctionalInterface
    protected interface ChainHandler {
        long handle(DescriptorChain chain) throws VirtqueueException;
    }

    /** Held while the device uses its queues. */
    protected final ReentrantLock lock = new ReentrantLock();
    private Transport transport;
    private List<Virtqueue> queues;
    /** What the driver accepted, 0 while inactive: fixed from FEATURES_OK on, so read without the lock. */
    private volatile long features;

    @Override
    public final void activate(Transport t, List<Virtqueue> qs) {
        lock.lock();
        try {
            transport = t;
            queues = qs;
            features = t.negotiatedFeatures();
        } finally {
            lock.unlock();
        }
        activated();
    }

    /** Called after activation, without the lock: a device with work waiting starts it here. */
    protected void activated() {
    }

    @Override
    public final void reset() {
        lock.lock();
        try {
            transport = null;
            queues = null;
            features = 0;
            deactivated();
        } finally {
            lock.unlock();
        }
    }

    /** Called by {@link #reset} with the lock held, the queues forgotten: a device with per-driver state drops it here. */
    protected void deactivated() {
    }

    /** Whether the driver has activated the device and it has not failed. Call with the lock held. */
    protected final boolean active() {
        return transport != null;
    }

    /** Serves every available chain of queue {@code q}. Call with the lock held. */
    protected final void serve(int q, ChainHandler handler) {
        DescriptorChain chain;
        while ((chain = take(q)) != null) {
            try {
                give(q, chain, handler.handle(chain));
            } catch (VirtqueueException e) {
                failed(e);
            }
        }
    }

    /** The next available chain of queue {@code q}, or {@code null}. Call with the lock held. */
    protected final DescriptorChain take(int q) {
        if (transport == null) {
            return null;
        }
        try {
            return queues.get(q).pop();
        } catch (VirtqueueException e) {
            failed(e);
            return null;
        }
    }

    /** Returns a chain to the driver and interrupts it if it wants. Call with the lock held. */
    protected final void give(int q, DescriptorChain chain, long written) {
        if (transport == null) {
            return;
        }
        Virtqueue queue = queues.get(q);
        queue.push(chain, written);
        if (queue.needsInterrupt()) {
            transport.usedBuffers();
        }
    }

    /**
     * Gives back several chains that carry one message (a packet in mergeable receive buffers):
     * the driver sees them all at once, then the interrupt if it wants one. Call with the lock held.
     */
    protected final void giveAll(int q, List<DescriptorChain> chains, long[] written) {
        if (transport == null) {
            return;
        }
        Virtqueue queue = queues.get(q);
        for (int i = 0; i < chains.size(); i++) {
            queue.fill(chains.get(i), written[i]);
        }
        queue.publish();
        if (queue.needsInterrupt()) {
            transport.usedBuffers();
        }
    }

    /**
     * Puts the last {@code count} chains taken from queue {@code q} back untouched; true when the
     * driver added chains meanwhile (try again), false when its next addition will notify. Call
     * with the lock held.
     */
    protected final boolean untake(int q, int count) {
        return transport != null && queues.get(q).unpop(count);
    }

    /** The features the driver accepted; 0 before activation, after a reset or a protocol violation. */
    protected final long negotiated() {
        return features;
    }

    /** The driver broke the protocol: report it and serve nothing more until a reset. Call with the lock held. */
    protected final void failed(VirtqueueException e) {
        transport.fail(e.getMessage());
        transport = null;
        queues = null;
        features = 0;
    }
}
