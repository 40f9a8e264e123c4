package jvirt.virtio.blk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jvirt.image.BlockDevice;
import jvirt.virtio.AbstractVirtioDevice;
import jvirt.virtio.DescriptorChain;
import jvirt.virtio.DeviceWorker;
import jvirt.virtio.Features;
import jvirt.virtio.VirtqueueException;

/**
 * virtio-blk (virtio 1.2 §5.2): one request queue served on the device's own thread, so the
 * hart that notified goes on running the guest while the disk works. Data moves between the
 * {@link BlockDevice} and the guest's buffers in place.
 *
 * <p>The cache is write-back (FLUSH is offered): a write is acknowledged when the backend has it,
 * and a flush request completes only once everything acknowledged before it is on stable storage.
 * Requests are served in ring order, one at a time, so a flush follows every write before it.
 */
public final class VirtioBlk extends AbstractVirtioDevice {
    public static final int DEVICE_ID = 2;
    public static final int SECTOR = 512;
    static final long F_SEG_MAX = Features.bit(2);
    static final long F_RO = Features.bit(5);
    static final long F_BLK_SIZE = Features.bit(6);
    static final long F_FLUSH = Features.bit(9);
    static final long F_TOPOLOGY = Features.bit(10);
    static final long F_DISCARD = Features.bit(13);
    static final long F_WRITE_ZEROES = Features.bit(14);

    static final int T_IN = 0;
    static final int T_OUT = 1;
    static final int T_FLUSH = 4;
    static final int T_GET_ID = 8;
    static final int T_DISCARD = 11;
    static final int T_WRITE_ZEROES = 13;
    static final int S_OK = 0;
    static final int S_IOERR = 1;
    static final int S_UNSUPP = 2;

    static final int QUEUE_SIZE = 256;
    static final int HEADER = 16;
    static final int ID_BYTES = 20;
    /** Discard and write-zeroes segments per request, and sectors per segment (4 GiB - 512). */
    static final int MAX_RANGE_SEGMENTS = 32;
    static final int MAX_RANGE_SECTORS = 0x7FFFFF;
    private static final int RANGE_SEGMENT = 16;
    private static final int WRITE_ZEROES_UNMAP = 1;
    /** Host pages: Linux aligns discards to this granularity. */
    private static final int PHYSICAL_BLOCK = 4096;

    private final BlockDevice disk;
    private final byte[] serial;
    private final byte[] config;
    private final DeviceWorker worker;

    /** A disk behind the device; {@code serial} (up to 20 bytes) answers GET_ID, empty for none. */
    public VirtioBlk(BlockDevice disk, String serial, String threadName) {
        this.disk = disk;
        this.serial = serial.getBytes(StandardCharsets.US_ASCII);
        if (this.serial.length > ID_BYTES) {
            throw new IllegalArgumentException("a disk serial has at most " + ID_BYTES + " characters: " + serial);
        }
        this.config = config(disk.size() / SECTOR);
        this.worker = new DeviceWorker(threadName, this::work);
    }

    /** The configuration layout of §5.2.4 (struct virtio_blk_config). */
    private static byte[] config(long sectors) {
        ByteBuffer c = ByteBuffer.allocate(60).order(ByteOrder.LITTLE_ENDIAN);
        c.putLong(0, sectors);                               // capacity
        c.putInt(12, QUEUE_SIZE - 2);                        // seg_max: data segments besides header and status
        c.putInt(20, SECTOR);                                // blk_size
        c.put(25, (byte) Integer.numberOfTrailingZeros(PHYSICAL_BLOCK / SECTOR)); // topology.physical_block_exp
        c.putShort(28, (short) 0);                           // topology.min_io_size
        c.putInt(36, MAX_RANGE_SECTORS);                     // max_discard_sectors
        c.putInt(40, MAX_RANGE_SEGMENTS);                    // max_discard_seg
        c.putInt(44, PHYSICAL_BLOCK / SECTOR);               // discard_sector_alignment
        c.putInt(48, MAX_RANGE_SECTORS);                     // max_write_zeroes_sectors
        c.putInt(52, MAX_RANGE_SEGMENTS);                    // max_write_zeroes_seg
        c.put(56, (byte) 1);                                 // write_zeroes_may_unmap
        return c.array();
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        long f = F_SEG_MAX | F_BLK_SIZE | F_FLUSH | F_TOPOLOGY;
        return disk.readOnly() ? f | F_RO : f | F_DISCARD | F_WRITE_ZEROES;
    }

    @Override
    public List<Integer> maxQueueSizes() {
        return List.of(QUEUE_SIZE);
    }

    @Override
    public int readConfig(int offset) {
        return offset >= 0 && offset < config.length ? config[offset] & 0xFF : 0;
    }

    @Override
    public void queueNotify(int queue) {
        worker.kick();
    }

    @Override
    protected void activated() {
        worker.kick(); // requests may have been queued before DRIVER_OK
    }

    private void work() {
        lock.lock();
        try {
            serve(0, this::request);
        } finally {
            lock.unlock();
        }
    }

    /** Serves one request (§5.2.6): header, data, then the status byte the driver waits for. */
    private long request(DescriptorChain chain) throws VirtqueueException {
        if (chain.readableLength() < HEADER || chain.writableLength() < 1) {
            throw new VirtqueueException("virtio-blk request without a header or a status byte");
        }
        byte[] header = new byte[HEADER];
        chain.read(0, header);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt(0);
        long sector = h.getLong(8);
        long statusAt = chain.writableLength() - 1;
        long written = 0;
        int status;
        try {
            switch (type) {
                case T_IN -> {
                    long length = statusAt;
                    status = checkData(sector, length);
                    if (status == S_OK) {
                        disk.read(sector * SECTOR, chain.writableSegments(0, length));
                        written = length;
                    }
                }
                case T_OUT -> {
                    long length = chain.readableLength() - HEADER;
                    status = disk.readOnly() ? S_IOERR : checkData(sector, length);
                    if (status == S_OK) {
                        disk.write(sector * SECTOR, chain.readableSegments(HEADER, length));
                    }
                }
                case T_FLUSH -> {
                    disk.flush();
                    status = S_OK;
                }
                case T_GET_ID -> {
                    byte[] id = new byte[(int) Math.min(ID_BYTES, statusAt)];
                    System.arraycopy(serial, 0, id, 0, Math.min(serial.length, id.length));
                    chain.write(0, id);
                    written = id.length;
                    status = S_OK;
                }
                case T_DISCARD, T_WRITE_ZEROES -> status = disk.readOnly() ? S_IOERR : ranges(chain, type);
                default -> status = S_UNSUPP;
            }
        } catch (IOException | RuntimeException e) {
            // The backend failed or refused (a range, or a guest buffer too large for it to wrap):
            // the request fails; an exception left to escape would end the device's thread.
            status = S_IOERR;
        }
        chain.write(statusAt, new byte[] {(byte) status});
        return written + 1;
    }

    /** IN and OUT move whole sectors inside the disk. */
    private int checkData(long sector, long length) {
        return length % SECTOR == 0 && inside(sector, length / SECTOR) ? S_OK : S_IOERR;
    }

    private boolean inside(long sector, long sectors) {
        long capacity = disk.size() / SECTOR;
        return Long.compareUnsigned(sector, capacity) <= 0 && sectors <= capacity - sector;
    }

    /** DISCARD and WRITE_ZEROES carry a list of {sector, num_sectors, flags} segments (§5.2.6.2). */
    private int ranges(DescriptorChain chain, int type) throws IOException {
        long payload = chain.readableLength() - HEADER;
        if (payload == 0 || payload % RANGE_SEGMENT != 0 || payload / RANGE_SEGMENT > MAX_RANGE_SEGMENTS) {
            return S_UNSUPP;
        }
        byte[] segments = new byte[(int) payload];
        chain.read(HEADER, segments);
        ByteBuffer s = ByteBuffer.wrap(segments).order(ByteOrder.LITTLE_ENDIAN);
        // Check every segment before touching the disk: a bad one fails the request whole.
        for (int at = 0; at < payload; at += RANGE_SEGMENT) {
            long sector = s.getLong(at);
            long sectors = Integer.toUnsignedLong(s.getInt(at + 8));
            int flags = s.getInt(at + 12);
            if ((type == T_DISCARD ? flags != 0 : (flags & ~WRITE_ZEROES_UNMAP) != 0) || sectors > MAX_RANGE_SECTORS) {
                return S_UNSUPP;
            }
            if (!inside(sector, sectors)) {
                return S_IOERR;
            }
        }
        for (int at = 0; at < payload; at += RANGE_SEGMENT) {
            long offset = s.getLong(at) * SECTOR;
            long length = Integer.toUnsignedLong(s.getInt(at + 8)) * SECTOR;
            if (type == T_DISCARD) {
                disk.discard(offset, length);
            } else {
                disk.writeZeroes(offset, length, (s.getInt(at + 12) & WRITE_ZEROES_UNMAP) != 0);
            }
        }
        return S_OK;
    }

    @Override
    public void close() {
        worker.close();
        reset();
        try (disk) {
            disk.flush(); // as QEMU on exit: what the guest wrote is on disk even if it never flushed
        } catch (IOException e) {
            System.err.println("jvirt: warning: flushing " + disk + " at exit failed: " + e.getMessage());
        }
    }
}
