package jvirt.virtio;

import static jvirt.virtio.TestDriver.ACKNOWLEDGE;
import static jvirt.virtio.TestDriver.DRIVER;
import static jvirt.virtio.TestDriver.DRIVER_OK;
import static jvirt.virtio.TestDriver.FEATURES_OK;
import static jvirt.virtio.TestDriver.F_INDIRECT;
import static jvirt.virtio.TestDriver.F_NEXT;
import static jvirt.virtio.TestDriver.F_WRITE;
import static jvirt.virtio.TestDriver.INTERRUPT_STATUS;
import static jvirt.virtio.TestDriver.NEEDS_RESET;
import static jvirt.virtio.TestDriver.QUEUE_DESC_HIGH;
import static jvirt.virtio.TestDriver.QUEUE_DESC_LOW;
import static jvirt.virtio.TestDriver.QUEUE_DEVICE_HIGH;
import static jvirt.virtio.TestDriver.QUEUE_DEVICE_LOW;
import static jvirt.virtio.TestDriver.QUEUE_DRIVER_HIGH;
import static jvirt.virtio.TestDriver.QUEUE_DRIVER_LOW;
import static jvirt.virtio.TestDriver.QUEUE_NOTIFY;
import static jvirt.virtio.TestDriver.QUEUE_NUM;
import static jvirt.virtio.TestDriver.QUEUE_READY;
import static jvirt.virtio.TestDriver.QUEUE_SEL;
import static jvirt.virtio.TestDriver.RAM_BASE;
import static jvirt.virtio.TestDriver.STATUS;
import static jvirt.virtio.TestDriver.U16;
import static jvirt.virtio.TestDriver.U32;
import static jvirt.virtio.TestDriver.U64;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Random descriptor tables and available rings, valid and hostile mixed, against the transport
 * and a queue, checked against a model of the split virtqueue that the test computes on its own
 * copy of RAM. After every table, RAM must equal the model's copy byte for byte: the device
 * wrote exactly the used ring entries, avail_event and the writable buffers of the chains it
 * accepted, and nothing else. Every accepted chain's buffers lie in RAM, no exception leaves the
 * transport, and the device refuses exactly the tables the model refuses.
 *
 * <p>{@code -Dvirtio.fuzz.seed=S -Dvirtio.fuzz.tables=N -Dvirtio.fuzz.from=I} reruns part of it.
 */
class VirtqueueFuzzTest {
    private static final long SEED = Long.getLong("virtio.fuzz.seed", 0x7669_7274_696FL);
    private static final int TABLES = Integer.getInteger("virtio.fuzz.tables", 100_000);
    private static final int FROM = Integer.getInteger("virtio.fuzz.from", 0);
    private static final int RAM = 32 * 1024;
    private static final long RAM_END = RAM_BASE + RAM;
    private static final int MAX = 16;
    /** Where rings go in the usual layout; buffers and indirect tables go above. */
    private static final long DESC = RAM_BASE;
    private static final long AVAIL = RAM_BASE + 0x100;
    private static final long USED = RAM_BASE + 0x180;
    private static final long BUFFERS = RAM_BASE + 0x400;

    record Segment(long addr, long len) {
    }

    /** A chain as the device saw it: its buffers and a checksum of what it read. */
    record Served(int head, List<Segment> readable, List<Segment> writable, long crc) {
    }

    /** Serves at once: checksums the readable part, fills the writable part, records both. */
    static final class FuzzDevice extends AbstractVirtioDevice {
        final List<Served> served = new ArrayList<>();
        MemorySegment ram;

        @Override
        public int deviceId() {
            return TestDevice.ID;
        }

        @Override
        public long features() {
            return 0;
        }

        @Override
        public List<Integer> maxQueueSizes() {
            return List.of(MAX);
        }

        @Override
        public int readConfig(int offset) {
            return 0;
        }

        @Override
        public void queueNotify(int queue) {
            lock.lock();
            try {
                serve(queue, this::handle);
            } finally {
                lock.unlock();
            }
        }

        private long handle(DescriptorChain chain) {
            List<Segment> readable = new ArrayList<>();
            List<Segment> writable = new ArrayList<>();
            CRC32 crc = new CRC32();
            byte fill = fillByte(chain.head(), chain.readableLength());
            try {
                chain.readable(0, chain.readableLength(), (part, at) -> {
                    readable.add(segment(part));
                    crc.update(part.asByteBuffer());
                });
                chain.writable(0, chain.writableLength(), (part, at) -> {
                    writable.add(segment(part));
                    part.fill(fill);
                });
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            served.add(new Served(chain.head(), readable, writable, crc.getValue()));
            if (served.size() > 100_000) {
                throw new AssertionError("the device keeps finding chains: a runaway queue");
            }
            return written(chain.head(), chain.writableLength());
        }

        private Segment segment(MemorySegment part) {
            return new Segment(RAM_BASE + part.address() - ram.address(), part.byteSize());
        }

        @Override
        public void close() {
            reset();
        }
    }

    static byte fillByte(int head, long readableLength) {
        return (byte) (head * 37 + readableLength + 11);
    }

    /** What the device claims to have written: exact, too much or too little. */
    static long written(int head, long writableLength) {
        return switch (head % 3) {
            case 0 -> writableLength;
            case 1 -> writableLength + 100;
            default -> writableLength / 2;
        };
    }

    @Test
    void randomDescriptorTablesNeverTakeTheDeviceOutsideTheRingsBuffersOrRam() {
        FuzzDevice device = new FuzzDevice();
        try (TestDriver driver = new TestDriver(device, RAM)) {
            device.ram = driver.memory.segment();
            Fuzzer fuzzer = new Fuzzer(driver, device);
            long start = System.nanoTime();
            for (int i = FROM; i < TABLES; i++) {
                long seed = SEED ^ (i * 0x9E37_79B9_7F4A_7C15L);
                try {
                    fuzzer.table(new Random(seed));
                } catch (Throwable t) {
                    throw new AssertionError(String.format("table %d failed; rerun it with -Dvirtio.fuzz.seed=%d"
                            + " -Dvirtio.fuzz.from=%d -Dvirtio.fuzz.tables=%d: %s", i, SEED, i, i + 1, t), t);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("virtio fuzz (seed %d): %d tables in %.1f s, %d accepted, %d rejected, %d chains"
                    + " served%n", SEED, TABLES - FROM, seconds, fuzzer.accepted, fuzzer.rejected, fuzzer.chains);
            fuzzer.reasons.forEach((why, n) -> System.out.printf("  %7d  %s%n", n, why));
            // The mix must exercise both sides, or the fuzzer tests little.
            assertThat(fuzzer.accepted).isGreaterThan((TABLES - FROM) / 5);
            assertThat(fuzzer.rejected).isGreaterThan((TABLES - FROM) / 5);
            assertThat(fuzzer.chains).isGreaterThan(TABLES - FROM);
        }
    }

    /** Writes one random table, runs the device, and checks it against the model. */
    static final class Fuzzer {
        private final TestDriver driver;
        private final FuzzDevice device;
        private final MemorySegment ram;
        /** The model's RAM: equal to the real one between tables. */
        private final byte[] shadowBytes = new byte[RAM];
        private final MemorySegment shadow = MemorySegment.ofArray(shadowBytes);
        final Map<String, Integer> reasons = new TreeMap<>();
        int accepted;
        int rejected;
        long chains;

        // This table's queue.
        private int size;
        private long desc;
        private long avail;
        private long used;
        private boolean indirect;
        private boolean eventIdx;
        /** {address, entries} of this table's indirect tables. */
        private final List<long[]> indirectTables = new ArrayList<>();
        private final List<int[]> chainIndices = new ArrayList<>();

        Fuzzer(TestDriver driver, FuzzDevice device) {
            this.driver = driver;
            this.device = device;
            this.ram = driver.memory.segment();
            MemorySegment.copy(ram, 0, shadow, 0, RAM);
        }

        void table(Random r) {
            setUp(r);
            int n = fill(r);
            int mutations = r.nextInt(10) < 4 ? 0 : 1 + r.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                mutate(r, n);
            }
            device.served.clear();
            Model model = new Model();
            model.run();

            driver.write(QUEUE_NOTIFY, 0); // an exception here fails the test, with the seed

            String failure = driver.transport.failure();
            assertThat(failure != null).as("device refused (%s) where the model %s", failure,
                    model.failed ? "refused" : "accepted").isEqualTo(model.failed);
            assertThat((driver.read(STATUS) & NEEDS_RESET) != 0).isEqualTo(model.failed);
            assertThat(device.served).as("chains served").isEqualTo(model.served);
            for (Served s : device.served) {
                for (Segment seg : s.readable()) {
                    assertInRam(seg);
                }
                for (Segment seg : s.writable()) {
                    assertInRam(seg);
                }
            }
            assertThat(driver.read(INTERRUPT_STATUS)).as("interrupt status")
                    .isEqualTo((model.interrupt ? 1 : 0) | (model.failed ? 2 : 0));
            long at = ram.mismatch(shadow);
            if (at >= 0) {
                throw new AssertionError(String.format("RAM at 0x%x is 0x%02x, the model says 0x%02x (queue of %d at"
                        + " desc 0x%x avail 0x%x used 0x%x)", RAM_BASE + at, ram.get(ValueLayout.JAVA_BYTE, at),
                        shadowBytes[(int) at], size, desc, avail, used));
            }

            chains += device.served.size();
            if (failure == null) {
                accepted++;
            } else {
                rejected++;
                reasons.merge(failure.replaceAll("0x[0-9a-f]+|\\d+", "N"), 1, Integer::sum);
            }
        }

        private static void assertInRam(Segment s) {
            assertThat(s.addr()).isBetween(RAM_BASE, RAM_END);
            assertThat(s.addr() + s.len()).isBetween(RAM_BASE, RAM_END);
        }

        /** Reset and set up one queue through the registers, with a random size, layout and features. */
        private void setUp(Random r) {
            size = 1 << r.nextInt(5);
            indirect = r.nextInt(4) != 0;
            eventIdx = r.nextBoolean();
            if (r.nextInt(5) != 0) {
                desc = DESC;
                avail = AVAIL;
                used = USED;
            } else {
                // Anywhere in RAM that fits, overlapping each other and the buffers or not.
                desc = RAM_BASE + 16L * r.nextInt((RAM - 16 * size) / 16 + 1);
                avail = RAM_BASE + 2L * r.nextInt((RAM - (6 + 2 * size)) / 2 + 1);
                used = RAM_BASE + 4L * r.nextInt((RAM - (6 + 8 * size)) / 4 + 1);
            }
            driver.write(STATUS, 0);
            driver.write(STATUS, ACKNOWLEDGE);
            driver.write(STATUS, ACKNOWLEDGE | DRIVER);
            driver.writeDriverFeatures(Features.VERSION_1 | (indirect ? Features.RING_INDIRECT_DESC : 0)
                    | (eventIdx ? Features.RING_EVENT_IDX : 0));
            driver.write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK);
            driver.write(QUEUE_SEL, 0);
            driver.write(QUEUE_NUM, size);
            driver.write(QUEUE_DESC_LOW, (int) desc);
            driver.write(QUEUE_DESC_HIGH, (int) (desc >>> 32));
            driver.write(QUEUE_DRIVER_LOW, (int) avail);
            driver.write(QUEUE_DRIVER_HIGH, (int) (avail >>> 32));
            driver.write(QUEUE_DEVICE_LOW, (int) used);
            driver.write(QUEUE_DEVICE_HIGH, (int) (used >>> 32));
            driver.write(QUEUE_READY, 1);
            driver.write(STATUS, ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
            assertThat(driver.read(STATUS)).isEqualTo(ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK);
        }

        /** Writes up to a queue's worth of chains, mostly well formed; returns how many were made available. */
        private int fill(Random r) {
            indirectTables.clear();
            chainIndices.clear();
            int n = r.nextInt(size + 1);
            List<Integer> free = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                free.add(i);
            }
            Collections.shuffle(free, r);
            if (r.nextInt(10) == 0) {
                for (int i = 0; i < size; i++) {
                    randomDescriptor(r, desc, i);
                }
            }
            int[] heads = new int[n];
            for (int k = 0; k < n; k++) {
                boolean makeIndirect = r.nextInt(indirect ? 3 : 40) == 0;
                if (makeIndirect) {
                    int head = free.isEmpty() ? r.nextInt(size) : free.removeLast();
                    int entries = r.nextInt(20) == 0 ? 1 + r.nextInt(MAX + 2) : 1 + r.nextInt(6);
                    long table = BUFFERS + 16L * r.nextInt((int) (RAM_END - BUFFERS - 16L * entries) / 16);
                    if (r.nextInt(30) == 0) {
                        table += 8; // well formed but only 8-byte aligned
                    }
                    int[] idx = new int[entries];
                    for (int j = 0; j < entries; j++) {
                        idx[j] = j;
                    }
                    writeChain(r, table, idx, entries);
                    putDescriptor(desc, head, table, 16L * entries, F_INDIRECT, r.nextInt(size));
                    indirectTables.add(new long[] {table, entries});
                    chainIndices.add(new int[] {head});
                    heads[k] = head;
                } else {
                    int length = 1 + r.nextInt(Math.min(4, Math.max(1, free.size())));
                    int[] idx = new int[length];
                    for (int j = 0; j < length; j++) {
                        idx[j] = free.isEmpty() ? r.nextInt(size) : free.removeLast();
                    }
                    writeChain(r, desc, idx, size);
                    chainIndices.add(idx);
                    heads[k] = idx[0];
                }
            }
            for (int k = 0; k < n; k++) {
                put16(avail + 4 + 2L * k, heads[k]);
            }
            put16(avail, r.nextInt(4) == 0 ? 1 : 0); // NO_INTERRUPT, sometimes
            put16(avail + 4 + 2L * size, r.nextInt(4) == 0 ? r.nextInt(65536) : r.nextInt(n + 1)); // used_event
            put16(avail + 2, n);
            return n;
        }

        /** Descriptors {@code idx} of {@code table} as one chain: readable ones, then writable ones. */
        private void writeChain(Random r, long table, int[] idx, int tableSize) {
            int readable = r.nextInt(idx.length + 1);
            for (int j = 0; j < idx.length; j++) {
                long len = bufferLength(r);
                long addr = BUFFERS + (long) (r.nextDouble() * (RAM_END - BUFFERS - len + 1));
                int flags = (j >= readable ? F_WRITE : 0) | (j + 1 < idx.length ? F_NEXT : 0);
                int next = j + 1 < idx.length ? idx[j + 1] : r.nextInt(tableSize);
                putDescriptor(table, idx[j], addr, len, flags, next);
            }
        }

        private static long bufferLength(Random r) {
            return switch (r.nextInt(10)) {
                case 0 -> 0;
                case 1, 2, 3, 4 -> 1 + r.nextInt(64);
                case 5, 6, 7 -> 1 + r.nextInt(1024);
                default -> 1 + r.nextInt(8192);
            };
        }

        private void mutate(Random r, int n) {
            long table = desc;
            int entries = size;
            if (!indirectTables.isEmpty() && r.nextInt(3) == 0) {
                long[] t = indirectTables.get(r.nextInt(indirectTables.size()));
                table = t[0];
                entries = (int) t[1];
            }
            int i = r.nextInt(entries);
            long d = table + 16L * i;
            switch (r.nextInt(12)) {
                case 0 -> put64(d, hostileAddress(r));
                case 1 -> put32(d + 8, (int) hostileLength(r));
                case 2 -> {
                    put64(d, hostileAddress(r));
                    put32(d + 8, (int) hostileLength(r));
                }
                case 3 -> put16(d + 12, r.nextInt(3) == 0 ? r.nextInt(65536) : r.nextInt(8));
                case 4 -> put16(d + 14, switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(65536);
                    case 1 -> i; // a self-loop, if NEXT is set
                    case 2 -> entries + r.nextInt(2);
                    default -> r.nextInt(entries);
                });
                case 5 -> {
                    // A loop back to the start of one chain.
                    if (!chainIndices.isEmpty()) {
                        int[] chain = chainIndices.get(r.nextInt(chainIndices.size()));
                        long last = desc + 16L * chain[chain.length - 1];
                        put16(last + 12, get16(last + 12) | F_NEXT);
                        put16(last + 14, chain[r.nextInt(chain.length)]);
                    }
                }
                case 6 -> {
                    for (int b = 0; b < 16; b += 8) {
                        put64(d + b, r.nextLong());
                    }
                }
                case 7 -> {
                    // Bend an indirect descriptor: misaligned, odd or outsized length, NEXT.
                    put16(d + 12, get16(d + 12) | F_INDIRECT);
                    switch (r.nextInt(4)) {
                        case 0 -> put64(d, get64(d) + 1 + r.nextInt(15));
                        case 1 -> put32(d + 8, r.nextInt(4) * 16 + 1 + r.nextInt(15));
                        case 2 -> put32(d + 8, 16 * (MAX + 1 + r.nextInt(4)));
                        default -> put16(d + 12, get16(d + 12) | F_NEXT);
                    }
                }
                case 8 -> put16(avail + 4 + 2L * r.nextInt(size), switch (r.nextInt(3)) {
                    case 0 -> size + r.nextInt(size);
                    case 1 -> 0xFFFF;
                    default -> r.nextInt(size);
                });
                case 9 -> put16(avail + 2, switch (r.nextInt(4)) {
                    case 0 -> n + 1 + r.nextInt(3);
                    case 1 -> size + 1;
                    case 2 -> 0xFFFF;
                    default -> r.nextInt(65536);
                });
                case 10 -> {
                    int bit = r.nextInt(16 * 8);
                    long at = d + bit / 8;
                    put8(at, get8(at) ^ (1 << (bit % 8)));
                }
                default -> put16(d + 12, get16(d + 12) ^ F_WRITE); // readable after writable, often
            }
        }

        private static long hostileAddress(Random r) {
            return switch (r.nextInt(12)) {
                case 0 -> RAM_BASE - 1 - r.nextInt(64);
                case 1 -> RAM_END - r.nextInt(64);
                case 2 -> RAM_END + r.nextInt(64);
                case 3 -> 0;
                case 4 -> -1L - r.nextInt(64);
                case 5 -> Long.MIN_VALUE + r.nextInt(64);
                case 6 -> r.nextLong();
                case 7 -> 0xFFFF_FFFF_FFFF_F000L;
                case 8 -> RAM_BASE + (1L << 32) + r.nextInt(RAM);
                default -> RAM_BASE + r.nextInt(RAM);
            };
        }

        private static long hostileLength(Random r) {
            return switch (r.nextInt(9)) {
                case 0 -> 0;
                case 1 -> 0xFFFF_FFFFL;
                case 2 -> 0x8000_0000L;
                case 3 -> RAM;
                case 4 -> RAM + 1;
                case 5 -> 16L * (MAX + 1);
                case 6 -> Integer.toUnsignedLong(r.nextInt());
                default -> r.nextInt(RAM);
            };
        }

        private void randomDescriptor(Random r, long table, int i) {
            long d = table + 16L * i;
            put64(d, r.nextBoolean() ? hostileAddress(r) : RAM_BASE + r.nextInt(RAM));
            put32(d + 8, r.nextBoolean() ? (int) hostileLength(r) : r.nextInt(256));
            put16(d + 12, r.nextInt(8));
            put16(d + 14, r.nextInt(size + 1));
        }

        // ---- writes by the driver go to RAM and to the model's copy ----

        private void putDescriptor(long table, int i, long addr, long len, int flags, int next) {
            long d = table + 16L * i;
            put64(d, addr);
            put32(d + 8, (int) len);
            put16(d + 12, flags);
            put16(d + 14, next);
        }

        private void put8(long paddr, int v) {
            ram.set(ValueLayout.JAVA_BYTE, paddr - RAM_BASE, (byte) v);
            shadow.set(ValueLayout.JAVA_BYTE, paddr - RAM_BASE, (byte) v);
        }

        private void put16(long paddr, int v) {
            ram.set(U16, paddr - RAM_BASE, (short) v);
            shadow.set(U16, paddr - RAM_BASE, (short) v);
        }

        private void put32(long paddr, int v) {
            ram.set(U32, paddr - RAM_BASE, v);
            shadow.set(U32, paddr - RAM_BASE, v);
        }

        private void put64(long paddr, long v) {
            ram.set(U64, paddr - RAM_BASE, v);
            shadow.set(U64, paddr - RAM_BASE, v);
        }

        private int get8(long paddr) {
            return shadow.get(ValueLayout.JAVA_BYTE, paddr - RAM_BASE) & 0xFF;
        }

        private int get16(long paddr) {
            return shadow.get(U16, paddr - RAM_BASE) & 0xFFFF;
        }

        private long get64(long paddr) {
            return shadow.get(U64, paddr - RAM_BASE);
        }

        /**
         * The split virtqueue of virtio 1.2 §2.7, served by {@link FuzzDevice}, worked out on the
         * model's copy of RAM in the order the device reads and writes, so that the device's
         * writes into buffers that overlap rings and tables are followed too.
         */
        final class Model {
            final List<Served> served = new ArrayList<>();
            boolean failed;
            boolean interrupt;

            private int u16(long paddr) {
                return shadow.get(U16, paddr - RAM_BASE) & 0xFFFF;
            }

            private void w16(long paddr, int v) {
                shadow.set(U16, paddr - RAM_BASE, (short) v);
            }

            private void w32(long paddr, int v) {
                shadow.set(U32, paddr - RAM_BASE, v);
            }

            private boolean inRam(long addr, long len) {
                long offset = addr - RAM_BASE;
                return Long.compareUnsigned(offset, RAM) < 0 && len <= RAM - offset;
            }

            void run() {
                int lastAvail = 0;
                int usedIdx = 0;
                int signalled = 0;
                while (true) {
                    int pending = (u16(avail + 2) - lastAvail) & 0xFFFF;
                    if (pending > size) {
                        failed = true;
                        return;
                    }
                    if (pending == 0) {
                        return;
                    }
                    int head = u16(avail + 4 + 2L * (lastAvail & (size - 1)));
                    lastAvail = (lastAvail + 1) & 0xFFFF;
                    if (eventIdx) {
                        w16(used + 4 + 8L * size, lastAvail);
                    }
                    long[] chain = parse(head);
                    if (chain == null) {
                        failed = true;
                        return;
                    }
                    long written = serve(head, chain);
                    long elem = used + 4 + 8L * (usedIdx & (size - 1));
                    w32(elem, head);
                    w32(elem + 4, (int) written);
                    usedIdx = (usedIdx + 1) & 0xFFFF;
                    w16(used + 2, usedIdx);
                    if (!eventIdx) {
                        interrupt |= (u16(avail) & 1) == 0;
                    } else {
                        int usedEvent = u16(avail + 4 + 2L * size);
                        interrupt |= ((usedIdx - usedEvent - 1) & 0xFFFF) < ((usedIdx - signalled) & 0xFFFF);
                        signalled = usedIdx;
                    }
                }
            }

            /**
             * The chain's buffers as {addr, len, writable} triples, or {@code null} where the device
             * must refuse it: §2.7.5 (chains, loops, next), §2.7.5.3 (indirect tables: negotiated,
             * not nested, no NEXT, the chain's only descriptor, a whole number of descriptors, at
             * most a queue's worth, 16-byte aligned — the last two this device's own limits) and
             * §2.7.4 (readable buffers before writable ones; a zero-length writable buffer before a
             * readable one is let through, as no byte of it is either).
             */
            private long[] parse(int head) {
                if (head >= size) {
                    return null;
                }
                List<Long> out = new ArrayList<>();
                long table = desc;
                int tableSize = size;
                boolean inIndirect = false;
                int index = head;
                int visited = 0;
                long writable = 0;
                while (true) {
                    long d = table + 16L * index;
                    long addr = shadow.get(U64, d - RAM_BASE);
                    long len = Integer.toUnsignedLong(shadow.get(U32, d + 8 - RAM_BASE));
                    int flags = u16(d + 12);
                    int next = u16(d + 14);
                    if (++visited > tableSize) {
                        return null;
                    }
                    if ((flags & F_INDIRECT) != 0) {
                        if (!indirect || inIndirect || (flags & F_NEXT) != 0 || !out.isEmpty()) {
                            return null;
                        }
                        if (len == 0 || len % 16 != 0 || len / 16 > MAX || (addr & 15) != 0 || !inRam(addr, len)) {
                            return null;
                        }
                        table = addr;
                        tableSize = (int) (len / 16);
                        inIndirect = true;
                        index = 0;
                        visited = 0;
                        continue;
                    }
                    if (!inRam(addr, len)) {
                        return null;
                    }
                    boolean w = (flags & F_WRITE) != 0;
                    if (!w && writable > 0) {
                        return null;
                    }
                    if (w) {
                        writable += len;
                    }
                    out.add(addr);
                    out.add(len);
                    out.add(w ? 1L : 0L);
                    if ((flags & F_NEXT) == 0) {
                        return out.stream().mapToLong(Long::longValue).toArray();
                    }
                    if (next >= tableSize) {
                        return null;
                    }
                    index = next;
                }
            }

            /** What {@link FuzzDevice#handle} does, on the copy; returns the used length. */
            private long serve(int head, long[] chain) {
                List<Segment> readable = new ArrayList<>();
                List<Segment> writable = new ArrayList<>();
                long readableLength = 0;
                long writableLength = 0;
                CRC32 crc = new CRC32();
                for (int i = 0; i < chain.length; i += 3) {
                    if (chain[i + 2] == 0) {
                        readableLength += chain[i + 1];
                    } else {
                        writableLength += chain[i + 1];
                    }
                }
                for (int i = 0; i < chain.length; i += 3) {
                    if (chain[i + 2] == 0 && chain[i + 1] > 0) {
                        readable.add(new Segment(chain[i], chain[i + 1]));
                        crc.update(shadowBytes, (int) (chain[i] - RAM_BASE), (int) chain[i + 1]);
                    }
                }
                byte fill = fillByte(head, readableLength);
                for (int i = 0; i < chain.length; i += 3) {
                    if (chain[i + 2] == 1 && chain[i + 1] > 0) {
                        writable.add(new Segment(chain[i], chain[i + 1]));
                        int from = (int) (chain[i] - RAM_BASE);
                        Arrays.fill(shadowBytes, from, from + (int) chain[i + 1], fill);
                    }
                }
                served.add(new Served(head, readable, writable, crc.getValue()));
                return Math.min(written(head, writableLength), writableLength);
            }
        }
    }
}
