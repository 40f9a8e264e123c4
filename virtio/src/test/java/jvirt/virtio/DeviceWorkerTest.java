package jvirt.virtio;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DeviceWorkerTest {
    @Test
    void aKickRunsTheJobOnTheWorkersOwnThread() {
        AtomicReference<String> thread = new AtomicReference<>();
        try (DeviceWorker worker = new DeviceWorker("test-worker", () -> thread.set(Thread.currentThread().getName()))) {
            worker.kick();
            TestDriver.await("the job", () -> thread.get() != null);
        }
        assertThat(thread.get()).isEqualTo("test-worker");
    }

    @Test
    void kicksDuringTheJobRunItExactlyOnceMore() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        DeviceWorker worker = new DeviceWorker("test-worker", () -> {
            if (runs.incrementAndGet() == 1) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        worker.kick();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 5; i++) {
            worker.kick(); // not lost, but coalesced into one more run
        }
        release.countDown();
        TestDriver.await("the second run", () -> runs.get() >= 2);
        worker.close(); // joins: no run can follow
        assertThat(runs.get()).isEqualTo(2);
    }

    @Test
    void closeWaitsForTheRunningJobAndStopsTheThread() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        AtomicReference<Thread> thread = new AtomicReference<>();
        DeviceWorker worker = new DeviceWorker("test-worker", () -> {
            thread.set(Thread.currentThread());
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            finished.incrementAndGet();
        });
        worker.kick();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = Thread.ofPlatform().start(worker::close);
        TestDriver.await("close() to wait for the job", () -> closer.getState() == Thread.State.WAITING);
        assertThat(finished.get()).isZero();
        release.countDown();
        assertThat(closer.join(Duration.ofSeconds(10))).isTrue();
        assertThat(finished.get()).isEqualTo(1);
        assertThat(thread.get().isAlive()).isFalse();
        worker.kick(); // harmless after close
        worker.close();
        assertThat(finished.get()).isEqualTo(1);
    }
}
