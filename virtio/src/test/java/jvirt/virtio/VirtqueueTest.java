package jvirt.virtio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import jvirt.virtio.TestDriver.Buf;
import jvirt.virtio.TestDriver.DriverQueue;
import jvirt.virtio.TestDriver.Used;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The split virtqueue with a driver that follows the rules: what a device hands back and when it interrupts. */
class VirtqueueTest {
    private final TestDevice device = new TestDevice(16);
    private final TestDriver driver = new TestDriver(device);

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void maximumSizesArePowersOfTwoUpTo32768() {
        assertThat(new Virtqueue(1).maxSize()).isEqualTo(1);
        assertThat(new Virtqueue(32768).size()).isEqualTo(32768);
        for (int bad : new int[] {0, -1, 3, 100, 65536}) {
            assertThatThrownBy(() -> new Virtqueue(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aQueueThatWasNeverMadeReadyHasNothingAvailable() throws Exception {
        Virtqueue q = new Virtqueue(8);
        assertThat(q.hasAvailable()).isFalse();
        assertThat(q.pop()).isNull();
    }

    @Test
    void chainsComeBackInOrderWithTheirHeadsAndLengths() {
        DriverQueue q = driver.start(0, 16).getFirst();
        Buf a = driver.writable(10);
        Buf b = driver.writable(20);
        Buf one = driver.readable(new byte[] {1});
        int first = q.add(one, a);
        int second = q.add(b);
        int third = q.add(driver.readable(new byte[4]));
        q.kick();
        assertThat(q.takeUsed()).containsExactly(new Used(first, 10), new Used(second, 20), new Used(third, 0));
        assertThat(driver.bytes(a)).containsOnly(device.fill);
        assertThat(driver.bytes(b)).containsOnly(device.fill);
        assertThat(device.served.get(0).readable()).containsExactly(new TestDevice.Segment(one.addr(), 1));
        assertThat(device.served.get(0).writable()).containsExactly(new TestDevice.Segment(a.addr(), 10));
    }

    @Test
    void anIndirectChainIsServedLikeADirectOne() {
        DriverQueue q = driver.start(Features.RING_INDIRECT_DESC, 16).getFirst();
        Buf in = driver.readable(new byte[] {1, 2, 3});
        Buf out1 = driver.writable(5);
        Buf out2 = driver.writable(7);
        int head = q.addIndirect(in, out1, out2);
        q.kick();
        assertThat(q.takeUsed()).containsExactly(new Used(head, 12));
        TestDevice.Served s = device.served.getFirst();
        assertThat(s.readable()).containsExactly(new TestDevice.Segment(in.addr(), 3));
        assertThat(s.writable()).containsExactly(new TestDevice.Segment(out1.addr(), 5),
                new TestDevice.Segment(out2.addr(), 7));
    }

    @Test
    void theUsedLengthNeverExceedsTheWritablePart() {
        // A device that claims to have written more than the chain holds is clamped.
        TestDevice boastful = new TestDevice(16) {
            @Override
            protected long written(DescriptorChain chain) {
                return chain.writableLength() + 1000;
            }
        };
        try (TestDriver d = new TestDriver(boastful)) {
            DriverQueue q = d.start(0, 16).getFirst();
            q.add(d.writable(24));
            q.add(d.readable(new byte[8]));
            q.kick();
            assertThat(q.takeUsed()).extracting(Used::len).containsExactly(24, 0);
        }
    }

    @Test
    void withEventIdxTheDeviceInterruptsOnlyWhenTheUsedIndexPassesUsedEvent() {
        // §2.7.10: used_event = 5 asks for an interrupt once the device uses entry 5 (index 6).
        DriverQueue q = driver.start(Features.RING_EVENT_IDX, 16).getFirst();
        q.usedEvent(5);
        for (int i = 0; i < 3; i++) {
            q.add(driver.writable(4));
        }
        q.kick();
        assertThat(q.usedIdx()).isEqualTo(3);
        assertThat(driver.interruptStatus()).isZero();
        assertThat(driver.line.raises()).isZero();

        for (int i = 0; i < 3; i++) {
            q.add(driver.writable(4));
        }
        q.kick();
        assertThat(q.usedIdx()).isEqualTo(6);
        assertThat(driver.interruptStatus()).isEqualTo(1);
        assertThat(driver.line.raises()).isEqualTo(1);
    }

    @Test
    void withEventIdxTheDeviceTellsHowFarItReadInAvailEvent() {
        DriverQueue q = driver.start(Features.RING_EVENT_IDX, 16).getFirst();
        for (int i = 0; i < 3; i++) {
            q.add(driver.writable(4));
        }
        q.kick();
        assertThat(q.availEvent()).isEqualTo(3);
    }

    @Test
    void withoutEventIdxAvailEventIsLeftAlone() {
        DriverQueue q = driver.start(0, 16).getFirst();
        driver.put16(q.used + 4 + 8L * 16, 0xBEEF);
        q.add(driver.writable(4));
        q.kick();
        assertThat(q.availEvent()).isEqualTo(0xBEEF);
    }

    @Test
    void indicesRunFreeAndWrapAt65536() {
        // The available and used indices are free-running 16-bit counters (§2.7.6, §2.7.8).
        DriverQueue q = driver.start(0, 4).getFirst();
        Buf b = driver.writable(4);
        List<Used> used = new ArrayList<>();
        for (int i = 0; i < 65536 + 100; i++) {
            q.add(b);
            q.kick();
            used.addAll(q.takeUsed());
        }
        assertThat(used).hasSize(65536 + 100);
        assertThat(q.usedIdx()).isEqualTo(100);
        assertThat(used.getLast()).isEqualTo(new Used((65536 + 99) % 4, 4));
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void aKickWithNothingNewDoesNothing() {
        DriverQueue q = driver.start(0, 16).getFirst();
        q.add(driver.writable(4));
        q.kick();
        q.kick();
        assertThat(q.usedIdx()).isEqualTo(1);
        assertThat(device.served).hasSize(1);
    }
}
