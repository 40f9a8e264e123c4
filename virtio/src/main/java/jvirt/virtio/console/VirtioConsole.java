package jvirt.virtio.console;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import jvirt.core.ConsoleInput;
import jvirt.virtio.AbstractVirtioDevice;
import jvirt.virtio.DescriptorChain;
import jvirt.virtio.Features;

/**
 * virtio-console (virtio 1.2 §5.3) with its one port, which Linux names {@code hvc0} and can use
 * as the system console. What the guest transmits goes to an output stream while the hart that
 * notified waits (a console write is a memory copy); typed input waits in a bounded buffer until
 * the guest offers receive buffers, and the typist blocks when the buffer is full.
 *
 * <p>EMERG_WRITE is offered too: a byte written to {@code emerg_wr} is printed at once, which
 * works before the queues exist.
 */
public final class VirtioConsole extends AbstractVirtioDevice implements ConsoleInput {
    public static final int DEVICE_ID = 3;
    static final long F_EMERG_WRITE = Features.bit(2);
    static final int RECEIVE_QUEUE = 0;
    static final int TRANSMIT_QUEUE = 1;
    static final int QUEUE_SIZE = 128;
    static final int INPUT_CAPACITY = 4096;
    private static final int EMERG_WR = 8;
    private static final int CONFIG_SIZE = 12;

    private final OutputStream out;
    private final ArrayDeque<Byte> input = new ArrayDeque<>();
    private final Condition inputRoom = lock.newCondition();
    private boolean closed;

    public VirtioConsole(OutputStream out) {
        this.out = out;
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return F_EMERG_WRITE;
    }

    @Override
    public List<Integer> maxQueueSizes() {
        return List.of(QUEUE_SIZE, QUEUE_SIZE);
    }

    /** cols, rows and max_nr_ports read as zero: no size is known and there is one port. */
    @Override
    public int readConfig(int offset) {
        return 0;
    }

    @Override
    public void writeConfig(int offset, int value) {
        if (offset == EMERG_WR) {
            emit(new byte[] {(byte) value});
        }
    }

    @Override
    public void queueNotify(int queue) {
        lock.lock();
        try {
            if (queue == TRANSMIT_QUEUE) {
                serve(TRANSMIT_QUEUE, this::transmit);
            } else {
                deliver();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected void activated() {
        lock.lock();
        try {
            deliver(); // input typed before the driver was ready
        } finally {
            lock.unlock();
        }
    }

    private long transmit(DescriptorChain chain) {
        try {
            chain.readable(0, chain.readableLength(), (part, at) -> emit(part.toArray(ValueLayout.JAVA_BYTE)));
        } catch (IOException e) {
            // emit() does not throw: the output stream's failures are its own.
        }
        return 0;
    }

    private void emit(byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            // The console output is gone; the guest keeps running, as with a closed terminal.
        }
    }

    @Override
    public void receive(byte b) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (input.size() >= INPUT_CAPACITY && !closed) {
                inputRoom.await();
            }
            if (closed) {
                return; // the machine is gone: a typist must not wait for it
            }
            input.add(b);
            deliver();
        } finally {
            lock.unlock();
        }
    }

    /** Moves waiting input into the guest's receive buffers, as much as they hold. Lock held. */
    private void deliver() {
        DescriptorChain chain;
        while (!input.isEmpty() && active() && (chain = take(RECEIVE_QUEUE)) != null) {
            byte[] bytes = new byte[(int) Math.min(input.size(), chain.writableLength())];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = input.poll();
            }
            chain.write(0, bytes);
            give(RECEIVE_QUEUE, chain, bytes.length);
        }
        inputRoom.signalAll();
    }

    @Override
    public void close() {
        reset();
        lock.lock();
        try {
            closed = true;
            input.clear();
            inputRoom.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
