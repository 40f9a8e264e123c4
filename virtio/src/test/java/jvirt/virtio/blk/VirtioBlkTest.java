package jvirt.virtio.blk;

import static jvirt.virtio.TestDriver.CONFIG;
import static jvirt.virtio.TestDriver.F_NEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import jvirt.image.BlockDevice;
import jvirt.image.raw.RawImage;
import jvirt.virtio.Features;
import jvirt.virtio.TestDriver;
import jvirt.virtio.TestDriver.Buf;
import jvirt.virtio.TestDriver.DriverQueue;
import jvirt.virtio.TestDriver.Used;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** virtio-blk (virtio 1.2 §5.2) over a raw image in a temporary file. */
class VirtioBlkTest {
    private static final int DISK = 1 << 20;
    private static final long SECTORS = DISK / 512;
    private static final int OK = 0;
    private static final int IOERR = 1;
    private static final int UNSUPP = 2;

    @TempDir
    Path dir;
    private Path image;
    private byte[] original;
    private TestDriver driver;
    private DriverQueue q;

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** A disk whose every byte differs from its neighbours', opened and set up with one queue of 16. */
    private void start(boolean readOnly, long features) throws IOException {
        original = new byte[DISK];
        for (int i = 0; i < DISK; i++) {
            original[i] = (byte) (i * 7 + (i >>> 9));
        }
        image = dir.resolve("disk.raw");
        Files.write(image, original);
        start(RawImage.open(image, readOnly), features);
    }

    private void start(BlockDevice disk, long features) {
        driver = new TestDriver(new VirtioBlk(disk, "jvirt-serial-1", "test-blk"), 4 << 20);
        q = driver.start(features, 16).getFirst();
    }

    private void start() throws IOException {
        start(false, 0);
    }

    private static byte[] header(int type, long sector) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(0, type).putLong(8, sector).array();
    }

    private static byte[] segments(long[]... ranges) {
        ByteBuffer b = ByteBuffer.allocate(16 * ranges.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long[] r : ranges) {
            b.putLong(r[0]).putInt((int) r[1]).putInt((int) r[2]);
        }
        return b.array();
    }

    /** Sends header, {@code data} buffers and a status byte as one chain; returns the status and the used element. */
    private Result request(int type, long sector, Buf... data) {
        Buf status = driver.writable(1);
        Buf[] chain = new Buf[data.length + 2];
        chain[0] = driver.readable(header(type, sector));
        System.arraycopy(data, 0, chain, 1, data.length);
        chain[chain.length - 1] = status;
        int head = q.add(chain);
        q.kick();
        Used used = q.awaitUsed();
        assertThat(used.id()).isEqualTo(head);
        return new Result(driver.bytes(status)[0], used.len());
    }

    record Result(int status, int usedLength) {
    }

    private byte[] file() throws IOException {
        return Files.readAllBytes(image);
    }

    private static byte[] slice(byte[] b, long from, int length) {
        return Arrays.copyOfRange(b, (int) from, (int) from + length);
    }

    @Test
    void offersItsFeaturesAndCapacityInSectors() throws IOException {
        start();
        long offered = driver.deviceFeatures();
        assertThat(offered & Features.bit(5)).as("F_RO").isZero();
        assertThat(offered & Features.bit(9)).as("F_FLUSH").isNotZero();
        assertThat(offered & Features.bit(13)).as("F_DISCARD").isNotZero();
        assertThat(offered & Features.bit(14)).as("F_WRITE_ZEROES").isNotZero();
        assertThat(driver.read(TestDriver.DEVICE_ID)).isEqualTo(2);
        assertThat(driver.transport.read(CONFIG, 8)).isEqualTo(SECTORS);
        assertThat(driver.transport.read(CONFIG, 4) | driver.transport.read(CONFIG + 4, 4) << 32).isEqualTo(SECTORS);
        assertThat(driver.transport.read(CONFIG + 20, 4)).as("blk_size").isEqualTo(512);
        assertThat(driver.transport.read(CONFIG + 12, 4)).as("seg_max").isEqualTo(254);
    }

    @Test
    void readsSectorsIntoTheGuestsBuffers() throws IOException {
        start();
        Buf data = driver.writable(1024);
        Result r = request(0, 3, data);
        assertThat(r).isEqualTo(new Result(OK, 1025));
        assertThat(driver.bytes(data)).isEqualTo(slice(original, 3 * 512, 1024));
    }

    @Test
    void writesTheGuestsBuffersToTheFile() throws IOException {
        start();
        byte[] a = new byte[512];
        byte[] b = new byte[1024];
        Arrays.fill(a, (byte) 'a');
        Arrays.fill(b, (byte) 'b');
        Result r = request(1, 5, driver.readable(a), driver.readable(b));
        assertThat(r).isEqualTo(new Result(OK, 1));
        byte[] disk = file();
        assertThat(slice(disk, 5 * 512, 512)).isEqualTo(a);
        assertThat(slice(disk, 6 * 512, 1024)).isEqualTo(b);
        assertThat(slice(disk, 8 * 512, DISK - 8 * 512)).isEqualTo(slice(original, 8 * 512, DISK - 8 * 512));
        assertThat(slice(disk, 0, 5 * 512)).isEqualTo(slice(original, 0, 5 * 512));
    }

    @Test
    void aFlushSucceeds() throws IOException {
        start();
        assertThat(request(4, 0)).isEqualTo(new Result(OK, 1));
    }

    @Test
    void getIdAnswersTheSerialPaddedWithNuls() throws IOException {
        start();
        Buf id = driver.writable(20);
        assertThat(request(8, 0, id)).isEqualTo(new Result(OK, 21));
        byte[] expected = Arrays.copyOf("jvirt-serial-1".getBytes(), 20);
        assertThat(driver.bytes(id)).isEqualTo(expected);
    }

    @Test
    void getIdIntoASmallerBufferIsCutShort() throws IOException {
        start();
        Buf id = driver.writable(5);
        assertThat(request(8, 0, id)).isEqualTo(new Result(OK, 6));
        assertThat(driver.bytes(id)).isEqualTo("jvirt".getBytes());
    }

    @Test
    void writeZeroesZeroesEveryRangeAndNothingElse() throws IOException {
        start();
        Buf ranges = driver.readable(segments(new long[] {10, 3, 0}, new long[] {100, 8, 1}));
        assertThat(request(13, 0, ranges)).isEqualTo(new Result(OK, 1));
        byte[] expected = original.clone();
        Arrays.fill(expected, 10 * 512, 13 * 512, (byte) 0);
        Arrays.fill(expected, 100 * 512, 108 * 512, (byte) 0);
        assertThat(file()).isEqualTo(expected);
    }

    @Test
    void aDiscardSucceedsAndLeavesOtherDataAlone() throws IOException {
        // What a discarded range then reads is unspecified (zeros where the file system punches holes).
        start();
        Buf ranges = driver.readable(segments(new long[] {16, 8, 0}));
        assertThat(request(11, 0, ranges)).isEqualTo(new Result(OK, 1));
        byte[] disk = file();
        assertThat(slice(disk, 0, 16 * 512)).isEqualTo(slice(original, 0, 16 * 512));
        assertThat(slice(disk, 24 * 512, DISK - 24 * 512)).isEqualTo(slice(original, 24 * 512, DISK - 24 * 512));
    }

    @Test
    void aRangeOutsideTheDiskFailsTheWholeRequestWithIoerr() throws IOException {
        start();
        for (int type : new int[] {11, 13}) {
            Buf ranges = driver.readable(segments(new long[] {0, 4, 0}, new long[] {SECTORS - 1, 2, 0}));
            assertThat(request(type, 0, ranges).status()).isEqualTo(IOERR);
            ranges = driver.readable(segments(new long[] {SECTORS, 1, 0}));
            assertThat(request(type, 0, ranges).status()).isEqualTo(IOERR);
            ranges = driver.readable(segments(new long[] {-1L, 2, 0})); // sector + count overflows
            assertThat(request(type, 0, ranges).status()).isEqualTo(IOERR);
        }
        assertThat(file()).as("the good first range was not zeroed either").isEqualTo(original);
    }

    @Test
    void unknownRangeFlagsAreUnsupported() throws IOException {
        start();
        // Discard has no flags; write-zeroes only "unmap" (§5.2.6.2).
        assertThat(request(11, 0, driver.readable(segments(new long[] {0, 1, 1}))).status()).isEqualTo(UNSUPP);
        assertThat(request(13, 0, driver.readable(segments(new long[] {0, 1, 2}))).status()).isEqualTo(UNSUPP);
        assertThat(request(13, 0, driver.readable(segments(new long[] {0, 1, 0x80000000L}))).status())
                .isEqualTo(UNSUPP);
        // No segment at all, or a torn one.
        assertThat(request(13, 0).status()).isEqualTo(UNSUPP);
        assertThat(request(13, 0, driver.readable(new byte[20])).status()).isEqualTo(UNSUPP);
        assertThat(file()).isEqualTo(original);
    }

    @Test
    void moreRangeSegmentsThanAdvertisedAreUnsupported() throws IOException {
        start();
        long[][] many = new long[33][];
        for (int i = 0; i < many.length; i++) {
            many[i] = new long[] {i, 1, 0};
        }
        assertThat(request(13, 0, driver.readable(segments(many))).status()).isEqualTo(UNSUPP);
        assertThat(file()).isEqualTo(original);
    }

    @Test
    void readsAndWritesOutsideTheDiskFailWithIoerr() throws IOException {
        start();
        for (long sector : new long[] {SECTORS, SECTORS - 1, SECTORS + 1000, Long.MAX_VALUE, -1L, -2L}) {
            Buf in = driver.writable(1024);
            assertThat(request(0, sector, in)).as("read at %d", sector).isEqualTo(new Result(IOERR, 1));
            assertThat(driver.bytes(in)).containsOnly(TestDriver.UNWRITTEN);
            assertThat(request(1, sector, driver.readable(new byte[1024])).status()).as("write at %d", sector)
                    .isEqualTo(IOERR);
        }
        assertThat(file()).isEqualTo(original);
    }

    @Test
    void theLastSectorsOfTheDiskCanBeRead() throws IOException {
        start();
        Buf in = driver.writable(1024);
        assertThat(request(0, SECTORS - 2, in).status()).isEqualTo(OK);
        assertThat(driver.bytes(in)).isEqualTo(slice(original, DISK - 1024, 1024));
    }

    @Test
    void dataThatIsNotAWholeNumberOfSectorsFailsWithIoerr() throws IOException {
        start();
        Buf in = driver.writable(100);
        assertThat(request(0, 1, in)).isEqualTo(new Result(IOERR, 1));
        assertThat(driver.bytes(in)).containsOnly(TestDriver.UNWRITTEN);
        assertThat(request(1, 1, driver.readable(new byte[513])).status()).isEqualTo(IOERR);
        assertThat(file()).isEqualTo(original);
    }

    @Test
    void unknownRequestTypesAreUnsupported() throws IOException {
        start();
        for (int type : new int[] {2, 3, 5, 99, -1}) {
            assertThat(request(type, 0, driver.writable(512)).status()).as("type %d", type).isEqualTo(UNSUPP);
        }
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void aReadOnlyDiskOffersRoAndRefusesWrites() throws IOException {
        start(true, 0);
        long offered = driver.deviceFeatures();
        assertThat(offered & Features.bit(5)).as("F_RO").isNotZero();
        assertThat(offered & (Features.bit(13) | Features.bit(14))).as("discard, write zeroes").isZero();
        assertThat(request(1, 0, driver.readable(new byte[512])).status()).isEqualTo(IOERR);
        assertThat(request(11, 0, driver.readable(segments(new long[] {0, 1, 0}))).status()).isEqualTo(IOERR);
        assertThat(request(13, 0, driver.readable(segments(new long[] {0, 1, 0}))).status()).isEqualTo(IOERR);
        assertThat(request(4, 0).status()).isEqualTo(OK);
        Buf in = driver.writable(512);
        assertThat(request(0, 0, in).status()).isEqualTo(OK);
        assertThat(driver.bytes(in)).isEqualTo(slice(original, 0, 512));
        assertThat(file()).isEqualTo(original);
    }

    @Test
    void aHeaderAndDataSplitAcrossManyDescriptorsWork() throws IOException {
        // The spec lets drivers split a request anywhere (§2.6.4, "message framing").
        start();
        byte[] h = header(0, 7);
        Buf a = driver.writable(100);
        Buf b = driver.writable(412);
        Buf c = driver.writable(512);
        Buf status = driver.writable(1);
        int head = q.add(driver.readable(slice(h, 0, 1)), driver.readable(slice(h, 1, 3)),
                driver.readable(slice(h, 4, 12)), a, b, c, status);
        q.kick();
        assertThat(q.awaitUsed()).isEqualTo(new Used(head, 1025));
        assertThat(driver.bytes(status)).containsExactly(OK);
        byte[] got = new byte[1024];
        System.arraycopy(driver.bytes(a), 0, got, 0, 100);
        System.arraycopy(driver.bytes(b), 0, got, 100, 412);
        System.arraycopy(driver.bytes(c), 0, got, 512, 512);
        assertThat(got).isEqualTo(slice(original, 7 * 512, 1024));
    }

    @Test
    void theStatusByteMayShareABufferWithTheData() throws IOException {
        start();
        Buf dataAndStatus = driver.writable(513);
        int head = q.add(driver.readable(header(0, 2)), dataAndStatus);
        q.kick();
        assertThat(q.awaitUsed()).isEqualTo(new Used(head, 513));
        byte[] got = driver.bytes(dataAndStatus);
        assertThat(slice(got, 0, 512)).isEqualTo(slice(original, 1024, 512));
        assertThat(got[512]).isEqualTo((byte) OK);
    }

    @Test
    void aRequestThroughAnIndirectTableWorks() throws IOException {
        start(false, Features.RING_INDIRECT_DESC);
        Buf data = driver.writable(512);
        Buf status = driver.writable(1);
        int head = q.addIndirect(driver.readable(header(0, 9)), data, status);
        q.kick();
        assertThat(q.awaitUsed()).isEqualTo(new Used(head, 513));
        assertThat(driver.bytes(data)).isEqualTo(slice(original, 9 * 512, 512));
    }

    @Test
    void requestsAreServedInRingOrder() throws IOException {
        // A write then a read of the same sector in one batch: the read sees the write.
        start();
        byte[] data = new byte[512];
        Arrays.fill(data, (byte) 0x77);
        q.add(driver.readable(header(1, 40)), driver.readable(data), driver.writable(1));
        Buf in = driver.writable(512);
        q.add(driver.readable(header(0, 40)), in, driver.writable(1));
        q.add(driver.readable(header(4, 0)), driver.writable(1));
        q.kick();
        List<Used> used = q.awaitUsed(3);
        assertThat(used).extracting(Used::id).containsExactly(0, 3, 6);
        assertThat(driver.bytes(in)).isEqualTo(data);
    }

    @Test
    void requestsAreServedOnTheDevicesThreadWhileTheNotifyingHartGoesOn() throws Exception {
        start(false, 0);
        driver.close();
        CountDownLatch gate = new CountDownLatch(1);
        AtomicReference<String> servedOn = new AtomicReference<>();
        BlockDevice slow = new Gated(RawImage.open(dir.resolve("disk.raw"), false), gate, servedOn);
        start(slow, 0);
        Buf in = driver.writable(512);
        Buf status = driver.writable(1);
        q.add(driver.readable(header(0, 1)), in, status);
        // If the hart served the request itself, it would wait for the gate forever.
        assertTimeoutPreemptively(Duration.ofSeconds(10), q::kick);
        assertThat(q.usedIdx()).isZero();
        gate.countDown();
        assertThat(q.awaitUsed().len()).isEqualTo(513);
        assertThat(servedOn.get()).isEqualTo("test-blk");
        assertThat(driver.bytes(in)).isEqualTo(slice(original, 512, 512));
    }

    @Test
    void requestsQueuedBeforeDriverOkAreServedAfterIt() throws IOException {
        start();
        driver.close();
        driver = new TestDriver(new VirtioBlk(RawImage.open(image, false), "", "test-blk"));
        assertThat(driver.negotiate(Features.VERSION_1)).isTrue();
        q = driver.queue(0, 16);
        Buf in = driver.writable(512);
        q.add(driver.readable(header(0, 4)), in, driver.writable(1));
        q.kick(); // ignored: not yet DRIVER_OK
        driver.driverOk();
        assertThat(q.awaitUsed().len()).isEqualTo(513);
        assertThat(driver.bytes(in)).isEqualTo(slice(original, 4 * 512, 512));
    }

    @Test
    void aRequestWithoutAStatusByteOrAWholeHeaderNeedsAReset() throws IOException {
        start();
        q.add(driver.readable(header(0, 0)), driver.readable(new byte[512])); // nothing writable
        TestDriver.Snapshot before = driver.snapshot();
        q.kick();
        TestDriver.await("DEVICE_NEEDS_RESET", driver::needsReset);
        assertThat(driver.transport.failure()).contains("status");
        assertThat(q.usedIdx()).isZero();
        before.assertOnlyChanged(q.usedRing());

        driver.close();
        start();
        q.add(driver.readable(slice(header(0, 0), 0, 12)), driver.writable(1));
        q.kick();
        TestDriver.await("DEVICE_NEEDS_RESET", driver::needsReset);
        assertThat(q.usedIdx()).isZero();
    }

    @Test
    void aDescriptorLoopStopsTheDeviceThreadCleanly() throws IOException {
        start();
        long spot = driver.alloc(64, 16);
        q.descriptor(0, spot, 16, F_NEXT, 1);
        q.descriptor(1, spot, 16, F_NEXT, 0);
        q.publish(0);
        TestDriver.Snapshot before = driver.snapshot();
        q.kick();
        TestDriver.await("DEVICE_NEEDS_RESET", driver::needsReset);
        before.assertOnlyChanged(q.usedRing());

        // The thread lives on: after a reset the disk answers again.
        q = driver.start(0, 16).getFirst();
        Buf in = driver.writable(512);
        assertThat(request(0, 0, in).status()).isEqualTo(OK);
        assertThat(driver.bytes(in)).isEqualTo(slice(original, 0, 512));
    }

    @Test
    void aResetWaitsForTheRequestInProgress() throws Exception {
        start(false, 0);
        driver.close();
        CountDownLatch gate = new CountDownLatch(1);
        Gated slow = new Gated(RawImage.open(dir.resolve("disk.raw"), false), gate, new AtomicReference<>());
        start(slow, 0);
        Buf in = driver.writable(512);
        q.add(driver.readable(header(0, 1)), in, driver.writable(1));
        q.kick();
        assertThat(slow.entered.await(10, TimeUnit.SECONDS)).isTrue();
        Thread resetter = Thread.ofPlatform().start(driver::reset);
        // The reset waits for the device's lock while the disk still fills the guest's buffer.
        TestDriver.await("the reset to wait", () -> resetter.getState() == Thread.State.WAITING);
        assertThat(q.usedIdx()).isZero();
        gate.countDown();
        assertThat(resetter.join(Duration.ofSeconds(10))).isTrue();
        assertThat(driver.status()).isZero();
    }

    @Test
    void aSingleDataBufferOver2GiBFailsTheRequestAndNotTheDevice() throws IOException {
        // A buffer larger than a ByteBuffer can wrap, on a disk large enough to hold it: the
        // request fails with IOERR, and the device thread lives on. Sparse file, untouched RAM.
        Path big = dir.resolve("big.raw");
        long diskSize = (2L << 30) + (1 << 20);
        try (var f = java.nio.channels.FileChannel.open(big, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(new byte[] {1}), diskSize - 1);
        }
        VirtioBlk blk = new VirtioBlk(RawImage.open(big, false), "", "test-blk");
        try {
            driver = new TestDriver(blk, diskSize);
        } catch (OutOfMemoryError e) {
            blk.close();
            Assumptions.abort("cannot map 2 GiB of (untouched) guest RAM here: " + e.getMessage());
        }
        q = driver.start(0, 16).getFirst();
        long length = (1L << 31) + 512;
        Buf huge = Buf.writable(driver.alloc(length, 4096), length);
        Buf status = driver.writable(1);
        q.add(driver.readable(header(0, 0)), huge, status);
        assertThatCode(q::kick).doesNotThrowAnyException();
        assertThat(q.awaitUsed().len()).isEqualTo(1);
        assertThat(driver.bytes(status)).containsExactly(IOERR);

        Buf small = driver.writable(512);
        assertThat(request(0, (diskSize - 512) / 512, small).status()).isEqualTo(OK);
        assertThat(driver.bytes(small)[511]).isEqualTo((byte) 1);
    }

    /** A disk whose reads wait for a gate, recording the thread that serves them. */
    private static final class Gated implements BlockDevice {
        private final BlockDevice disk;
        private final CountDownLatch gate;
        private final AtomicReference<String> thread;
        final CountDownLatch entered = new CountDownLatch(1);

        Gated(BlockDevice disk, CountDownLatch gate, AtomicReference<String> thread) {
            this.disk = disk;
            this.gate = gate;
            this.thread = thread;
        }

        private void pass() throws IOException {
            thread.set(Thread.currentThread().getName());
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }

        @Override
        public long size() {
            return disk.size();
        }

        @Override
        public boolean readOnly() {
            return disk.readOnly();
        }

        @Override
        public void read(long offset, MemorySegment destination) throws IOException {
            pass();
            disk.read(offset, destination);
        }

        @Override
        public void read(long offset, List<MemorySegment> destinations) throws IOException {
            pass();
            disk.read(offset, destinations);
        }

        @Override
        public void write(long offset, MemorySegment source) throws IOException {
            disk.write(offset, source);
        }

        @Override
        public void flush() throws IOException {
            disk.flush();
        }

        @Override
        public void discard(long offset, long length) throws IOException {
            disk.discard(offset, length);
        }

        @Override
        public void writeZeroes(long offset, long length, boolean unmap) throws IOException {
            disk.writeZeroes(offset, length, unmap);
        }

        @Override
        public jvirt.image.ImageInfo info() throws IOException {
            return disk.info();
        }

        @Override
        public void close() throws IOException {
            disk.close();
        }
    }
}
