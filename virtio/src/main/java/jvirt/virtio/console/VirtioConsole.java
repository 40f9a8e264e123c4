package jvirt.virtio.console;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import jvirt.core.ConsoleInput;
import jvirt.virtio.AbstractVirtioDevice;
import jvirt.virtio.DescriptorChain;
import jvirt.virtio.Features;

/**
 * virtio-console (virtio 1.2 §5.3): port 0, which Linux names {@code hvc0} and can use as the
 * system console, and optionally named ports 1..n (QEMU's {@code virtserialport}s, which Linux
 * shows as {@code /dev/virtio-ports/NAME}) for host programs such as a guest agent.
 *
 * <p>What the guest transmits on the console goes to an output stream while the hart that
 * notified waits (Linux spins until a console write is used); typed input waits in a bounded
 * buffer until the guest offers receive buffers, and the typist blocks when the buffer is full.
 * EMERG_WRITE is offered with the console: a byte written to {@code emerg_wr} is printed at once,
 * which works before the queues exist.
 *
 * <p>With named ports the device offers MULTIPORT: queues 2 and 3 carry control messages, and
 * port n has queues 2n+2 (receive) and 2n+3 (transmit). A named port's data passes through a
 * bounded buffer each way ({@link HostPort}): when the host does not read, the guest's transmit
 * chains stay in the ring until it does, so no hart ever waits for a host program.
 */
public final class VirtioConsole extends AbstractVirtioDevice implements ConsoleInput {
    public static final int DEVICE_ID = 3;
    /** The most named ports a device carries (QEMU's virtio-serial default of 31 ports, less port 0). */
    public static final int MAX_PORTS = 30;
    /** The longest port name, in bytes. */
    public static final int MAX_NAME = 127;
    static final long F_MULTIPORT = Features.bit(1);
    static final long F_EMERG_WRITE = Features.bit(2);
    static final int RECEIVE_QUEUE = 0;
    static final int TRANSMIT_QUEUE = 1;
    static final int CONTROL_RECEIVE = 2;
    static final int CONTROL_TRANSMIT = 3;
    static final int QUEUE_SIZE = 128;
    static final int INPUT_CAPACITY = 4096;
    static final int PORT_BUFFER = 64 * 1024;
    private static final int MAX_NR_PORTS_OFFSET = 4; // config: cols, rows (le16 each), then max_nr_ports
    private static final int EMERG_WR = 8;

    // struct virtio_console_control { le32 id; le16 event; le16 value; } and the events used (§5.3.6.2);
    // the ports never go away (DEVICE_REMOVE, 2) and have no size (RESIZE, 5).
    static final int CONTROL_SIZE = 8;
    static final int DEVICE_READY = 0;
    static final int DEVICE_ADD = 1;
    static final int PORT_READY = 3;
    static final int CONSOLE_PORT = 4;
    static final int PORT_OPEN = 6;
    static final int PORT_NAME = 7;

    private final boolean hasConsole;
    /** Indexed by port id; port 0 exists even without a console, so a driver without MULTIPORT gets its writes used. */
    private final List<Port> ports = new ArrayList<>();
    private final List<HostPort> hostPorts = new ArrayList<>();
    /**
     * Control messages waiting for the driver's control receive buffers. Each port earns at most
     * three between resets (DEVICE_ADD, then two answering its first PORT_READY), so this stays small.
     */
    private final ArrayDeque<byte[]> control = new ArrayDeque<>();
    private boolean deviceReady;
    private boolean closed;

    /** A console alone, on port 0: the single-port device of virtio 1.0. */
    public VirtioConsole(OutputStream out) {
        this(out, List.of());
    }

    /** A console on port 0 and the named ports 1..n, in this order. */
    public VirtioConsole(OutputStream out, List<String> portNames) {
        this(true, out, portNames);
    }

    /** Named ports 1..n and no console: port 0 stays unannounced, as QEMU's virtio-serial without a virtconsole. */
    public static VirtioConsole withoutConsole(List<String> portNames) {
        if (portNames.isEmpty()) {
            throw new IllegalArgumentException("a virtio-console without a console needs named ports");
        }
        return new VirtioConsole(false, OutputStream.nullOutputStream(), portNames);
    }

    private VirtioConsole(boolean hasConsole, OutputStream out, List<String> portNames) {
        checkPortNames(portNames);
        this.hasConsole = hasConsole;
        ports.add(new ConsolePort(out));
        for (String name : portNames) {
            NamedPort port = new NamedPort(ports.size(), name);
            ports.add(port);
            hostPorts.add(new HostPort(port));
        }
    }

    /**
     * Checks names for named ports: at most {@link #MAX_PORTS}, each 1 to {@link #MAX_NAME}
     * printable ASCII characters, no two alike.
     */
    public static void checkPortNames(List<String> names) {
        if (names.size() > MAX_PORTS) {
            throw new IllegalArgumentException("at most " + MAX_PORTS + " named ports fit one virtio-console");
        }
        Set<String> seen = new HashSet<>();
        for (String name : names) {
            if (name.isEmpty() || name.length() > MAX_NAME || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
                throw new IllegalArgumentException("a port name must be 1 to " + MAX_NAME
                        + " printable ASCII characters: \"" + name + "\"");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("two ports are named " + name);
            }
        }
    }

    /** The named ports, port 1 first. */
    public List<HostPort> ports() {
        return List.copyOf(hostPorts);
    }

    /** The named port called {@code name}. */
    public Optional<HostPort> port(String name) {
        return hostPorts.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private boolean multiportOffered() {
        return ports.size() > 1;
    }

    /** Whether the driver took MULTIPORT: without it only port 0 works. */
    private boolean multiport() {
        return (negotiated() & F_MULTIPORT) != 0;
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return (hasConsole ? F_EMERG_WRITE : 0) | (multiportOffered() ? F_MULTIPORT : 0);
    }

    /** Port 0's two queues; with MULTIPORT the control pair and two for each named port. */
    @Override
    public List<Integer> maxQueueSizes() {
        return Collections.nCopies(multiportOffered() ? 2 * (ports.size() + 1) : 2, QUEUE_SIZE);
    }

    /** cols and rows read as zero (no size is known); max_nr_ports counts port 0 and the named ports. */
    @Override
    public int readConfig(int offset) {
        if (multiportOffered() && offset >= MAX_NR_PORTS_OFFSET && offset < MAX_NR_PORTS_OFFSET + 4) {
            return ports.size() >>> (8 * (offset - MAX_NR_PORTS_OFFSET)) & 0xFF;
        }
        return 0;
    }

    @Override
    public void writeConfig(int offset, int value) {
        if (offset == EMERG_WR) {
            console().emit(new byte[] {(byte) value});
        }
    }

    private ConsolePort console() {
        return (ConsolePort) ports.getFirst();
    }

    @Override
    public void queueNotify(int queue) {
        lock.lock();
        try {
            if (queue == CONTROL_RECEIVE || queue == CONTROL_TRANSMIT) {
                if (multiport()) {
                    serve(CONTROL_TRANSMIT, this::controlMessage);
                    deliverControl();
                }
                return;
            }
            int id = queue < CONTROL_RECEIVE ? 0 : queue / 2 - 1;
            if (id < ports.size()) {
                Port port = ports.get(id);
                if (queue % 2 == 0) {
                    port.deliver();
                } else {
                    port.transmit();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected void activated() {
        lock.lock();
        try {
            for (Port port : ports) {
                port.deliver(); // input that came before the driver was ready
            }
        } finally {
            lock.unlock();
        }
    }

    /** The driver reset the device (or rebooted): every port starts over, and so does the control protocol. */
    @Override
    protected void deactivated() {
        deviceReady = false;
        control.clear();
        for (Port port : ports) {
            port.restart();
        }
    }

    /** One control message from the driver. Whatever does not fit the protocol is ignored, as QEMU does. */
    private long controlMessage(DescriptorChain chain) {
        if (chain.readableLength() < CONTROL_SIZE) {
            return 0;
        }
        byte[] header = new byte[CONTROL_SIZE];
        chain.read(0, header);
        ByteBuffer m = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        long id = Integer.toUnsignedLong(m.getInt());
        int event = Short.toUnsignedInt(m.getShort());
        int value = Short.toUnsignedInt(m.getShort());
        if (event == DEVICE_READY) {
            if (value == 1 && !deviceReady) {
                deviceReady = true;
                for (Port port : ports) {
                    if (announced(port.id)) {
                        queueControl(port.id, DEVICE_ADD, 1, new byte[0]);
                    }
                }
            }
            return 0;
        }
        Port port = deviceReady && id < ports.size() && announced((int) id) ? ports.get((int) id) : null;
        if (port == null) {
            return 0;
        }
        if (event == PORT_READY && value == 1 && !port.ready) {
            port.ready = true;
            port.announce();
        } else if (event == PORT_OPEN && port.ready) {
            port.guestConnected = value != 0;
            port.deliver();
        }
        return 0;
    }

    /** Whether port {@code id} is one the driver hears of: port 0 only when it is the console. */
    private boolean announced(int id) {
        return id > 0 || hasConsole;
    }

    /** Queues a control message for the driver: the header, then {@code extra} in the same buffer. */
    private void queueControl(int id, int event, int value, byte[] extra) {
        ByteBuffer m = ByteBuffer.allocate(CONTROL_SIZE + extra.length).order(ByteOrder.LITTLE_ENDIAN);
        m.putInt(id).putShort((short) event).putShort((short) value).put(extra);
        control.add(m.array());
    }

    /** Moves waiting control messages into the driver's control receive buffers, one a buffer. Lock held. */
    private void deliverControl() {
        DescriptorChain chain;
        while (!control.isEmpty() && (chain = take(CONTROL_RECEIVE)) != null) {
            byte[] message = control.poll();
            // A buffer too short for the message gets what fits, as QEMU gives it: the driver asked for that.
            int n = (int) Math.min(message.length, chain.writableLength());
            chain.write(0, Arrays.copyOf(message, n));
            give(CONTROL_RECEIVE, chain, n);
        }
    }

    @Override
    public void receive(byte b) throws InterruptedException {
        console().send(new byte[] {b}, 0, 1); // after close the byte is dropped: a typist must not wait
    }

    @Override
    public void close() {
        reset();
        lock.lock();
        try {
            closed = true;
            for (Port port : ports) {
                port.release();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * One port's receive and transmit queues and the host's side of them; the device's lock guards
     * it. Bytes for the guest wait in a bounded buffer until the driver posts receive buffers (and,
     * with MULTIPORT, has the port open: Linux drops what arrives on a closed port). A transmit chain
     * is copied out as far as the host side takes bytes; the rest of it, and the chains behind it,
     * wait in the ring until the host makes room.
     */
    abstract class Port {
        final int id;
        final int receiveQueue;
        final int transmitQueue;
        private final ByteRing input;
        private final Condition inputRoom = lock.newCondition();
        /** A transmit chain copied out in part, and how far. */
        private DescriptorChain sending;
        private long sent;
        /** The driver said PORT_READY, and the port's announcement went out. */
        boolean ready;
        /** The driver's last PORT_OPEN for the port. */
        boolean guestConnected;

        Port(int id, int inputCapacity) {
            this.id = id;
            this.receiveQueue = id == 0 ? RECEIVE_QUEUE : 2 * id + 2;
            this.transmitQueue = receiveQueue + 1;
            this.input = new ByteRing(inputCapacity);
        }

        /** How many transmitted bytes the host side takes now. */
        abstract long room();

        /** Hands transmitted bytes, no more than {@link #room}, to the host side. */
        abstract void accept(MemorySegment part);

        /** The control messages that answer the driver's PORT_READY. */
        abstract void announce();

        /** Whether the driver uses this port's queues: port 0 always, the others with MULTIPORT. */
        private boolean serving() {
            return active() && (id == 0 || multiport());
        }

        /** Sends bytes to the guest, waiting while the buffer is full; false once the device is closed. */
        boolean send(byte[] b, int off, int len) throws InterruptedException {
            lock.lockInterruptibly();
            try {
                while (len > 0) {
                    while (input.room() == 0 && !closed) {
                        inputRoom.await();
                    }
                    if (closed) {
                        return false;
                    }
                    int n = input.put(b, off, len);
                    off += n;
                    len -= n;
                    deliver();
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Moves waiting input into the guest's receive buffers, as much as they hold. Lock held. */
        void deliver() {
            DescriptorChain chain;
            while (!input.isEmpty() && serving() && (guestConnected || !multiport())
                    && (chain = take(receiveQueue)) != null) {
                int n = (int) Math.min(input.size(), chain.writableLength());
                for (MemorySegment part : chain.writableSegments(0, n)) {
                    input.take(part);
                }
                give(receiveQueue, chain, n);
            }
            inputRoom.signalAll();
        }

        /** Copies the guest's transmit chains to the host side while it has room. Lock held. */
        void transmit() {
            while (serving() && room() > 0) {
                if (sending == null) {
                    sending = take(transmitQueue);
                    sent = 0;
                    if (sending == null) {
                        return;
                    }
                }
                long n = Math.min(room(), sending.readableLength() - sent);
                for (MemorySegment part : sending.readableSegments(sent, n)) {
                    accept(part);
                }
                sent += n;
                if (sent == sending.readableLength()) {
                    DescriptorChain done = sending;
                    sending = null;
                    give(transmitQueue, done, 0);
                }
            }
        }

        /** The driver went away: its chains and its view of the port are gone. Lock held. */
        void restart() {
            sending = null;
            ready = false;
            guestConnected = false;
        }

        /** The device closed: input is dropped and every waiting host thread goes on. Lock held. */
        void release() {
            input.clear();
            inputRoom.signalAll();
        }
    }

    /** Port 0 as the console: its output is written through while the hart waits. */
    final class ConsolePort extends Port {
        private final OutputStream out;

        ConsolePort(OutputStream out) {
            super(0, INPUT_CAPACITY);
            this.out = out;
        }

        @Override
        long room() {
            return Long.MAX_VALUE;
        }

        @Override
        void accept(MemorySegment part) {
            emit(part.toArray(ValueLayout.JAVA_BYTE));
        }

        void emit(byte[] bytes) {
            try {
                out.write(bytes);
            } catch (IOException e) {
                // The console output is gone; the guest keeps running, as with a closed terminal.
            }
        }

        @Override
        void announce() {
            queueControl(id, CONSOLE_PORT, 1, new byte[0]);
            queueControl(id, PORT_OPEN, 1, new byte[0]);
        }
    }

    /** Port 1..n: its output waits in a bounded buffer for the host to read it. */
    final class NamedPort extends Port {
        final String name;
        private final ByteRing output = new ByteRing(PORT_BUFFER);
        private final Condition outputReady = lock.newCondition();

        NamedPort(int id, String name) {
            super(id, PORT_BUFFER);
            this.name = name;
        }

        @Override
        long room() {
            return output.room();
        }

        @Override
        void accept(MemorySegment part) {
            output.put(part);
            outputReady.signalAll();
        }

        /** Its name, then PORT_OPEN: the host side is connected, or Linux reads end of file. */
        @Override
        void announce() {
            queueControl(id, PORT_NAME, 1, name.getBytes(StandardCharsets.US_ASCII));
            queueControl(id, PORT_OPEN, 1, new byte[0]);
        }

        /** Reads what the guest sent, waiting for at least one byte; -1 once the device is closed and nothing is left. */
        int read(byte[] b, int off, int len) throws InterruptedException {
            lock.lockInterruptibly();
            try {
                while (output.isEmpty() && !closed) {
                    outputReady.await();
                }
                if (output.isEmpty()) {
                    return -1;
                }
                int n = output.take(b, off, len);
                transmit(); // there is room again for the chains the guest left waiting
                return n;
            } finally {
                lock.unlock();
            }
        }

        boolean guestConnected() {
            lock.lock();
            try {
                return guestConnected;
            } finally {
                lock.unlock();
            }
        }

        @Override
        void release() {
            super.release();
            outputReady.signalAll();
        }
    }
}
