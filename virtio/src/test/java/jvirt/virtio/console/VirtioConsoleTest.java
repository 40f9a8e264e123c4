package jvirt.virtio.console;

import static jvirt.virtio.TestDriver.CONFIG;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import jvirt.virtio.Features;
import jvirt.virtio.TestDriver;
import jvirt.virtio.TestDriver.Buf;
import jvirt.virtio.TestDriver.DriverQueue;
import jvirt.virtio.TestDriver.Used;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** virtio-console (virtio 1.2 §5.3): port 0's receive queue 0 and transmit queue 1. */
class VirtioConsoleTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final VirtioConsole console = new VirtioConsole(out);
    private final TestDriver driver = new TestDriver(console);

    @AfterEach
    void close() {
        driver.close();
    }

    private List<DriverQueue> start() {
        return driver.start(0, 8, 8);
    }

    private void type(String s) throws InterruptedException {
        for (byte b : s.getBytes(StandardCharsets.US_ASCII)) {
            console.receive(b);
        }
    }

    private String text(Buf b, int length) {
        return new String(driver.memory.read(b.addr(), length), StandardCharsets.US_ASCII);
    }

    @Test
    void identifiesAsAConsoleWithEmergencyWrite() {
        assertThat(driver.read(TestDriver.DEVICE_ID)).isEqualTo(3);
        assertThat(driver.deviceFeatures()).isEqualTo(Features.bit(2) | Features.TRANSPORT);
        // cols, rows and max_nr_ports are unknown or unused: zero.
        assertThat(driver.transport.read(CONFIG, 8)).isZero();
        assertThat(driver.transport.read(CONFIG + 4, 4)).isZero();
    }

    @Test
    void transmittedBytesReachTheOutputStream() {
        DriverQueue tx = start().get(1);
        int head = tx.add(driver.readable("hello ".getBytes()), driver.readable("world\n".getBytes()));
        tx.kick();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("hello world\n");
        assertThat(tx.takeUsed()).containsExactly(new Used(head, 0));
    }

    @Test
    void typedInputFillsThePostedReceiveBuffers() throws InterruptedException {
        DriverQueue rx = start().get(0);
        Buf a = driver.writable(8);
        Buf b = driver.writable(8);
        rx.add(a);
        rx.add(b);
        type("hi");
        // Each byte goes to the guest as soon as it is typed, so each took a buffer.
        assertThat(rx.takeUsed()).containsExactly(new Used(0, 1), new Used(1, 1));
        assertThat(text(a, 1) + text(b, 1)).isEqualTo("hi");
        assertThat(driver.interruptStatus()).isEqualTo(1);
    }

    @Test
    void inputTypedBeforeThereAreBuffersWaitsForThem() throws InterruptedException {
        DriverQueue rx = start().get(0);
        type("abcde");
        assertThat(rx.usedIdx()).isZero();
        Buf first = driver.writable(3);
        Buf second = driver.writable(16);
        rx.add(first);
        rx.add(second);
        rx.kick();
        assertThat(rx.takeUsed()).containsExactly(new Used(0, 3), new Used(1, 2));
        assertThat(text(first, 3) + text(second, 2)).isEqualTo("abcde");
    }

    @Test
    void inputTypedBeforeDriverOkIsDeliveredWhenTheDriverIsReady() throws InterruptedException {
        type("early");
        assertThat(driver.negotiate(Features.VERSION_1)).isTrue();
        DriverQueue rx = driver.queue(0, 8);
        driver.queue(1, 8);
        Buf b = driver.writable(16);
        rx.add(b);
        driver.driverOk();
        assertThat(rx.takeUsed()).containsExactly(new Used(0, 5));
        assertThat(text(b, 5)).isEqualTo("early");
    }

    @Test
    void aTypistBlocksWhenTheInputBufferIsFullAndGoesOnWhenTheGuestReads() throws Exception {
        // Input waits in a bounded buffer (4096 bytes) until the guest offers receive buffers.
        DriverQueue rx = start().get(0);
        type("x".repeat(4096));
        Thread typist = Thread.ofPlatform().start(() -> {
            try {
                type("yz");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        TestDriver.await("the typist to block", () -> typist.getState() == Thread.State.WAITING);
        Buf big = driver.writable(4096);
        rx.add(big);
        rx.kick();
        assertThat(typist.join(Duration.ofSeconds(10))).isTrue();
        assertThat(rx.takeUsed()).containsExactly(new Used(0, 4096));
        assertThat(text(big, 4096)).isEqualTo("x".repeat(4096));
        Buf rest = driver.writable(8);
        rx.add(rest);
        rx.kick();
        assertThat(rx.takeUsed()).containsExactly(new Used(1, 2));
        assertThat(text(rest, 2)).isEqualTo("yz");
    }

    @Test
    void closingTheConsoleReleasesABlockedTypist() throws Exception {
        start();
        type("x".repeat(4096));
        Thread typist = Thread.ofPlatform().start(() -> {
            try {
                type("y");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        TestDriver.await("the typist to block", () -> typist.getState() == Thread.State.WAITING);
        console.close();
        assertThat(typist.join(Duration.ofSeconds(10))).isTrue();
        console.receive((byte) 'z'); // dropped, without blocking
    }

    @Test
    void anEmergencyWriteIsPrintedAtOnceEvenWithoutQueues() {
        // Linux writes emerg_wr as a 32-bit field; one character is printed per write.
        driver.transport.write(CONFIG + 8, 4, 'O');
        driver.transport.write(CONFIG + 8, 1, 'K');
        driver.transport.write(CONFIG + 4, 4, 'N'); // max_nr_ports: read-only
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("OK");
    }

    @Test
    void aBadReceiveChainStopsInputCleanly() throws InterruptedException {
        DriverQueue rx = start().get(0);
        rx.descriptor(0, driver.alloc(16, 16), 16, TestDriver.F_NEXT | TestDriver.F_WRITE, 0);
        rx.publish(0);
        TestDriver.Snapshot before = driver.snapshot();
        type("q"); // the typist is not the one to suffer: no exception reaches it
        assertThat(driver.needsReset()).isTrue();
        before.assertOnlyChanged(rx.usedRing());
    }
}
