package jvirt.virtio;

import static jvirt.virtio.TestDriver.ACKNOWLEDGE;
import static jvirt.virtio.TestDriver.CONFIG;
import static jvirt.virtio.TestDriver.CONFIG_GENERATION;
import static jvirt.virtio.TestDriver.DEVICE_FEATURES;
import static jvirt.virtio.TestDriver.DEVICE_FEATURES_SEL;
import static jvirt.virtio.TestDriver.DEVICE_ID;
import static jvirt.virtio.TestDriver.DRIVER;
import static jvirt.virtio.TestDriver.DRIVER_FEATURES;
import static jvirt.virtio.TestDriver.DRIVER_FEATURES_SEL;
import static jvirt.virtio.TestDriver.DRIVER_OK;
import static jvirt.virtio.TestDriver.FEATURES_OK;
import static jvirt.virtio.TestDriver.F_NEXT;
import static jvirt.virtio.TestDriver.INTERRUPT_ACK;
import static jvirt.virtio.TestDriver.INTERRUPT_STATUS;
import static jvirt.virtio.TestDriver.MAGIC_VALUE;
import static jvirt.virtio.TestDriver.NEEDS_RESET;
import static jvirt.virtio.TestDriver.QUEUE_DESC_LOW;
import static jvirt.virtio.TestDriver.QUEUE_NOTIFY;
import static jvirt.virtio.TestDriver.QUEUE_NUM;
import static jvirt.virtio.TestDriver.QUEUE_NUM_MAX;
import static jvirt.virtio.TestDriver.QUEUE_READY;
import static jvirt.virtio.TestDriver.QUEUE_SEL;
import static jvirt.virtio.TestDriver.RAM_BASE;
import static jvirt.virtio.TestDriver.SHM_LEN_HIGH;
import static jvirt.virtio.TestDriver.SHM_LEN_LOW;
import static jvirt.virtio.TestDriver.STATUS;
import static jvirt.virtio.TestDriver.VENDOR_ID;
import static jvirt.virtio.TestDriver.VERSION;
import static jvirt.virtio.TestDriver.range;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.stream.Stream;
import jvirt.virtio.TestDriver.Buf;
import jvirt.virtio.TestDriver.DriverQueue;
import jvirt.virtio.TestDriver.Used;
import jvirt.virtio.console.VirtioConsole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MmioTransportTest {
    private static final long DEVICE_BITS = Features.bit(0) | Features.bit(3);
    private static final byte[] CONFIG_BYTES = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88};
    private static final long RAM_END = RAM_BASE + (1 << 20);

    private final TestDevice device = new TestDevice(DEVICE_BITS, List.of(16, 8), CONFIG_BYTES);
    private final SpyDevice spy = new SpyDevice(device);
    private final TestDriver driver = new TestDriver(spy);

    {
        device.ram(driver.memory);
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void identifiesAsAVersion2VirtioMmioDevice() {
        assertThat(driver.read(MAGIC_VALUE)).isEqualTo(0x74726976); // "virt", little-endian
        assertThat(driver.read(VERSION)).isEqualTo(2);
        assertThat(driver.read(DEVICE_ID)).isEqualTo(TestDevice.ID);
        assertThat(driver.read(VENDOR_ID)).isEqualTo(0x554D4551);
    }

    @Test
    void offersTheDevicesFeaturesPlusVersion1AndTheRingFeatures() {
        assertThat(driver.deviceFeatures()).isEqualTo(DEVICE_BITS | Features.VERSION_1 | Features.RING_INDIRECT_DESC
                | Features.RING_EVENT_IDX);
        assertThat(Features.VERSION_1).isEqualTo(1L << 32);
        // Words past the second hold nothing, whatever the selector says.
        for (int sel : new int[] {2, 3, 0x7FFFFFFF, -1, Integer.MIN_VALUE}) {
            driver.write(DEVICE_FEATURES_SEL, sel);
            assertThat(driver.read(DEVICE_FEATURES)).as("features word %d", sel).isZero();
        }
    }

    @Test
    void commonRegistersIgnoreAccessesThatAreNot32BitsWide() {
        // §4.2.2.2: the device-independent registers take 32-bit aligned accesses only.
        assertThat(driver.transport.read(MAGIC_VALUE, 2)).isZero();
        assertThat(driver.transport.read(MAGIC_VALUE, 1)).isZero();
        assertThat(driver.transport.read(MAGIC_VALUE, 8)).isZero();
        assertThat(driver.transport.read(MAGIC_VALUE + 1, 4)).isZero();
        assertThat(driver.transport.read(MAGIC_VALUE, 4)).isEqualTo(0x74726976L);

        driver.transport.write(STATUS, 1, ACKNOWLEDGE);
        driver.transport.write(STATUS, 2, ACKNOWLEDGE);
        driver.transport.write(STATUS, 8, ACKNOWLEDGE);
        driver.transport.write(STATUS + 2, 4, ACKNOWLEDGE);
        assertThat(driver.status()).isZero();

        driver.transport.write(QUEUE_SEL, 2, 1);
        assertThat(driver.read(QUEUE_NUM_MAX)).as("queue 0 still selected").isEqualTo(16);
    }

    @Test
    void featuresTheDeviceDidNotOfferLeaveFeaturesOkClear() {
        // §3.1.1 step 6: the device refuses by not keeping FEATURES_OK, and the driver reads it back.
        assertThat(driver.negotiate(Features.VERSION_1 | Features.bit(1))).isFalse();
        assertThat(driver.status()).isEqualTo(ACKNOWLEDGE | DRIVER);
        assertThat(driver.negotiate(Features.VERSION_1 | Features.bit(40))).isFalse();
        assertThat(driver.negotiate(Features.VERSION_1 | DEVICE_BITS | Features.TRANSPORT)).isTrue();
        assertThat(driver.transport.negotiatedFeatures()).isEqualTo(Features.VERSION_1 | DEVICE_BITS
                | Features.TRANSPORT);
    }

    @Test
    void aLegacyDriverWithoutVersion1IsRefused() {
        assertThat(driver.negotiate(DEVICE_BITS)).isFalse();
        // Going on regardless with DRIVER_OK is a protocol violation.
        driver.addStatus(DRIVER_OK);
        assertThat(driver.needsReset()).isTrue();
        assertThat(spy.activations).isZero();
    }

    @Test
    void aDriverMayRetryFeaturesAfterARefusal() {
        assertThat(driver.negotiate(Features.VERSION_1 | Features.bit(1))).isFalse();
        driver.writeDriverFeatures(Features.VERSION_1);
        driver.addStatus(FEATURES_OK);
        assertThat(driver.status() & FEATURES_OK).isNotZero();
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void driverFeaturesAreFrozenOnceFeaturesOkIsSet() {
        assertThat(driver.negotiate(Features.VERSION_1)).isTrue();
        driver.writeDriverFeatures(Features.VERSION_1 | Features.RING_EVENT_IDX | DEVICE_BITS);
        assertThat(driver.transport.negotiatedFeatures()).isEqualTo(Features.VERSION_1);
    }

    @Test
    void driverFeatureWordsPastTheSecondAreIgnored() {
        driver.reset();
        driver.addStatus(ACKNOWLEDGE | DRIVER);
        driver.writeDriverFeatures(Features.VERSION_1);
        // A selector of 2 or more (or one that is negative as a signed int) selects nothing.
        for (int sel : new int[] {2, -1, Integer.MIN_VALUE, -2}) {
            driver.write(DRIVER_FEATURES_SEL, sel);
            driver.write(DRIVER_FEATURES, 0xFFFFFFFF);
        }
        assertThat(driver.transport.negotiatedFeatures()).isEqualTo(Features.VERSION_1);
        driver.addStatus(FEATURES_OK);
        assertThat(driver.status() & FEATURES_OK).isNotZero();
    }

    @Test
    void driverOkBeforeFeaturesOkPutsTheDeviceInNeedsReset() {
        driver.reset();
        driver.addStatus(ACKNOWLEDGE | DRIVER);
        driver.writeDriverFeatures(Features.VERSION_1);
        driver.addStatus(DRIVER_OK);
        assertThat(driver.status() & NEEDS_RESET).isEqualTo(64);
        assertThat(driver.status() & DRIVER_OK).isZero();
        assertThat(driver.transport.failure()).contains("FEATURES_OK");
        assertThat(spy.activations).isZero();
    }

    @Test
    void clearingStatusBitsWithoutAResetPutsTheDeviceInNeedsReset() {
        assertThat(driver.negotiate(Features.VERSION_1)).isTrue();
        driver.write(STATUS, ACKNOWLEDGE | FEATURES_OK); // DRIVER dropped
        assertThat(driver.needsReset()).isTrue();
        assertThat(driver.transport.failure()).isNotNull();
    }

    @Test
    void aResetClearsEverythingAndTheDeviceWorksAgain() {
        List<DriverQueue> qs = driver.start(Features.RING_EVENT_IDX, 16, 8);
        DriverQueue q = qs.getFirst();
        q.descriptor(0, driver.alloc(16, 8), 16, F_NEXT, 0); // a self-loop
        q.publish(0);
        q.kick();
        assertThat(driver.needsReset()).isTrue();
        assertThat(driver.interruptStatus()).isEqualTo(2); // the config interrupt tells the driver
        assertThat(driver.line.asserted()).isTrue();
        int resets = spy.resets;

        driver.reset();
        assertThat(driver.status()).isZero();
        assertThat(driver.interruptStatus()).isZero();
        assertThat(driver.line.asserted()).isFalse();
        assertThat(driver.transport.failure()).isNull();
        assertThat(driver.transport.negotiatedFeatures()).isZero();
        assertThat(spy.resets).isEqualTo(resets + 1);
        for (int i = 0; i < 2; i++) {
            driver.write(QUEUE_SEL, i);
            assertThat(driver.read(QUEUE_READY)).as("queue %d ready", i).isZero();
        }
        assertThat(device.served).isEmpty();

        // Set up again from scratch: the device starts from used index 0 and serves.
        DriverQueue again = driver.start(0, 16, 8).getFirst();
        Buf out = driver.writable(32);
        again.add(driver.readable(new byte[] {1, 2, 3}), out);
        again.kick();
        assertThat(again.takeUsed()).containsExactly(new Used(0, 32));
        assertThat(driver.bytes(out)).containsOnly(device.fill);
        assertThat(driver.needsReset()).isFalse();
    }

    static Stream<Arguments> badLayouts() {
        long desc = RAM_BASE + 0x10000;
        long avail = RAM_BASE + 0x11000;
        long used = RAM_BASE + 0x12000;
        return Stream.of(
                Arguments.of("descriptor table not 16-byte aligned", 8, desc + 8, avail, used),
                Arguments.of("available ring at an odd address", 8, desc, avail + 1, used),
                Arguments.of("used ring not 4-byte aligned", 8, desc, avail, used + 2),
                Arguments.of("descriptor table below RAM", 8, RAM_BASE - 0x1000, avail, used),
                Arguments.of("descriptor table at address 0", 8, 0L, avail, used),
                Arguments.of("used ring running past the end of RAM", 8, desc, avail, RAM_END - 64),
                Arguments.of("available ring's high word past RAM", 8, desc, avail + (1L << 32), used),
                Arguments.of("descriptor table wrapping around 2^64", 8, 0xFFFF_FFFF_FFFF_FFF0L, avail, used),
                Arguments.of("used ring at the end of RAM", 8, desc, avail, RAM_END),
                Arguments.of("size 3, not a power of two", 3, desc, avail, used),
                Arguments.of("size 12, not a power of two", 12, desc, avail, used),
                Arguments.of("size 0", 0, desc, avail, used),
                Arguments.of("size 32, more than QueueNumMax 16", 32, desc, avail, used),
                Arguments.of("size 2^31, negative as an int", Integer.MIN_VALUE, desc, avail, used));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badLayouts")
    void aQueueLayoutThatDoesNotFitIsRefusedAtQueueReady(String why, int size, long desc, long avail, long used) {
        assertThat(driver.negotiate(Features.VERSION_1)).isTrue();
        driver.queueRegisters(0, size, desc, avail, used);
        driver.write(QUEUE_READY, 1);
        assertThat(driver.read(QUEUE_READY)).isZero();
        assertThat(driver.needsReset()).isTrue();
        assertThat(driver.transport.failure()).startsWith("queue 0");
        driver.driverOk();
        assertThat(spy.activations).isZero();
    }

    @Test
    void aQueueThatEndsExactlyAtTheEndOfRamIsFine() {
        assertThat(driver.negotiate(Features.VERSION_1)).isTrue();
        long used = (RAM_END - (6 + 8 * 8)) & -4;
        driver.queue(0, 8, RAM_BASE + 0x10000, RAM_END - 128 - (6 + 2 * 8), used);
        assertThat(driver.read(QUEUE_READY)).isEqualTo(1);
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void queueRegistersAreFrozenWhileTheQueueIsReady() {
        assertThat(driver.negotiate(Features.VERSION_1)).isTrue();
        driver.queue(0, 8);
        driver.write(QUEUE_NUM, 16);
        assertThat(driver.needsReset()).isTrue();
        driver.driverOk();
        assertThat(spy.activations).isZero();
    }

    @Test
    void aQueueSizeChangedAfterDriverOkIsNotUsedAndTheDeviceNeverWritesOutsideTheOriginalRings() throws Exception {
        // The shape of Firecracker's CVE-2026-5747: the driver shrinks or grows a live queue after
        // DRIVER_OK, and a device that believed it wrote its used ring (and avail_event, which sits
        // after the ring's last entry) at the new size, outside the area the driver set up.
        // virtio-console keeps filling its receive queue without notifications, so it is the
        // device to try it on.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VirtioConsole console = new VirtioConsole(out);
        SpyDevice consoleSpy = new SpyDevice(console);
        try (TestDriver d = new TestDriver(consoleSpy)) {
            List<DriverQueue> qs = d.start(Features.RING_EVENT_IDX, 4, 4);
            DriverQueue rx = qs.get(0);
            Buf[] buffers = new Buf[4];
            for (int i = 0; i < 4; i++) {
                buffers[i] = d.writable(8);
                rx.add(buffers[i]);
            }
            TestDriver.Snapshot before = d.snapshot();

            d.write(QUEUE_SEL, 0);
            d.write(QUEUE_NUM, 128);
            d.write(QUEUE_DESC_LOW, (int) (RAM_BASE + 0x80000));
            assertThat(d.needsReset()).isTrue();
            assertThat(d.transport.failure()).contains("in use");
            Virtqueue live = consoleSpy.queues.getFirst();
            assertThat(live.size()).isEqualTo(4);
            assertThat(live.descAddr()).isEqualTo(rx.desc);

            for (byte b : "hello".getBytes()) {
                console.receive(b);
            }
            before.assertOnlyChanged(rx.usedRing(), range(buffers[0]), range(buffers[1]), range(buffers[2]),
                    range(buffers[3]));
        }
    }

    @Test
    void queueReadyCannotBeDroppedAfterDriverOk() {
        driver.start(0, 16, 8);
        driver.write(QUEUE_SEL, 1);
        driver.write(QUEUE_READY, 0);
        assertThat(driver.needsReset()).isTrue();
        driver.write(QUEUE_SEL, 1);
        assertThat(driver.read(QUEUE_READY)).isEqualTo(1);
    }

    @Test
    void notificationsForQueuesThatAreNotReadyOrDoNotExistAreIgnored() {
        assertThat(driver.negotiate(Features.VERSION_1)).isTrue();
        DriverQueue q = driver.queue(0, 16);
        q.add(driver.writable(4));
        q.kick(); // before DRIVER_OK
        driver.driverOk();
        for (int index : new int[] {1, 2, 0x7FFFFFFF, -1}) {
            driver.write(QUEUE_NOTIFY, index);
        }
        assertThat(spy.notifications).isEmpty();
        assertThat(driver.needsReset()).isFalse();
        q.kick();
        assertThat(spy.notifications).containsExactly(0);
        assertThat(q.takeUsed()).hasSize(1);
    }

    @Test
    void notificationsAreIgnoredOnceTheDeviceNeedsAReset() {
        DriverQueue q = driver.start(0, 16, 8).getFirst();
        driver.write(QUEUE_NUM, 4); // a violation: queue 0 is live
        assertThat(driver.needsReset()).isTrue();
        q.add(driver.writable(4));
        q.kick();
        assertThat(spy.notifications).isEmpty();
        assertThat(q.usedIdx()).isZero();
    }

    @Test
    void aQueueSelectorPastTheQueuesSelectsNothing() {
        assertThat(driver.negotiate(Features.VERSION_1)).isTrue();
        driver.write(QUEUE_SEL, 1);
        assertThat(driver.read(QUEUE_NUM_MAX)).isEqualTo(8);
        // Selectors that are no queue, including ones negative as a signed int: the queue is
        // absent (QueueNumMax 0) and setting it up does nothing.
        for (int sel : new int[] {2, 1000, -1, Integer.MIN_VALUE}) {
            driver.write(QUEUE_SEL, sel);
            assertThat(driver.read(QUEUE_NUM_MAX)).as("QueueNumMax of %d", sel).isZero();
            assertThat(driver.read(QUEUE_READY)).isZero();
            driver.write(QUEUE_NUM, 4);
            driver.write(QUEUE_DESC_LOW, 0x1000);
            driver.write(QUEUE_READY, 1);
            assertThat(driver.read(QUEUE_READY)).isZero();
        }
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void usedBufferInterruptsAreRaisedAndAcknowledged() {
        DriverQueue q = driver.start(0, 16, 8).getFirst();
        assertThat(driver.line.asserted()).isFalse();
        q.add(driver.writable(4));
        q.kick();
        assertThat(driver.interruptStatus()).isEqualTo(1);
        assertThat(driver.line.asserted()).isTrue();

        driver.write(INTERRUPT_ACK, 1);
        assertThat(driver.interruptStatus()).isZero();
        assertThat(driver.line.asserted()).isFalse();
    }

    @Test
    void theLineStaysUpUntilEveryCauseIsAcknowledged() {
        DriverQueue q = driver.start(0, 16, 8).getFirst();
        q.add(driver.writable(4));
        q.kick();
        driver.transport.configChanged();
        assertThat(driver.interruptStatus()).isEqualTo(3);
        driver.write(INTERRUPT_ACK, 1);
        assertThat(driver.interruptStatus()).isEqualTo(2);
        assertThat(driver.line.asserted()).isTrue();
        driver.write(INTERRUPT_ACK, 2);
        assertThat(driver.line.asserted()).isFalse();
    }

    @Test
    void noInterruptIsRaisedWhenTheDriverAsksForNone() {
        // VIRTQ_AVAIL_F_NO_INTERRUPT without EVENT_IDX (§2.7.7).
        DriverQueue q = driver.start(0, 16, 8).getFirst();
        q.availFlags(1);
        q.add(driver.writable(4));
        q.kick();
        assertThat(q.takeUsed()).hasSize(1);
        assertThat(driver.interruptStatus()).isZero();
        assertThat(driver.line.raises()).isZero();
    }

    @Test
    void aConfigChangeBumpsTheGenerationAndRaisesTheConfigInterrupt() {
        driver.start(0, 16, 8);
        int generation = driver.read(CONFIG_GENERATION);
        assertThat(driver.read(CONFIG_GENERATION)).isEqualTo(generation);
        driver.transport.configChanged();
        assertThat(driver.read(CONFIG_GENERATION)).isNotEqualTo(generation);
        assertThat(driver.read(INTERRUPT_STATUS)).isEqualTo(2);
        assertThat(driver.line.asserted()).isTrue();
    }

    @Test
    void configSpaceReadsInEveryWidthLittleEndian() {
        assertThat(driver.transport.read(CONFIG, 1)).isEqualTo(0x11);
        assertThat(driver.transport.read(CONFIG + 1, 2)).isEqualTo(0x3322);
        assertThat(driver.transport.read(CONFIG + 4, 4)).isEqualTo(0x88776655L);
        assertThat(driver.transport.read(CONFIG, 8)).isEqualTo(0x8877665544332211L);
        assertThat(driver.transport.read(CONFIG + 6, 4)).as("past the end reads zero").isEqualTo(0x8877);
    }

    @Test
    void thereAreNoSharedMemoryRegions() {
        // §4.2.2: a region that does not exist has length 0xffffffffffffffff.
        assertThat(driver.read(SHM_LEN_LOW)).isEqualTo(-1);
        assertThat(driver.read(SHM_LEN_HIGH)).isEqualTo(-1);
    }

    @Test
    void readOnlyRegistersIgnoreWrites() {
        driver.write(MAGIC_VALUE, 0);
        driver.write(DEVICE_ID, 7);
        driver.write(QUEUE_NUM_MAX, 2);
        driver.write(INTERRUPT_STATUS, 3);
        assertThat(driver.read(MAGIC_VALUE)).isEqualTo(0x74726976);
        assertThat(driver.read(DEVICE_ID)).isEqualTo(TestDevice.ID);
        assertThat(driver.read(QUEUE_NUM_MAX)).isEqualTo(16);
        assertThat(driver.read(INTERRUPT_STATUS)).isZero();
    }
}
