package jvirt.virtio.rng;

import static jvirt.virtio.TestDriver.range;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import jvirt.virtio.Features;
import jvirt.virtio.TestDriver;
import jvirt.virtio.TestDriver.Buf;
import jvirt.virtio.TestDriver.DriverQueue;
import jvirt.virtio.TestDriver.Used;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** virtio-rng (virtio 1.2 §5.4) with a seeded source, so its bytes can be checked. */
class VirtioRngTest {
    private static final long SEED = 42;
    private final TestDriver driver = new TestDriver(new VirtioRng(new Random(SEED)), 4 << 20);
    private final Random expected = new Random(SEED);

    @AfterEach
    void close() {
        driver.close();
    }

    private byte[] next(int n) {
        byte[] b = new byte[n];
        expected.nextBytes(b);
        return b;
    }

    @Test
    void identifiesAsAnEntropyDeviceWithNoFeaturesOfItsOwn() {
        assertThat(driver.read(TestDriver.DEVICE_ID)).isEqualTo(4);
        assertThat(driver.deviceFeatures()).isEqualTo(Features.TRANSPORT);
        assertThat(driver.transport.read(TestDriver.CONFIG, 4)).isZero();
    }

    @Test
    void fillsEveryWritableBufferFromItsSource() {
        DriverQueue q = driver.start(0, 64).getFirst();
        Buf a = driver.writable(100);
        Buf b = driver.writable(28);
        int head = q.add(a, b);
        q.kick();
        assertThat(q.takeUsed()).containsExactly(new Used(head, 128));
        byte[] got = new byte[128];
        System.arraycopy(driver.bytes(a), 0, got, 0, 100);
        System.arraycopy(driver.bytes(b), 0, got, 100, 28);
        assertThat(got).isEqualTo(next(128));

        // The next request goes on with the stream (java.util.Random hands out whole ints).
        Buf c = driver.writable(64);
        q.add(c);
        q.kick();
        assertThat(driver.bytes(c)).isEqualTo(next(64));
    }

    @Test
    void aHugeRequestGetsAtMost64KiB() {
        DriverQueue q = driver.start(0, 64).getFirst();
        Buf huge = driver.writable(100 * 1024);
        q.add(huge);
        TestDriver.Snapshot before = driver.snapshot();
        q.kick();
        assertThat(q.takeUsed()).containsExactly(new Used(0, 65536));
        byte[] got = driver.bytes(huge);
        assertThat(Arrays.copyOf(got, 65536)).isEqualTo(next(65536));
        assertThat(Arrays.copyOfRange(got, 65536, got.length)).containsOnly(TestDriver.UNWRITTEN);
        before.assertOnlyChanged(q.usedRing(), range(huge.addr(), 65536));
    }

    @Test
    void aChainWithNothingWritableGetsNothing() {
        DriverQueue q = driver.start(0, 64).getFirst();
        Buf in = driver.readable(new byte[16]);
        q.add(in);
        TestDriver.Snapshot before = driver.snapshot();
        q.kick();
        assertThat(q.takeUsed()).containsExactly(new Used(0, 0));
        before.assertOnlyChanged(q.usedRing());
    }
}
