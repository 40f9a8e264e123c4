package jvirt.virtio;

import static jvirt.virtio.TestDriver.F_INDIRECT;
import static jvirt.virtio.TestDriver.F_NEXT;
import static jvirt.virtio.TestDriver.F_WRITE;
import static jvirt.virtio.TestDriver.RAM_BASE;
import static jvirt.virtio.TestDriver.range;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.List;
import java.util.stream.Stream;
import jvirt.virtio.TestDriver.Buf;
import jvirt.virtio.TestDriver.DriverQueue;
import jvirt.virtio.TestDriver.Snapshot;
import jvirt.virtio.TestDriver.Used;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A driver that writes whatever it likes into its rings. Each test shows the device refusing
 * cleanly: DEVICE_NEEDS_RESET and a config interrupt, no exception out of the transport, nothing
 * served, and no byte of RAM changed outside the used ring. (Memory outside RAM is out of reach:
 * every access goes through a bounds-checked segment, so an escape would be an exception here.)
 */
class HostileVirtqueueTest {
    private static final int SIZE = 16;
    private static final long RAM_END = RAM_BASE + (1 << 20);

    private final TestDevice device = new TestDevice(SIZE);
    private final TestDriver driver = new TestDriver(device);
    private DriverQueue q;
    private long scratch;

    @AfterEach
    void close() {
        driver.close();
    }

    private DriverQueue start(long features) {
        q = driver.start(features, SIZE).getFirst();
        scratch = driver.alloc(4096, 16);
        return q;
    }

    private DriverQueue start() {
        return start(Features.RING_INDIRECT_DESC);
    }

    /** Notifies and checks the device refused: the failure names {@code why}. */
    private void assertRefused(String why) {
        Snapshot before = driver.snapshot();
        int servedBefore = device.served.size();
        int usedBefore = q.usedIdx();
        assertThatCode(q::kick).doesNotThrowAnyException();
        assertThat(driver.needsReset()).as("DEVICE_NEEDS_RESET").isTrue();
        assertThat(driver.transport.failure()).containsIgnoringCase(why);
        assertThat(device.served).hasSize(servedBefore);
        assertThat(q.usedIdx()).isEqualTo(usedBefore);
        assertThat(driver.interruptStatus() & 2).as("config change interrupt").isEqualTo(2);
        assertThat(driver.line.asserted()).isTrue();
        before.assertOnlyChanged(q.usedRing());

        // Stopped until a reset: a notification is not even passed on.
        int notifications = device.notifications.size();
        q.kick();
        assertThat(device.notifications).hasSize(notifications);
    }

    @Test
    void aDescriptorLoopPutsTheDeviceInNeedsReset() {
        start();
        q.descriptor(0, scratch, 64, F_NEXT, 0);
        q.publish(0);
        assertRefused("loop");
    }

    @Test
    void aTwoDescriptorCyclePutsTheDeviceInNeedsReset() {
        start();
        q.descriptor(0, scratch, 64, F_NEXT, 1);
        q.descriptor(1, scratch, 64, F_NEXT, 0);
        q.publish(0);
        assertRefused("loop");
    }

    @Test
    void aCycleThroughTheWholeTablePutsTheDeviceInNeedsReset() {
        // 0 -> 1 -> ... -> 15 -> 3: every descriptor is visited once before the cycle shows.
        start();
        for (int i = 0; i < SIZE; i++) {
            q.descriptor(i, scratch, 8, F_NEXT, i + 1 < SIZE ? i + 1 : 3);
        }
        q.publish(0);
        assertRefused("loop");
    }

    @Test
    void aChainAsLongAsTheWholeTableIsServed() {
        // The boundary of the loop check: SIZE descriptors, no repeat.
        start();
        for (int i = 0; i < SIZE; i++) {
            q.descriptor(i, scratch + 8L * i, 8, F_WRITE | (i + 1 < SIZE ? F_NEXT : 0), i + 1);
        }
        q.publish(0);
        q.kick();
        assertThat(q.takeUsed()).containsExactly(new Used(0, 8 * SIZE));
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void aLoopInsideAnIndirectTablePutsTheDeviceInNeedsReset() {
        start();
        long table = driver.alloc(64, 16);
        driver.descriptor(table, 0, scratch, 8, F_NEXT, 1);
        driver.descriptor(table, 1, scratch, 8, F_NEXT, 2);
        driver.descriptor(table, 2, scratch, 8, F_NEXT, 3);
        driver.descriptor(table, 3, scratch, 8, F_NEXT, 1);
        q.descriptor(0, table, 64, F_INDIRECT, 0);
        q.publish(0);
        assertRefused("loop");
    }

    @Test
    void anIndirectTableLongerThanTheQueueIsRefused() {
        // §2.7.5.3.1: no chain is longer than the queue, indirect ones included.
        start();
        long table = driver.alloc(16L * (SIZE + 1), 16);
        for (int i = 0; i <= SIZE; i++) {
            driver.descriptor(table, i, scratch, 8, i < SIZE ? F_NEXT : 0, i + 1);
        }
        q.descriptor(0, table, 16L * (SIZE + 1), F_INDIRECT, 0);
        q.publish(0);
        assertRefused("indirect table");
    }

    @Test
    void anIndirectTableAsLongAsTheQueueIsServed() {
        start();
        Buf[] bufs = new Buf[SIZE];
        for (int i = 0; i < SIZE; i++) {
            bufs[i] = i < 4 ? driver.readable(new byte[] {(byte) i}) : driver.writable(3);
        }
        q.addIndirect(bufs);
        q.kick();
        assertThat(q.takeUsed()).containsExactly(new Used(0, 3 * (SIZE - 4)));
        assertThat(device.served.getFirst().readableLength()).isEqualTo(4);
    }

    @Test
    void aNextIndexPastTheTableIsRefused() {
        start();
        q.descriptor(0, scratch, 8, F_NEXT, SIZE);
        q.publish(0);
        assertRefused("past its table");
    }

    @Test
    void aNextIndexPastAnIndirectTableIsRefused() {
        // In range for the queue (16) but not for the 2-entry indirect table.
        start();
        long table = driver.alloc(32, 16);
        driver.descriptor(table, 0, scratch, 8, F_NEXT, 1);
        driver.descriptor(table, 1, scratch, 8, F_NEXT, 5);
        q.descriptor(0, table, 32, F_INDIRECT, 0);
        q.publish(0);
        assertRefused("past its table");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {SIZE, SIZE + 1, 0x7FFF, 0xFFFF})
    void aHeadIndexPastTheQueueIsRefused(int head) {
        start();
        q.publish(head);
        assertRefused("past the queue");
    }

    static Stream<Arguments> buffersOutsideRam() {
        return Stream.of(
                Arguments.of("just below RAM", RAM_BASE - 8, 8L),
                Arguments.of("straddling the start of RAM", RAM_BASE - 8, 16L),
                Arguments.of("at the end of RAM", RAM_END, 8L),
                Arguments.of("straddling the end of RAM", RAM_END - 8, 16L),
                Arguments.of("at address 0", 0L, 64L),
                Arguments.of("at 2^63", Long.MIN_VALUE, 64L),
                Arguments.of("wrapping past 2^64", 0xFFFF_FFFF_FFFF_F000L, 0x2000L),
                Arguments.of("at the last byte of the address space", -1L, 2L),
                Arguments.of("in RAM but 4 GiB long", RAM_BASE, 0xFFFF_FFFFL),
                Arguments.of("a 4 GiB length that would wrap a 32-bit sum", RAM_END - 16, 0xFFFF_FFF0L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("buffersOutsideRam")
    void aReadableBufferOutsideRamIsRefused(String where, long addr, long len) {
        start();
        q.descriptor(0, addr, len, 0, 0);
        q.publish(0);
        assertRefused("outside RAM");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("buffersOutsideRam")
    void aWritableBufferOutsideRamIsRefused(String where, long addr, long len) {
        start();
        q.descriptor(0, scratch, 16, F_NEXT, 1);
        q.descriptor(1, addr, len, F_WRITE, 0);
        q.publish(0);
        assertRefused("outside RAM");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("buffersOutsideRam")
    void aBufferOutsideRamInsideAnIndirectTableIsRefused(String where, long addr, long len) {
        start();
        long table = driver.alloc(32, 16);
        driver.descriptor(table, 0, scratch, 16, F_NEXT, 1);
        driver.descriptor(table, 1, addr, len, F_WRITE, 0);
        q.descriptor(0, table, 32, F_INDIRECT, 0);
        q.publish(0);
        assertRefused("outside RAM");
    }

    @Test
    void aBufferEndingAtTheLastByteOfRamIsServed() {
        start();
        q.add(Buf.writable(RAM_END - 32, 32));
        Snapshot before = driver.snapshot();
        q.kick();
        assertThat(q.takeUsed()).containsExactly(new Used(0, 32));
        before.assertOnlyChanged(q.usedRing(), range(RAM_END - 32, 32));
    }

    @Test
    void zeroLengthBuffersAreServedAndNothingIsWrittenThroughThem() {
        start();
        long spot = scratch + 256;
        q.add(Buf.readable(spot, 0), Buf.writable(spot, 0), Buf.writable(spot + 16, 0));
        Snapshot before = driver.snapshot();
        q.kick();
        assertThat(q.takeUsed()).containsExactly(new Used(0, 0));
        assertThat(device.served.getFirst().writable()).isEmpty();
        before.assertOnlyChanged(q.usedRing());
    }

    @Test
    void aNestedIndirectTableIsRefused() {
        start();
        long inner = driver.indirectTable(Buf.writable(scratch, 8));
        long outer = driver.alloc(16, 16);
        driver.descriptor(outer, 0, inner, 16, F_INDIRECT, 0);
        q.descriptor(0, outer, 16, F_INDIRECT, 0);
        q.publish(0);
        assertRefused("nested");
    }

    @Test
    void anIndirectDescriptorWithNextIsRefused() {
        start();
        long table = driver.indirectTable(Buf.writable(scratch, 8));
        q.descriptor(0, table, 16, F_INDIRECT | F_NEXT, 1);
        q.descriptor(1, scratch + 64, 8, F_WRITE, 0);
        q.publish(0);
        assertRefused("NEXT");
    }

    static Stream<Arguments> badIndirectTables() {
        return Stream.of(
                // The spec does not ask drivers for aligned indirect tables; this device does
                // (Linux's kmalloc'd tables are), and refuses cleanly otherwise.
                Arguments.of("misaligned", 8L, 32L),
                Arguments.of("empty", 0L, 0L),
                Arguments.of("a length that is not a whole number of descriptors", 0L, 24L),
                Arguments.of("a length shorter than one descriptor", 0L, 8L),
                Arguments.of("a 4 GiB length", 0L, 0xFFFF_FFF0L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badIndirectTables")
    void aBadIndirectTableIsRefused(String what, long misalign, long len) {
        start();
        long table = driver.indirectTable(Buf.writable(scratch, 8), Buf.writable(scratch + 8, 8));
        q.descriptor(0, table + misalign, len, F_INDIRECT, 0);
        q.publish(0);
        assertRefused("indirect table");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(longs = {0L, RAM_BASE - 16, 0xFFFF_FFFF_FFFF_FFF0L})
    void anIndirectTableOutsideRamIsRefused(long addr) {
        start();
        q.descriptor(0, addr, 32, F_INDIRECT, 0);
        q.publish(0);
        assertRefused("indirect table");
    }

    @Test
    void anIndirectTableRunningPastTheEndOfRamIsRefused() {
        start();
        q.descriptor(0, RAM_END - 16, 32, F_INDIRECT, 0);
        q.publish(0);
        assertRefused("indirect table");
    }

    @Test
    void anIndirectDescriptorWithoutTheFeatureIsRefused() {
        start(0);
        long table = driver.indirectTable(Buf.writable(scratch, 8));
        q.descriptor(0, table, 16, F_INDIRECT, 0);
        q.publish(0);
        assertRefused("RING_INDIRECT_DESC");
    }

    @Test
    void anIndirectDescriptorAfterDirectOnesIsRefused() {
        // §2.7.5.3.1: the indirect descriptor is the chain's only one.
        start();
        long table = driver.indirectTable(Buf.writable(scratch, 8));
        q.descriptor(0, scratch + 64, 16, F_NEXT, 1);
        q.descriptor(1, table, 16, F_INDIRECT, 0);
        q.publish(0);
        assertRefused("after direct");
    }

    @Test
    void aReadableBufferAfterAWritableOneIsRefused() {
        start();
        q.add(Buf.readable(scratch, 16), Buf.writable(scratch + 16, 16), Buf.readable(scratch + 32, 16));
        assertRefused("readable buffer after");
    }

    @Test
    void aReadableBufferAfterAWritableOneInsideAnIndirectTableIsRefused() {
        start();
        q.addIndirect(Buf.writable(scratch + 16, 16), Buf.readable(scratch, 16));
        assertRefused("readable buffer after");
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {SIZE + 1, 2 * SIZE, 0x8000, 0xFFFF})
    void anAvailableIndexMoreThanAQueueAheadIsRefused(int idx) {
        // The shape of QEMU's CVE-2016-5403: more requests than the queue has slots, which a
        // device that trusts the index keeps serving (and queueing) without end.
        start();
        for (int i = 0; i < SIZE; i++) {
            q.chain(driver.writable(4));
            driver.put16(q.avail + 4 + 2L * i, i);
        }
        q.availIdx(idx);
        assertRefused("ahead");
    }

    @Test
    void anAvailableIndexExactlyAQueueAheadIsServed() {
        start();
        for (int i = 0; i < SIZE; i++) {
            q.add(driver.writable(4));
        }
        q.kick();
        assertThat(q.takeUsed()).hasSize(SIZE);
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void chainsBeforeABadOneAreServedAndNothingAfterIt() {
        start();
        Buf first = driver.writable(8);
        Buf last = driver.writable(8);
        q.add(first);
        int bad = q.chain(Buf.readable(RAM_END, 8));
        q.publish(bad);
        q.add(last);
        Snapshot before = driver.snapshot();
        q.kick();
        assertThat(q.takeUsed()).containsExactly(new Used(0, 8));
        assertThat(driver.needsReset()).isTrue();
        assertThat(driver.bytes(last)).containsOnly(TestDriver.UNWRITTEN);
        before.assertOnlyChanged(q.usedRing(), range(first));
        // Both interrupts: the served chain's and the failure's.
        assertThat(driver.interruptStatus()).isEqualTo(3);
    }

    @Test
    void withEventIdxARefusedChainChangesNothingButAvailEvent() {
        start(Features.RING_INDIRECT_DESC | Features.RING_EVENT_IDX);
        q.descriptor(0, scratch, 8, F_NEXT, 0);
        q.publish(0);
        assertRefused("loop");
        // The device took the entry, and says so in avail_event; that is all it wrote.
        assertThat(q.availEvent()).isEqualTo(1);
        assertThat(q.usedIdx()).isZero();
    }

    @Test
    void afterAResetTheSameDeviceServesAGoodChain() {
        start();
        q.descriptor(0, scratch, 8, F_NEXT, 0);
        q.publish(0);
        assertRefused("loop");
        List<DriverQueue> again = driver.start(0, SIZE);
        Buf b = driver.writable(8);
        again.getFirst().add(b);
        again.getFirst().kick();
        assertThat(again.getFirst().takeUsed()).containsExactly(new Used(0, 8));
        assertThat(driver.bytes(b)).containsOnly(device.fill);
    }
}
