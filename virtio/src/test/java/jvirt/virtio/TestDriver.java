package jvirt.virtio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import jvirt.core.GuestMemory;

/**
 * Plays the guest's driver: talks to an {@link MmioTransport} through its registers as virtio 1.2
 * §4.2.3 says (the order Linux's virtio_mmio uses), lays split virtqueues out in guest RAM, adds
 * chains, notifies and reads the used ring back. It can also write whatever hostile descriptor
 * table a test wants: nothing here checks what the device is given.
 *
 * <p>The register offsets and ring layouts are written out again here, from the spec, rather than
 * taken from the code under test.
 */
public final class TestDriver implements AutoCloseable {
    public static final long RAM_BASE = 0x8000_0000L;

    // virtio 1.2 §4.2.2, table "MMIO Device Register Layout".
    public static final int MAGIC_VALUE = 0x000;
    public static final int VERSION = 0x004;
    public static final int DEVICE_ID = 0x008;
    public static final int VENDOR_ID = 0x00C;
    public static final int DEVICE_FEATURES = 0x010;
    public static final int DEVICE_FEATURES_SEL = 0x014;
    public static final int DRIVER_FEATURES = 0x020;
    public static final int DRIVER_FEATURES_SEL = 0x024;
    public static final int QUEUE_SEL = 0x030;
    public static final int QUEUE_NUM_MAX = 0x034;
    public static final int QUEUE_NUM = 0x038;
    public static final int QUEUE_READY = 0x044;
    public static final int QUEUE_NOTIFY = 0x050;
    public static final int INTERRUPT_STATUS = 0x060;
    public static final int INTERRUPT_ACK = 0x064;
    public static final int STATUS = 0x070;
    public static final int QUEUE_DESC_LOW = 0x080;
    public static final int QUEUE_DESC_HIGH = 0x084;
    public static final int QUEUE_DRIVER_LOW = 0x090;
    public static final int QUEUE_DRIVER_HIGH = 0x094;
    public static final int QUEUE_DEVICE_LOW = 0x0A0;
    public static final int QUEUE_DEVICE_HIGH = 0x0A4;
    public static final int SHM_SEL = 0x0AC;
    public static final int SHM_LEN_LOW = 0x0B0;
    public static final int SHM_LEN_HIGH = 0x0B4;
    public static final int CONFIG_GENERATION = 0x0FC;
    public static final int CONFIG = 0x100;

    // §2.1 device status bits.
    public static final int ACKNOWLEDGE = 1;
    public static final int DRIVER = 2;
    public static final int DRIVER_OK = 4;
    public static final int FEATURES_OK = 8;
    public static final int NEEDS_RESET = 64;
    public static final int FAILED = 128;

    // §2.7.5 descriptor flags.
    public static final int F_NEXT = 1;
    public static final int F_WRITE = 2;
    public static final int F_INDIRECT = 4;

    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** What RAM holds where nobody wrote: a device write anywhere shows. */
    public static final byte CANARY = (byte) 0xA5;
    /** What fresh device-writable buffers hold. */
    public static final byte UNWRITTEN = (byte) 0xEE;

    /** Larger RAM is left zero and untouched (the host does not back what nobody touches). */
    private static final long CANARY_LIMIT = 64 << 20;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

    public final GuestMemory memory;
    public final MmioTransport transport;
    public final RecordingLine line = new RecordingLine();
    private final VirtioDevice device;
    /** Bump allocator for rings, tables and buffers; the first page stays untouched. */
    private long heap;

    /** One buffer of a chain, as the driver describes it. */
    public record Buf(long addr, long len, boolean writable) {
        public static Buf readable(long addr, long len) {
            return new Buf(addr, len, false);
        }

        public static Buf writable(long addr, long len) {
            return new Buf(addr, len, true);
        }
    }

    /** One element of the used ring. */
    public record Used(int id, int len) {
    }

    /** A driver for {@code device} on 1 MiB of RAM filled with {@link #CANARY}. */
    public TestDriver(VirtioDevice device) {
        this(device, 1 << 20);
    }

    public TestDriver(VirtioDevice device, long ramSize) {
        this.device = device;
        this.memory = new GuestMemory(RAM_BASE, ramSize);
        if (ramSize <= CANARY_LIMIT) {
            memory.segment().fill(CANARY);
        }
        this.transport = new MmioTransport(device, memory, line);
        if (device instanceof TestDevice t) {
            t.ram(memory);
        }
        this.heap = RAM_BASE + 4096;
    }

    @Override
    public void close() {
        device.close();
        memory.close();
    }

    // ---- registers ----

    public int read(int register) {
        return (int) transport.read(register, 4);
    }

    public void write(int register, int value) {
        transport.write(register, 4, Integer.toUnsignedLong(value));
    }

    public int status() {
        return read(STATUS);
    }

    public boolean needsReset() {
        return (status() & NEEDS_RESET) != 0;
    }

    /** Adds bits to the status register, as a driver does: read, or, write. */
    public void addStatus(int bits) {
        write(STATUS, (status() & ~NEEDS_RESET) | bits);
    }

    public void reset() {
        write(STATUS, 0);
    }

    /** The 64 feature bits the device offers (§4.2.3.1.1 step 4, through DeviceFeaturesSel). */
    public long deviceFeatures() {
        write(DEVICE_FEATURES_SEL, 0);
        long low = Integer.toUnsignedLong(read(DEVICE_FEATURES));
        write(DEVICE_FEATURES_SEL, 1);
        long high = Integer.toUnsignedLong(read(DEVICE_FEATURES));
        return high << 32 | low;
    }

    public void writeDriverFeatures(long features) {
        write(DRIVER_FEATURES_SEL, 0);
        write(DRIVER_FEATURES, (int) features);
        write(DRIVER_FEATURES_SEL, 1);
        write(DRIVER_FEATURES, (int) (features >>> 32));
    }

    public int interruptStatus() {
        return read(INTERRUPT_STATUS);
    }

    /** Acknowledges every pending interrupt, as the interrupt handler does. */
    public int ackInterrupts() {
        int pending = interruptStatus();
        write(INTERRUPT_ACK, pending);
        return pending;
    }

    /**
     * §3.1.1 steps 1 to 6: reset, identify, ACKNOWLEDGE, DRIVER, write the features, FEATURES_OK
     * and read it back. Returns whether the device accepted the features.
     */
    public boolean negotiate(long features) {
        reset();
        assertThat(read(STATUS)).as("status after reset").isZero();
        assertThat(read(MAGIC_VALUE)).as("magic").isEqualTo(0x74726976);
        assertThat(read(VERSION)).as("version").isEqualTo(2);
        assertThat(read(DEVICE_ID)).as("device id").isNotZero();
        addStatus(ACKNOWLEDGE);
        addStatus(DRIVER);
        writeDriverFeatures(features);
        addStatus(FEATURES_OK);
        return (status() & FEATURES_OK) != 0;
    }

    /** Negotiates VERSION_1 plus {@code extra} (which must be accepted), sets up queues, DRIVER_OK. */
    public List<DriverQueue> start(long extra, int... sizes) {
        assertThat(negotiate(Features.VERSION_1 | extra)).as("FEATURES_OK accepted").isTrue();
        List<DriverQueue> queues = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            queues.add(queue(i, sizes[i]));
        }
        driverOk();
        return queues;
    }

    public void driverOk() {
        addStatus(DRIVER_OK);
    }

    /** Lays out queue {@code index} of {@code size} entries in fresh RAM and makes it ready. */
    public DriverQueue queue(int index, int size) {
        long desc = alloc(16L * size, 16);
        long avail = alloc(6 + 2L * size, 2);
        long used = alloc(6 + 8L * size, 4);
        return queue(index, size, desc, avail, used);
    }

    /** §4.2.3.2: select, check it is unused, read the maximum, write size and addresses, QueueReady. */
    public DriverQueue queue(int index, int size, long desc, long avail, long used) {
        DriverQueue q = queueRegisters(index, size, desc, avail, used);
        write(QUEUE_READY, 1);
        return q;
    }

    /** Everything {@link #queue} does but QueueReady. */
    public DriverQueue queueRegisters(int index, int size, long desc, long avail, long used) {
        write(QUEUE_SEL, index);
        assertThat(read(QUEUE_READY)).as("queue %d unused", index).isZero();
        assertThat(read(QUEUE_NUM_MAX)).as("queue %d exists", index).isNotZero();
        write(QUEUE_NUM, size);
        write(QUEUE_DESC_LOW, (int) desc);
        write(QUEUE_DESC_HIGH, (int) (desc >>> 32));
        write(QUEUE_DRIVER_LOW, (int) avail);
        write(QUEUE_DRIVER_HIGH, (int) (avail >>> 32));
        write(QUEUE_DEVICE_LOW, (int) used);
        write(QUEUE_DEVICE_HIGH, (int) (used >>> 32));
        return new DriverQueue(index, size, desc, avail, used);
    }

    // ---- guest RAM ----

    /** {@code length} bytes of RAM nobody else uses, aligned. */
    public long alloc(long length, long alignment) {
        long addr = (heap + alignment - 1) & -alignment;
        if (!memory.contains(addr, Math.max(length, 1))) {
            throw new IllegalStateException("test RAM exhausted");
        }
        heap = addr + length;
        return addr;
    }

    /** A device-readable buffer holding {@code data}. */
    public Buf readable(byte[] data) {
        long addr = alloc(data.length, 8);
        memory.write(addr, data);
        return Buf.readable(addr, data.length);
    }

    /** A device-writable buffer of {@code length} bytes, filled with {@link #UNWRITTEN}. */
    public Buf writable(int length) {
        long addr = alloc(length, 8);
        memory.slice(addr, length).fill(UNWRITTEN);
        return Buf.writable(addr, length);
    }

    public byte[] bytes(Buf b) {
        return memory.read(b.addr(), (int) b.len());
    }

    public int u16(long paddr) {
        return memory.segment().get(U16, paddr - RAM_BASE) & 0xFFFF;
    }

    public int u32(long paddr) {
        return memory.segment().get(U32, paddr - RAM_BASE);
    }

    public void put16(long paddr, int v) {
        memory.segment().set(U16, paddr - RAM_BASE, (short) v);
    }

    public void put32(long paddr, int v) {
        memory.segment().set(U32, paddr - RAM_BASE, v);
    }

    public void put64(long paddr, long v) {
        memory.segment().set(U64, paddr - RAM_BASE, v);
    }

    /** Writes one raw 16-byte descriptor at {@code table}[{@code i}], whatever it says. */
    public void descriptor(long table, int i, long addr, long len, int flags, int next) {
        long d = table + 16L * i;
        put64(d, addr);
        put32(d + 8, (int) len);
        put16(d + 12, flags);
        put16(d + 14, next);
    }

    /** An indirect table in fresh RAM describing {@code bufs} as one chain; returns its address. */
    public long indirectTable(Buf... bufs) {
        long table = alloc(16L * bufs.length, 16);
        for (int i = 0; i < bufs.length; i++) {
            Buf b = bufs[i];
            int flags = (b.writable() ? F_WRITE : 0) | (i + 1 < bufs.length ? F_NEXT : 0);
            descriptor(table, i, b.addr(), b.len(), flags, i + 1);
        }
        return table;
    }

    /** A copy of all of RAM, to show later what the device changed. */
    public Snapshot snapshot() {
        return new Snapshot(memory.segment().toArray(ValueLayout.JAVA_BYTE));
    }

    /** RAM as it was; {@link #assertOnlyChanged} then says that the device wrote nowhere else. */
    public final class Snapshot {
        private final byte[] before;

        private Snapshot(byte[] before) {
            this.before = before;
        }

        /** Every byte outside {@code allowed} ({@code {addr, length}} pairs) is as it was. */
        public void assertOnlyChanged(long[]... allowed) {
            byte[] after = memory.segment().toArray(ValueLayout.JAVA_BYTE);
            byte[] expected = before.clone();
            for (long[] range : allowed) {
                int from = (int) (range[0] - RAM_BASE);
                System.arraycopy(after, from, expected, from, (int) range[1]);
            }
            int at = Arrays.mismatch(expected, after);
            if (at >= 0) {
                fail(String.format("the device wrote 0x%02x over 0x%02x at 0x%x, outside the rings and buffers",
                        after[at], expected[at], RAM_BASE + at));
            }
        }

        /** Every byte is as it was. */
        public void assertUnchanged() {
            assertOnlyChanged();
        }
    }

    public static long[] range(long addr, long length) {
        return new long[] {addr, length};
    }

    public static long[] range(Buf b) {
        return range(b.addr(), b.len());
    }

    /** The driver's side of one split virtqueue (§2.7). */
    public final class DriverQueue {
        public final int index;
        public final int size;
        public final long desc;
        public final long avail;
        public final long used;
        private int nextDesc;
        private int availIdx;
        private int lastUsed;

        DriverQueue(int index, int size, long desc, long avail, long used) {
            this.index = index;
            this.size = size;
            this.desc = desc;
            this.avail = avail;
            this.used = used;
            // The driver zeroes its rings (Linux allocates them zeroed).
            if (memory.contains(avail, 6 + 2L * size)) {
                memory.slice(avail, 6 + 2L * size).fill((byte) 0);
            }
            if (memory.contains(used, 6 + 8L * size)) {
                memory.slice(used, 6 + 8L * size).fill((byte) 0);
            }
        }

        /** The whole used ring, which the device may write. */
        public long[] usedRing() {
            return range(used, 6 + 8L * size);
        }

        public void descriptor(int i, long addr, long len, int flags, int next) {
            TestDriver.this.descriptor(desc, i, addr, len, flags, next);
        }

        /** Writes {@code bufs} as one chain of direct descriptors and makes it available; returns the head. */
        public int add(Buf... bufs) {
            int head = chain(bufs);
            publish(head);
            return head;
        }

        /** Writes {@code bufs} as one chain of direct descriptors, not yet available; returns the head. */
        public int chain(Buf... bufs) {
            int head = nextDesc;
            for (int i = 0; i < bufs.length; i++) {
                int d = (head + i) % size;
                int next = (d + 1) % size;
                Buf b = bufs[i];
                int flags = (b.writable() ? F_WRITE : 0) | (i + 1 < bufs.length ? F_NEXT : 0);
                descriptor(d, b.addr(), b.len(), flags, next);
            }
            nextDesc = (head + bufs.length) % size;
            return head;
        }

        /** One descriptor pointing at an indirect table of {@code bufs}, made available; returns the head. */
        public int addIndirect(Buf... bufs) {
            long table = indirectTable(bufs);
            int head = nextDesc;
            descriptor(head, table, 16L * bufs.length, F_INDIRECT, 0);
            nextDesc = (head + 1) % size;
            publish(head);
            return head;
        }

        /** Puts {@code head} in the next available slot and bumps the index (§2.7.13). */
        public void publish(int head) {
            put16(avail + 4 + 2L * (availIdx % size), head);
            availIdx = (availIdx + 1) & 0xFFFF;
            VarHandle.releaseFence();
            put16(avail + 2, availIdx);
        }

        /** Writes the available index directly, whatever it says. */
        public void availIdx(int idx) {
            availIdx = idx & 0xFFFF;
            VarHandle.releaseFence();
            put16(avail + 2, availIdx);
        }

        public void availFlags(int flags) {
            put16(avail, flags);
        }

        /** used_event (§2.7.10): the used index at which the driver wants its next interrupt. */
        public void usedEvent(int idx) {
            put16(avail + 4 + 2L * size, idx);
        }

        /** avail_event: the available index at which the device wants its next notification. */
        public int availEvent() {
            return u16(used + 4 + 8L * size);
        }

        /** Notifies the device through QueueNotify. */
        public void kick() {
            write(QUEUE_NOTIFY, index);
        }

        public int usedIdx() {
            VarHandle.acquireFence();
            int idx = u16(used + 2);
            VarHandle.acquireFence();
            return idx;
        }

        /** Element {@code n} (a free-running index) of the used ring. */
        public Used usedElem(int n) {
            long e = used + 4 + 8L * (n % size);
            return new Used(u32(e), u32(e + 4));
        }

        /** Used elements the device returned since the last call, without waiting. */
        public List<Used> takeUsed() {
            List<Used> out = new ArrayList<>();
            int idx = usedIdx();
            while (lastUsed != idx) {
                out.add(usedElem(lastUsed));
                lastUsed = (lastUsed + 1) & 0xFFFF;
            }
            return out;
        }

        /** Waits (up to 10 s) until the device has returned {@code n} more chains, and returns them. */
        public List<Used> awaitUsed(int n) {
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (((usedIdx() - lastUsed) & 0xFFFF) < n) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the device returned " + ((usedIdx() - lastUsed) & 0xFFFF) + " of " + n
                            + " chains within 10 s; status " + status() + ", failure " + transport.failure());
                }
                LockSupport.parkNanos(100_000);
            }
            List<Used> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(usedElem(lastUsed));
                lastUsed = (lastUsed + 1) & 0xFFFF;
            }
            return out;
        }

        public Used awaitUsed() {
            return awaitUsed(1).getFirst();
        }
    }

    /** Polls {@code condition} until it holds, for up to 10 s. */
    public static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(100_000);
        }
    }

    /** Contents of a segment of RAM as bytes, for assertions. */
    public static byte[] toBytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }
}
