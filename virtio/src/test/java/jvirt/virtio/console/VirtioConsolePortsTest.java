package jvirt.virtio.console;

import static jvirt.virtio.TestDriver.CONFIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import jvirt.virtio.Features;
import jvirt.virtio.TestDriver;
import jvirt.virtio.TestDriver.Buf;
import jvirt.virtio.TestDriver.DriverQueue;
import jvirt.virtio.TestDriver.Used;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * virtio-console with MULTIPORT (virtio 1.2 §5.3.6.2): the control queues 2/3, the handshake that
 * names port 1, and named-port data through bounded buffers with backpressure both ways. The
 * events are written out here from the spec (and Linux's drivers/char/virtio_console.c).
 */
@Timeout(60) // a blocked host reader or writer fails the test, not the build
class VirtioConsolePortsTest {
    private static final String AGENT = "org.qemu.guest_agent.0";
    private static final long MULTIPORT = Features.bit(1);
    private static final int BAD_ID = -1;
    private static final int DEVICE_READY = 0;
    private static final int DEVICE_ADD = 1;
    private static final int PORT_READY = 3;
    private static final int CONSOLE_PORT = 4;
    private static final int RESIZE = 5;
    private static final int PORT_OPEN = 6;
    private static final int PORT_NAME = 7;
    private static final int KIB = 1024;

    /** One control message as the driver reads it: the header and whatever follows it in the buffer. */
    record Msg(int id, int event, int value, String extra) {
        Msg(int id, int event, int value) {
            this(id, event, value, "");
        }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private VirtioConsole console = new VirtioConsole(out, List.of(AGENT));
    private TestDriver driver = new TestDriver(console, 4 << 20);
    private final List<Buf> controlBuffers = new ArrayList<>();
    private List<DriverQueue> queues;

    @AfterEach
    void close() {
        driver.close();
    }

    private HostPort agent() {
        return console.port(AGENT).orElseThrow();
    }

    /** MULTIPORT negotiated, six queues ready, sixteen control receive buffers posted (as Linux's fill_queue). */
    private void start() {
        queues = driver.start(MULTIPORT, 8, 8, 16, 16, 8, 8);
        controlBuffers.clear();
        for (int i = 0; i < 16; i++) {
            Buf b = driver.writable(256);
            controlBuffers.add(b);
            queues.get(2).add(b);
        }
        queues.get(2).kick();
    }

    private void control(int id, int event, int value) {
        ByteBuffer m = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(id).putShort((short) event)
                .putShort((short) value);
        controlBytes(m.array());
    }

    private void controlBytes(byte[] message) {
        DriverQueue tx = queues.get(3);
        int head = tx.add(driver.readable(message));
        tx.kick();
        // Linux spins until the device has used it: it must be used at once.
        assertThat(tx.takeUsed()).containsExactly(new Used(head, 0));
    }

    /** The control messages the device has written since the last call. */
    private List<Msg> received() {
        List<Msg> messages = new ArrayList<>();
        for (Used u : queues.get(2).takeUsed()) {
            byte[] bytes = driver.memory.read(controlBuffers.get(u.id()).addr(), u.len());
            ByteBuffer m = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            messages.add(new Msg(m.getInt(), m.getShort(), m.getShort(),
                    new String(bytes, 8, bytes.length - 8, StandardCharsets.US_ASCII)));
        }
        return messages;
    }

    /** Linux's probe and add_port for ports 0 and 1, and the console hooked up to hvc (PORT_OPEN 0). */
    private void handshake() {
        start();
        control(BAD_ID, DEVICE_READY, 1);
        control(0, PORT_READY, 1);
        control(0, PORT_OPEN, 1);
        control(1, PORT_READY, 1);
        received();
    }

    private String text(Buf b, int length) {
        return new String(driver.memory.read(b.addr(), length), StandardCharsets.US_ASCII);
    }

    private static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return bytes;
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        int done = 0;
        while (done < length) {
            int n = in.read(bytes, done, length - done);
            assertThat(n).as("bytes before the end").isPositive();
            done += n;
        }
        return bytes;
    }

    @Test
    void offersMultiportAndCountsPortZeroAndTheNamedPorts() {
        assertThat(driver.deviceFeatures()).isEqualTo(MULTIPORT | Features.bit(2) | Features.TRANSPORT);
        assertThat(driver.transport.read(CONFIG, 4)).as("cols, rows").isZero();
        assertThat(driver.transport.read(CONFIG + 4, 4)).as("max_nr_ports").isEqualTo(2);
        // Port 0's pair, the control pair, port 1's pair.
        for (int q = 0; q < 6; q++) {
            driver.write(TestDriver.QUEUE_SEL, q);
            assertThat(driver.read(TestDriver.QUEUE_NUM_MAX)).as("queue %d", q).isEqualTo(128);
        }
        driver.write(TestDriver.QUEUE_SEL, 6);
        assertThat(driver.read(TestDriver.QUEUE_NUM_MAX)).isZero();
    }

    @Test
    void theHandshakeAddsTheConsoleAndNamesPortOne() {
        start();
        control(BAD_ID, DEVICE_READY, 1);
        assertThat(received()).containsExactly(new Msg(0, DEVICE_ADD, 1), new Msg(1, DEVICE_ADD, 1));
        control(0, PORT_READY, 1);
        assertThat(received()).containsExactly(new Msg(0, CONSOLE_PORT, 1), new Msg(0, PORT_OPEN, 1));
        control(1, PORT_READY, 1);
        // The name follows the header in the same buffer, without a NUL: Linux takes the length from the buffer.
        assertThat(received()).containsExactly(new Msg(1, PORT_NAME, 1, AGENT), new Msg(1, PORT_OPEN, 1));
        assertThat(agent().name()).isEqualTo(AGENT);
        assertThat(console.ports()).containsExactly(agent());
        assertThat(console.port("nope")).isEmpty();
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void controlMessagesWaitForReceiveBuffers() {
        queues = driver.start(MULTIPORT, 8, 8, 16, 16, 8, 8);
        control(BAD_ID, DEVICE_READY, 1);
        assertThat(queues.get(2).usedIdx()).isZero();
        Buf only = driver.writable(64);
        controlBuffers.add(only);
        queues.get(2).add(only);
        queues.get(2).kick();
        assertThat(received()).containsExactly(new Msg(0, DEVICE_ADD, 1));
        Buf next = driver.writable(64);
        controlBuffers.add(next);
        queues.get(2).add(next);
        queues.get(2).kick();
        assertThat(received()).containsExactly(new Msg(1, DEVICE_ADD, 1));
    }

    @Test
    void dataGoesBothWaysOnPortOneWhileTheConsoleWorks() throws Exception {
        handshake();
        control(1, PORT_OPEN, 1);
        assertThat(agent().guestConnected()).isTrue();

        DriverQueue portTx = queues.get(5);
        int head = portTx.add(driver.readable("{\"execute\":".getBytes()), driver.readable("\"guest-ping\"}\n".getBytes()));
        portTx.kick();
        assertThat(portTx.takeUsed()).containsExactly(new Used(head, 0));
        assertThat(new String(readFully(agent().fromGuest(), 25), StandardCharsets.US_ASCII))
                .isEqualTo("{\"execute\":\"guest-ping\"}\n");

        DriverQueue portRx = queues.get(4);
        Buf reply = driver.writable(64);
        portRx.add(reply);
        portRx.kick();
        agent().toGuest().write("{\"return\":{}}\n".getBytes());
        assertThat(portRx.takeUsed()).containsExactly(new Used(0, 14));
        assertThat(text(reply, 14)).isEqualTo("{\"return\":{}}\n");

        DriverQueue consoleTx = queues.get(1);
        int line = consoleTx.add(driver.readable("login: ".getBytes()));
        consoleTx.kick();
        assertThat(consoleTx.takeUsed()).containsExactly(new Used(line, 0));
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("login: ");
        DriverQueue consoleRx = queues.get(0);
        Buf typed = driver.writable(8);
        consoleRx.add(typed);
        console.receive((byte) 'r');
        assertThat(consoleRx.takeUsed()).containsExactly(new Used(0, 1));
        assertThat(text(typed, 1)).isEqualTo("r");
    }

    @Test
    void hostBytesWaitUntilTheGuestOpensThePort() throws Exception {
        handshake();
        DriverQueue portRx = queues.get(4);
        Buf b = driver.writable(64);
        portRx.add(b);
        portRx.kick();
        agent().toGuest().write("early".getBytes());
        // Linux drops what arrives on a port no program has open: it waits, as QEMU keeps it.
        assertThat(portRx.usedIdx()).isZero();
        assertThat(agent().guestConnected()).isFalse();
        control(1, PORT_OPEN, 1);
        assertThat(agent().guestConnected()).isTrue();
        assertThat(portRx.takeUsed()).containsExactly(new Used(0, 5));
        assertThat(text(b, 5)).isEqualTo("early");
        control(1, PORT_OPEN, 0);
        assertThat(agent().guestConnected()).isFalse();
    }

    @Test
    void aHostThatDoesNotReadLeavesTheGuestsChainsInTheRing() throws Exception {
        handshake();
        control(1, PORT_OPEN, 1);
        DriverQueue portTx = queues.get(5);
        byte[][] chunks = {pattern(32 * KIB, 1), pattern(32 * KIB, 2), pattern(32 * KIB, 3)};
        for (byte[] chunk : chunks) {
            portTx.add(driver.readable(chunk));
        }
        // The notifying hart copies what fits the 64 KiB buffer and returns; it never waits for the host.
        assertTimeoutPreemptively(Duration.ofSeconds(10), portTx::kick);
        assertThat(portTx.takeUsed()).containsExactly(new Used(0, 0), new Used(1, 0));
        portTx.kick();
        assertThat(portTx.usedIdx()).as("the third chain stays in the ring").isEqualTo(2);

        InputStream in = agent().fromGuest();
        assertThat(readFully(in, 32 * KIB)).isEqualTo(chunks[0]);
        // The read made room: the device took the third chain on the reader's thread.
        assertThat(portTx.takeUsed()).containsExactly(new Used(2, 0));
        assertThat(readFully(in, 32 * KIB)).isEqualTo(chunks[1]);
        assertThat(readFully(in, 32 * KIB)).isEqualTo(chunks[2]);
    }

    @Test
    void aChainLargerThanTheBufferIsCopiedOutAsTheHostReads() throws Exception {
        handshake();
        control(1, PORT_OPEN, 1);
        DriverQueue portTx = queues.get(5);
        byte[] big = pattern(100 * KIB, 7);
        portTx.add(driver.readable(Arrays.copyOf(big, 50 * KIB)),
                driver.readable(Arrays.copyOfRange(big, 50 * KIB, 100 * KIB)));
        portTx.kick();
        assertThat(portTx.usedIdx()).isZero();
        assertThat(readFully(agent().fromGuest(), 100 * KIB)).isEqualTo(big);
        assertThat(portTx.takeUsed()).containsExactly(new Used(0, 0));
    }

    @Test
    void aHostWriterBlocksWhileTheGuestDoesNotReadAndGoesOnWhenItDoes() throws Exception {
        handshake();
        control(1, PORT_OPEN, 1);
        byte[] data = pattern(64 * KIB + 100, 5);
        agent().toGuest().write(data, 0, 64 * KIB); // fills the buffer without waiting
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                agent().toGuest().write(data, 64 * KIB, 100);
            } catch (IOException e) {
                failure.set(e);
            }
        });
        TestDriver.await("the writer to block", () -> writer.getState() == Thread.State.WAITING);
        DriverQueue portRx = queues.get(4);
        Buf first = driver.writable(64 * KIB);
        portRx.add(first);
        portRx.kick();
        assertThat(writer.join(Duration.ofSeconds(10))).isTrue();
        assertThat(failure.get()).isNull();
        assertThat(portRx.takeUsed()).containsExactly(new Used(0, 64 * KIB));
        Buf rest = driver.writable(4 * KIB);
        portRx.add(rest);
        portRx.kick();
        assertThat(portRx.takeUsed()).containsExactly(new Used(1, 100));
        byte[] got = new byte[64 * KIB + 100];
        System.arraycopy(driver.bytes(first), 0, got, 0, 64 * KIB);
        System.arraycopy(driver.bytes(rest), 0, got, 64 * KIB, 100);
        assertThat(got).isEqualTo(data);
    }

    @Test
    void hostileControlMessagesAreIgnored() {
        start();
        control(1, PORT_READY, 1); // before DEVICE_READY
        control(1, PORT_OPEN, 1);
        assertThat(received()).isEmpty();
        controlBytes(new byte[] {1, 0, 0, 0, 3, 0}); // short: six bytes
        DriverQueue tx = queues.get(3);
        int writableOnly = tx.add(driver.writable(8)); // nothing to read
        tx.kick();
        assertThat(tx.takeUsed()).containsExactly(new Used(writableOnly, 0));
        control(BAD_ID, DEVICE_READY, 0); // the driver failed: nothing to add
        assertThat(received()).isEmpty();

        control(BAD_ID, DEVICE_READY, 1);
        assertThat(received()).hasSize(2);
        control(BAD_ID, DEVICE_READY, 1); // again: no second round of DEVICE_ADD
        control(2, PORT_READY, 1); // id == max_nr_ports
        control(BAD_ID, PORT_READY, 1);
        control(0x10000, PORT_READY, 1);
        control(1, PORT_OPEN, 1); // before PORT_READY
        control(1, RESIZE, 1);
        control(1, 99, 1);
        control(1, PORT_READY, 0); // the driver could not add it
        assertThat(received()).isEmpty();
        assertThat(agent().guestConnected()).isFalse();

        control(1, PORT_READY, 1);
        assertThat(received()).hasSize(2);
        control(1, PORT_READY, 1); // again: answered once
        assertThat(received()).isEmpty();
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void aControlReceiveBufferTooShortGetsWhatFits() {
        queues = driver.start(MULTIPORT, 8, 8, 16, 16, 8, 8);
        Buf tiny = driver.writable(4);
        controlBuffers.add(tiny);
        queues.get(2).add(tiny);
        DriverQueue tx = queues.get(3);
        tx.add(driver.readable(new byte[] {-1, -1, -1, -1, DEVICE_READY, 0, 1, 0}));
        TestDriver.Snapshot before = driver.snapshot();
        tx.kick();
        assertThat(queues.get(2).takeUsed()).containsExactly(new Used(0, 4));
        before.assertOnlyChanged(queues.get(2).usedRing(), queues.get(3).usedRing(), TestDriver.range(tiny));
    }

    @Test
    void aBadControlChainNeedsAReset() {
        start();
        DriverQueue tx = queues.get(3);
        tx.descriptor(0, driver.alloc(8, 8), 8, TestDriver.F_NEXT, 0); // a loop
        tx.publish(0);
        tx.kick();
        assertThat(driver.needsReset()).isTrue();
    }

    @Test
    void withoutMultiportOnlyPortZeroWorks() throws Exception {
        List<DriverQueue> qs = driver.start(0, 8, 8);
        DriverQueue tx = qs.get(1);
        int head = tx.add(driver.readable("hvc0".getBytes()));
        tx.kick();
        assertThat(tx.takeUsed()).containsExactly(new Used(head, 0));
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("hvc0");
        agent().toGuest().write("lost?".getBytes()); // kept for a driver that takes MULTIPORT
        assertThat(agent().guestConnected()).isFalse();
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void aResetStartsTheProtocolOver() throws Exception {
        handshake();
        control(1, PORT_OPEN, 1);
        assertThat(agent().guestConnected()).isTrue();
        DriverQueue portTx = queues.get(5);
        portTx.add(driver.readable(pattern(64 * KIB, 0)), driver.readable(new byte[] {42}));
        portTx.kick();

        driver.reset();
        assertThat(agent().guestConnected()).isFalse();
        start();
        control(BAD_ID, DEVICE_READY, 1);
        assertThat(received()).containsExactly(new Msg(0, DEVICE_ADD, 1), new Msg(1, DEVICE_ADD, 1));
        control(1, PORT_READY, 1);
        assertThat(received()).containsExactly(new Msg(1, PORT_NAME, 1, AGENT), new Msg(1, PORT_OPEN, 1));
        // What the guest transmitted before is still the host's; the half-copied chain died with the old queue.
        assertThat(readFully(agent().fromGuest(), 64 * KIB)).isEqualTo(pattern(64 * KIB, 0));
        assertThat(queues.get(5).usedIdx()).isZero();
    }

    @Test
    void closingTheDeviceWakesABlockedReaderAndWriter() throws Exception {
        handshake();
        agent().toGuest().write(new byte[64 * KIB]);
        AtomicReference<Object> read = new AtomicReference<>();
        AtomicReference<Object> wrote = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                read.set(agent().fromGuest().read());
            } catch (IOException e) {
                read.set(e);
            }
        });
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                agent().toGuest().write(1);
                wrote.set("written");
            } catch (IOException e) {
                wrote.set(e);
            }
        });
        TestDriver.await("both to block", () -> reader.getState() == Thread.State.WAITING
                && writer.getState() == Thread.State.WAITING);
        console.close();
        assertThat(reader.join(Duration.ofSeconds(10))).isTrue();
        assertThat(writer.join(Duration.ofSeconds(10))).isTrue();
        assertThat(read.get()).isEqualTo(-1);
        assertThat(wrote.get()).isInstanceOf(IOException.class);
        assertThat(agent().fromGuest().read()).isEqualTo(-1);
    }

    @Test
    void withoutAConsolePortZeroIsNeverAnnounced() {
        driver.close();
        console = VirtioConsole.withoutConsole(List.of("a", "b"));
        driver = new TestDriver(console);
        assertThat(driver.deviceFeatures()).isEqualTo(MULTIPORT | Features.TRANSPORT); // no EMERG_WRITE
        assertThat(driver.transport.read(CONFIG + 4, 4)).isEqualTo(3);
        queues = driver.start(MULTIPORT, 8, 8, 16, 16, 8, 8, 8, 8);
        for (int i = 0; i < 8; i++) {
            Buf b = driver.writable(64);
            controlBuffers.add(b);
            queues.get(2).add(b);
        }
        control(BAD_ID, DEVICE_READY, 1);
        assertThat(received()).containsExactly(new Msg(1, DEVICE_ADD, 1), new Msg(2, DEVICE_ADD, 1));
        control(0, PORT_READY, 1);
        assertThat(received()).isEmpty();
        control(2, PORT_READY, 1);
        assertThat(received()).containsExactly(new Msg(2, PORT_NAME, 1, "b"), new Msg(2, PORT_OPEN, 1));
    }

    @Test
    void portNamesAreChecked() {
        assertThatThrownBy(() -> VirtioConsole.checkPortNames(List.of(""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VirtioConsole.checkPortNames(List.of("x".repeat(128))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VirtioConsole.checkPortNames(List.of("tab\there")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VirtioConsole.checkPortNames(List.of("é"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VirtioConsole.checkPortNames(List.of("a", "a")))
                .isInstanceOf(IllegalArgumentException.class);
        VirtioConsole.checkPortNames(List.of("x".repeat(127), AGENT));
        assertThatThrownBy(() -> VirtioConsole.withoutConsole(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
