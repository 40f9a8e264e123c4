package jvirt.virtio.net;

import static jvirt.virtio.TestDriver.CONFIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import jvirt.net.GuestPort;
import jvirt.net.MacAddress;
import jvirt.net.NetBackend;
import jvirt.virtio.Features;
import jvirt.virtio.TestDriver;
import jvirt.virtio.TestDriver.Buf;
import jvirt.virtio.TestDriver.DriverQueue;
import jvirt.virtio.TestDriver.Used;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** virtio-net (virtio 1.2 §5.1): receive queue 0, transmit queue 1, each frame behind a virtio_net_hdr. */
class VirtioNetTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    private static final long OFFLOADS = VirtioNet.F_CSUM | VirtioNet.F_GUEST_CSUM | VirtioNet.F_HOST_TSO4
            | VirtioNet.F_GUEST_TSO4;

    /** Records what the NIC transmits; the test plays the network's side of receive. */
    static final class RecordingBackend implements NetBackend {
        final List<byte[]> sent = new CopyOnWriteArrayList<>();
        final List<Boolean> partial = new CopyOnWriteArrayList<>();
        final AtomicInteger ready = new AtomicInteger();
        volatile GuestPort nic;
        volatile boolean closed;

        @Override
        public void start(GuestPort port) {
            nic = port;
        }

        @Override
        public void send(ByteBuffer frame, boolean checksumPartial) {
            byte[] copy = new byte[frame.remaining()];
            frame.get(copy);
            sent.add(copy);
            partial.add(checksumPartial);
        }

        @Override
        public void receiveReady() {
            ready.incrementAndGet();
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final RecordingBackend backend = new RecordingBackend();
    private final VirtioNet nic = open(MAC, backend);
    private final TestDriver driver = new TestDriver(nic);

    private static VirtioNet open(MacAddress mac, NetBackend backend) {
        try {
            return VirtioNet.open(mac, backend, "test-net");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private static byte[] header(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        return ByteBuffer.allocate(VirtioNet.HEADER).order(ByteOrder.LITTLE_ENDIAN).put((byte) flags).put((byte) gsoType)
                .putShort((short) hdrLen).putShort((short) gsoSize).putShort((short) csumStart)
                .putShort((short) csumOffset).putShort((short) 0).array();
    }

    private static byte[] withBuffers(byte[] header, int buffers) {
        header[10] = (byte) buffers;
        return header;
    }

    private static byte[] frame(int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) {
            f[i] = (byte) (i * 31 + seed);
        }
        return f;
    }

    /** A TCP/IPv4 frame: 14-byte Ethernet, 20-byte IP and a TCP header with data offset 8 words (32 bytes). */
    private static byte[] tcpFrame(int length) {
        byte[] f = frame(length, 3);
        f[14 + 20 + 12] = (byte) 0x80;
        return f;
    }

    private static ByteBuffer buffer(byte[] frame) {
        return ByteBuffer.wrap(frame);
    }

    @Test
    void identifiesAsANetworkCardWithItsMacTheLinkUpAndTheNetworksMtu() {
        assertThat(driver.read(TestDriver.DEVICE_ID)).isEqualTo(1);
        assertThat(driver.deviceFeatures()).isEqualTo(VirtioNet.F_CSUM | VirtioNet.F_GUEST_CSUM | VirtioNet.F_MTU
                | VirtioNet.F_MAC | VirtioNet.F_GUEST_TSO4 | VirtioNet.F_HOST_TSO4 | VirtioNet.F_MRG_RXBUF | VirtioNet.F_STATUS
                | Features.TRANSPORT);
        byte[] config = new byte[12];
        for (int i = 0; i < config.length; i++) {
            config[i] = (byte) driver.transport.read(CONFIG + i, 1);
        }
        // mac, status, max_virtqueue_pairs (no multiqueue), mtu: the backend's, 1500 by default
        assertThat(config).containsExactly(0x52, 0x54, 0x00, 0x12, 0x34, 0x56, VirtioNet.STATUS_LINK_UP, 0, 0, 0, 0xDC, 0x05);
        assertThat(backend.nic).isSameAs(nic);
    }

    @Test
    void aMulticastMacIsRefused() {
        assertThatThrownBy(() -> VirtioNet.open(MacAddress.parse("53:54:00:00:00:01"), new RecordingBackend(), "x"))
                .hasMessageContaining("multicast");
    }

    @Test
    void transmittedFramesReachTheBackendWithoutTheirHeader() {
        DriverQueue tx = driver.start(VirtioNet.F_CSUM | VirtioNet.F_HOST_TSO4, 16, 16).get(1);
        byte[] small = frame(60, 1);
        byte[] large = tcpFrame(65_000);
        // The header in its own buffer and the frame in two; then header and frame in one buffer.
        int first = tx.add(driver.readable(header(VirtioNet.HDR_F_NEEDS_CSUM, VirtioNet.GSO_TCPV4, 66, 1448, 34, 16)),
                driver.readable(Arrays.copyOf(large, 1000)), driver.readable(Arrays.copyOfRange(large, 1000, large.length)));
        byte[] joined = new byte[VirtioNet.HEADER + small.length];
        System.arraycopy(small, 0, joined, VirtioNet.HEADER, small.length);
        int second = tx.add(driver.readable(joined));
        tx.kick();
        assertThat(tx.awaitUsed(2)).containsExactly(new Used(first, 0), new Used(second, 0));
        TestDriver.await("frames at the backend", () -> backend.sent.size() == 2);
        assertThat(backend.sent.get(0)).isEqualTo(large);
        assertThat(backend.sent.get(1)).isEqualTo(small);
        assertThat(backend.partial).containsExactly(true, false);
    }

    @Test
    void moreFramesThanOneBatchAllArriveInOrder() {
        DriverQueue tx = driver.start(0, 16, 256).get(1);
        for (int i = 0; i < 200; i++) {
            byte[] f = new byte[VirtioNet.HEADER + 64];
            f[VirtioNet.HEADER] = (byte) i;
            tx.add(driver.readable(f));
        }
        tx.kick();
        TestDriver.await("200 frames at the backend", () -> backend.sent.size() == 200);
        for (int i = 0; i < 200; i++) {
            assertThat(backend.sent.get(i)[0]).isEqualTo((byte) i);
        }
    }

    @Test
    void aTransmitBufferWithoutRoomForTheHeaderNeedsAReset() {
        DriverQueue tx = driver.start(0, 16, 16).get(1);
        tx.add(driver.readable(new byte[5]));
        tx.kick();
        TestDriver.await("DEVICE_NEEDS_RESET", driver::needsReset);
        assertThat(backend.sent).isEmpty();
    }

    @Test
    void aReceivedFrameFillsOneBufferBehindItsHeader() {
        DriverQueue rx = driver.start(VirtioNet.F_GUEST_CSUM, 16, 16).get(0);
        Buf buf = driver.writable(1526);
        rx.add(buf);
        byte[] f = frame(100, 7);
        assertThat(nic.receive(buffer(f), -1, 0, 0)).isTrue();
        assertThat(rx.takeUsed()).containsExactly(new Used(0, VirtioNet.HEADER + 100));
        byte[] got = driver.bytes(buf);
        // Complete checksums and a driver that takes partial ones: DATA_VALID spares it checking them.
        assertThat(Arrays.copyOf(got, VirtioNet.HEADER))
                .isEqualTo(withBuffers(header(VirtioNet.HDR_F_DATA_VALID, 0, 0, 0, 0, 0), 1));
        assertThat(Arrays.copyOfRange(got, VirtioNet.HEADER, VirtioNet.HEADER + 100)).isEqualTo(f);
        assertThat(driver.interruptStatus()).isEqualTo(1);
    }

    @Test
    void aLargeFrameSpreadsOverMergeableBuffersPublishedTogether() {
        DriverQueue rx = driver.start(VirtioNet.F_MRG_RXBUF | OFFLOADS, 64, 16).get(0);
        List<Buf> bufs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            bufs.add(driver.writable(1526));
            rx.add(bufs.get(i));
        }
        assertThat(nic.acceptsLargeTcp()).isTrue();
        assertThat(nic.acceptsPartialChecksum()).isTrue();
        byte[] f = tcpFrame(65_000);
        assertThat(nic.receive(buffer(f), 34, 16, 1460)).isTrue();
        int needed = (VirtioNet.HEADER + f.length + 1525) / 1526;
        List<Used> used = rx.takeUsed();
        assertThat(used).hasSize(needed);
        byte[] got = new byte[VirtioNet.HEADER + f.length];
        int at = 0;
        for (Used u : used) {
            System.arraycopy(driver.bytes(bufs.get(u.id())), 0, got, at, u.len());
            at += u.len();
        }
        assertThat(at).isEqualTo(got.length);
        assertThat(Arrays.copyOf(got, VirtioNet.HEADER)).isEqualTo(withBuffers(
                header(VirtioNet.HDR_F_NEEDS_CSUM, VirtioNet.GSO_TCPV4, 34 + 32, 1460, 34, 16), needed));
        assertThat(Arrays.copyOfRange(got, VirtioNet.HEADER, got.length)).isEqualTo(f);
    }

    @Test
    void withoutBuffersAFrameIsRefusedAndTheBackendHearsWhenThereAreSome() {
        DriverQueue rx = driver.start(VirtioNet.F_MRG_RXBUF, 16, 16).get(0);
        rx.add(driver.writable(1000));
        assertThat(nic.receive(buffer(frame(3000, 1)), -1, 0, 0)).isFalse();
        assertThat(rx.usedIdx()).isZero(); // the buffer taken was put back untouched
        rx.kick();
        assertThat(backend.ready).hasValue(1);
        for (int i = 0; i < 3; i++) {
            rx.add(driver.writable(1000));
        }
        assertThat(nic.receive(buffer(frame(3000, 1)), -1, 0, 0)).isTrue();
        assertThat(rx.takeUsed()).extracting(Used::len).containsExactly(1000, 1000, 1000, 12);
        rx.kick();
        assertThat(backend.ready).hasValue(1); // nothing was refused since
    }

    @Test
    void withoutMergeableBuffersAFrameTooLargeForItsBufferIsDropped() {
        DriverQueue rx = driver.start(0, 16, 16).get(0);
        rx.add(driver.writable(200));
        assertThat(nic.receive(buffer(frame(1000, 1)), -1, 0, 0)).isTrue();
        assertThat(rx.usedIdx()).isZero();
        assertThat(nic.receive(buffer(frame(100, 1)), -1, 0, 0)).isTrue();
        assertThat(rx.takeUsed()).containsExactly(new Used(0, VirtioNet.HEADER + 100));
    }

    @Test
    void aReceiveBufferWithoutRoomForTheHeaderNeedsAReset() {
        DriverQueue rx = driver.start(VirtioNet.F_MRG_RXBUF, 16, 16).get(0);
        rx.add(driver.writable(4));
        assertThat(nic.receive(buffer(frame(100, 1)), -1, 0, 0)).isTrue();
        assertThat(driver.needsReset()).isTrue();
    }

    @Test
    void framesBeforeTheDriverIsReadyAreDropped() {
        assertThat(nic.receive(buffer(frame(100, 1)), -1, 0, 0)).isTrue();
        assertThat(nic.acceptsPartialChecksum()).isFalse();
    }

    @Test
    void closingTheDeviceClosesTheBackend() {
        RecordingBackend other = new RecordingBackend();
        open(MAC, other).close();
        assertThat(other.closed).isTrue();
    }
}
