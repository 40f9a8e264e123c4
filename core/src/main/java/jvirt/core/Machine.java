package jvirt.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The lifecycle of one machine: its vCPU threads, the resources to release when it ends, and the
 * one {@link MachineExit} that ends it (the first reported wins).
 */
public final class Machine implements AutoCloseable {
    /** A vCPU: runs until {@link #stop()} is called. */
    public interface Vcpu extends Runnable {
        /** Asks the vCPU to leave {@link #run()} soon; called from another thread. */
        void stop();

        /** The vCPU's architectural state as text, for fault reports. */
        String describe();

        /**
         * Asks the vCPU to call {@link Machine#pausePoint()} soon, between instructions, even
         * from a wait for interrupt; called from another thread.
         */
        void attend();
    }

    private final List<Vcpu> vcpus = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final AtomicReference<MachineExit> exit = new AtomicReference<>();
    private final CountDownLatch exited = new CountDownLatch(1);
    private final AtomicInteger halted = new AtomicInteger();
    private final Object pauseLock = new Object();
    private volatile boolean paused;
    private int parked; // vCPUs held in pausePoint(), under pauseLock

    /** Adds a vCPU; it starts with {@link #start()}. */
    public void addVcpu(Vcpu vcpu) {
        vcpus.add(vcpu);
    }

    /** Registers something to close when the machine closes (closed in reverse order). */
    public <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Starts one platform thread per vCPU. An exception escaping a vCPU ends the machine with a fault. */
    public void start() {
        for (int i = 0; i < vcpus.size(); i++) {
            Vcpu vcpu = vcpus.get(i);
            Thread thread = Thread.ofPlatform().name("jvirt-vcpu" + i).unstarted(() -> {
                try {
                    vcpu.run();
                } catch (Throwable t) {
                    String state;
                    try {
                        state = vcpu.describe();
                    } catch (RuntimeException e) {
                        state = "(state unavailable: " + e + ")";
                    }
                    exit(new MachineExit.Fault("emulator fault on " + Thread.currentThread().getName() + ": " + t
                            + System.lineSeparator() + state));
                }
            });
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    /** Ends the machine; the first exit reported is the one that counts. */
    public void exit(MachineExit why) {
        if (exit.compareAndSet(null, why)) {
            vcpus.forEach(Vcpu::stop);
            synchronized (pauseLock) {
                pauseLock.notifyAll(); // a paused machine ends too
            }
            exited.countDown();
        }
    }

    /**
     * Holds every vCPU between instructions and returns once all are held (or halted for good,
     * or the machine is ending), as QEMU's {@code stop}. Devices go on; what they signal waits.
     */
    public void pause() throws InterruptedException {
        synchronized (pauseLock) {
            paused = true;
        }
        vcpus.forEach(Vcpu::attend);
        synchronized (pauseLock) {
            while (paused && parked + halted.get() < threads.size() && !exiting()) {
                pauseLock.wait();
            }
        }
    }

    /** Lets paused vCPUs go on. */
    public void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    /** Whether the machine is paused (or being paused). */
    public boolean paused() {
        return paused;
    }

    /** Called by a vCPU's own thread when asked to attend: holds it there while the machine is paused. */
    public void pausePoint() {
        if (!paused) {
            return;
        }
        boolean interrupted = false;
        synchronized (pauseLock) {
            parked++;
            pauseLock.notifyAll();
            while (paused && !exiting()) {
                try {
                    pauseLock.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // kept for the thread's owner; a pause is left only by resume or exit
                }
            }
            parked--;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A vCPU has stopped for good (a RISC-V hart in WFI with every interrupt disabled). When the
     * last one does, the machine ends with a fault describing the last.
     */
    public void vcpuHalted(Supplier<String> state) {
        if (halted.incrementAndGet() == vcpus.size()) {
            exit(new MachineExit.Fault("every CPU has halted with interrupts disabled; the guest cannot continue"
                    + System.lineSeparator() + state.get()));
        }
    }

    /** Whether an exit has been reported. */
    public boolean exiting() {
        return exit.get() != null;
    }

    /** Blocks until the machine ends and returns why. */
    public MachineExit awaitExit() throws InterruptedException {
        exited.await();
        return exit.get();
    }

    /** Stops the vCPUs, waits for their threads and releases resources. */
    @Override
    public void close() {
        exit(new MachineExit.Quit());
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception ignored) {
                // Closing is best effort: the machine is gone either way.
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
