package jvirt.virtio;

import java.util.concurrent.Semaphore;

/**
 * A device's own thread: a notification from a hart only kicks it, so the hart returns to the
 * guest at once while the device works. Kicks that arrive while the job runs make it run once
 * more, never get lost.
 */
public final class DeviceWorker implements AutoCloseable {
    private final Semaphore kicks = new Semaphore(0);
    private final Runnable job;
    private final Thread thread;
    private volatile boolean closed;

    public DeviceWorker(String name, Runnable job) {
        this.job = job;
        this.thread = Thread.ofPlatform().daemon().name(name).start(this::loop);
    }

    /** Makes the job run soon on the worker's thread. */
    public void kick() {
        if (kicks.availablePermits() == 0) {
            kicks.release();
        }
    }

    private void loop() {
        try {
            while (!closed) {
                kicks.acquire();
                kicks.drainPermits();
                if (!closed) {
                    job.run();
                }
            }
        } catch (InterruptedException e) {
            // Closed while waiting.
        }
    }

    /** Stops the thread after the job in progress, if any, finishes. */
    @Override
    public void close() {
        closed = true;
        kicks.release();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
