package jvirt.virtio.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jvirt.net.GuestPort;
import jvirt.net.MacAddress;
import jvirt.net.NetBackend;
import jvirt.virtio.AbstractVirtioDevice;
import jvirt.virtio.DescriptorChain;
import jvirt.virtio.DeviceWorker;
import jvirt.virtio.Features;
import jvirt.virtio.VirtqueueException;

/**
 * virtio-net (virtio 1.2 §5.1): one receive and one transmit queue between the guest and a
 * {@link NetBackend}. Every frame is preceded by a {@code virtio_net_hdr} carrying offload
 * metadata, so the guest, whose CPU is emulated and dear, can leave checksums to the device
 * (CSUM), hand over 64 KiB TCP segments whole (HOST_TSO4), and take them whole (GUEST_CSUM,
 * GUEST_TSO4); a large received frame spreads over several receive buffers (MRG_RXBUF).
 *
 * <p>Transmission runs on the device's own thread, which copies each frame out of guest memory
 * (the backend parses a copy the guest cannot change under it) and hands it to the backend
 * without holding the device's lock: the backend calls {@link #receive} from its threads and may
 * hold its own lock while doing so, so the device never calls it with its lock held.
 */
public final class VirtioNet extends AbstractVirtioDevice implements GuestPort {
    public static final int DEVICE_ID = 1;
    static final long F_CSUM = Features.bit(0);
    static final long F_GUEST_CSUM = Features.bit(1);
    static final long F_MTU = Features.bit(3);
    static final long F_MAC = Features.bit(5);
    static final long F_GUEST_TSO4 = Features.bit(7);
    static final long F_HOST_TSO4 = Features.bit(11);
    static final long F_MRG_RXBUF = Features.bit(15);
    static final long F_STATUS = Features.bit(16);

    static final int RECEIVE_QUEUE = 0;
    static final int TRANSMIT_QUEUE = 1;
    static final int QUEUE_SIZE = 256;
    /** struct virtio_net_hdr with num_buffers, which VERSION_1 always has (§5.1.6). */
    static final int HEADER = 12;
    static final int HDR_F_NEEDS_CSUM = 1;
    static final int HDR_F_DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int STATUS_LINK_UP = 1;
    /** The largest frame either way: a 64 KiB IPv4 packet behind an Ethernet header with a VLAN tag. */
    static final int MAX_FRAME = 14 + 4 + 65535;
    /** Frames copied out per turn of the transmit thread before they go to the backend. */
    private static final int TX_BATCH = 64;
    private static final int TX_BATCH_BYTES = 1 << 20;

    private final MacAddress mac;
    private final NetBackend backend;
    private final DeviceWorker transmitter;
    /** The transmit thread's: frames of one turn, back to back, and where each ends. */
    private final ByteBuffer txFrames = ByteBuffer.allocateDirect(TX_BATCH_BYTES);
    private final MemorySegment txSegment = MemorySegment.ofBuffer(txFrames);
    private final int[] txEnds = new int[TX_BATCH];
    private final boolean[] txPartial = new boolean[TX_BATCH];
    private final byte[] txFlags = new byte[1];
    /** The receiving thread's (under the lock): the chains one frame fills, and the header. */
    private final List<DescriptorChain> rxChains = new ArrayList<>();
    private long[] rxWritten = new long[QUEUE_SIZE];
    private final ByteBuffer rxHeader = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    /** A frame was refused for want of buffers: the backend hears when the driver adds some. */
    private volatile boolean receiveBlocked;

    private VirtioNet(MacAddress mac, NetBackend backend, String threadName) {
        if (mac.isGroup()) {
            throw new IllegalArgumentException("MAC address " + mac + " is a multicast address; a NIC needs a unicast one"
                    + " (the first byte even, e.g. 52:54:00:12:34:56)");
        }
        this.mac = mac;
        this.backend = backend;
        this.transmitter = new DeviceWorker(threadName, this::transmit);
    }

    /** A NIC with this address on this network, which is started (its host resources opened) now. */
    public static VirtioNet open(MacAddress mac, NetBackend backend, String threadName) throws IOException {
        VirtioNet nic = new VirtioNet(mac, backend, threadName);
        try {
            backend.start(nic);
        } catch (IOException | RuntimeException e) {
            nic.close();
            throw e;
        }
        return nic;
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return F_CSUM | F_GUEST_CSUM | F_MTU | F_MAC | F_GUEST_TSO4 | F_HOST_TSO4 | F_MRG_RXBUF | F_STATUS;
    }

    @Override
    public List<Integer> maxQueueSizes() {
        return List.of(QUEUE_SIZE, QUEUE_SIZE);
    }

    /** struct virtio_net_config: mac, status (the link is always up), max_virtqueue_pairs (unused), mtu (the network's). */
    @Override
    public int readConfig(int offset) {
        if (offset >= 0 && offset < 6) {
            return mac.octet(offset) & 0xFF;
        }
        return switch (offset) {
            case 6 -> STATUS_LINK_UP;
            case 10 -> backend.mtu() & 0xFF;
            case 11 -> backend.mtu() >>> 8 & 0xFF;
            default -> 0;
        };
    }

    @Override
    public void queueNotify(int queue) {
        if (queue == TRANSMIT_QUEUE) {
            transmitter.kick();
        } else if (queue == RECEIVE_QUEUE && receiveBlocked) {
            receiveBlocked = false;
            backend.receiveReady();
        }
    }

    @Override
    protected void activated() {
        transmitter.kick(); // frames queued before DRIVER_OK
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public boolean acceptsPartialChecksum() {
        return accepted(F_GUEST_CSUM);
    }

    @Override
    public boolean acceptsLargeTcp() {
        return accepted(F_GUEST_TSO4 | F_GUEST_CSUM);
    }

    /** Asked for every frame the network builds: no lock. */
    private boolean accepted(long features) {
        return (negotiated() & features) == features;
    }

    /** The transmit thread's job: copy frames out a batch at a time, then hand them over unlocked. */
    private void transmit() {
        boolean more = true;
        while (more) {
            more = false;
            int count = 0;
            txFrames.clear();
            lock.lock();
            try {
                while (true) {
                    if (count == TX_BATCH || txFrames.remaining() < MAX_FRAME) {
                        more = true; // the batch is full, not the queue empty
                        break;
                    }
                    DescriptorChain chain = take(TRANSMIT_QUEUE);
                    if (chain == null) {
                        break;
                    }
                    if (copyFrame(chain, count)) {
                        txEnds[count++] = txFrames.position();
                    }
                    give(TRANSMIT_QUEUE, chain, 0);
                }
            } catch (VirtqueueException e) {
                failed(e);
            } finally {
                lock.unlock();
            }
            int start = 0;
            for (int i = 0; i < count; i++) {
                backend.send(txFrames.limit(txEnds[i]).position(start), txPartial[i]);
                start = txEnds[i];
            }
        }
    }

    /**
     * Copies one transmitted frame behind the others of this turn; false for a frame that is
     * dropped (empty, or larger than any Ethernet frame with segmentation offload).
     */
    private boolean copyFrame(DescriptorChain chain, int index) throws VirtqueueException {
        long readable = chain.readableLength();
        if (readable < HEADER) {
            throw new VirtqueueException("virtio-net transmit buffer of " + readable + " bytes has no room for its header");
        }
        long length = readable - HEADER;
        if (length == 0 || length > MAX_FRAME) {
            return false;
        }
        chain.read(0, txFlags);
        txPartial[index] = (txFlags[0] & HDR_F_NEEDS_CSUM) != 0;
        MemorySegment into = txSegment;
        int at = txFrames.position();
        try {
            chain.readable(HEADER, length, (part, offset) -> MemorySegment.copy(part, 0, into, at + offset, part.byteSize()));
        } catch (IOException e) {
            throw new IllegalStateException(e); // a copy does no I/O
        }
        txFrames.position(at + (int) length);
        return true;
    }

    @Override
    public boolean receive(ByteBuffer frame, int checksumStart, int checksumOffset, int segmentSize) {
        lock.lock();
        try {
            if (!active()) {
                return true; // no driver: the frame is lost, as on a NIC nobody has brought up
            }
            int length = frame.remaining();
            if (length > MAX_FRAME) {
                return true;
            }
            long needed = HEADER + (long) length;
            boolean mergeable = (negotiated() & F_MRG_RXBUF) != 0;
            long room = 0;
            rxChains.clear();
            while (room < needed) {
                DescriptorChain chain = take(RECEIVE_QUEUE);
                if (chain == null) {
                    if (!active()) {
                        return true; // the driver broke the protocol while we took buffers
                    }
                    // Blocked before the last look at the ring: a notification racing with it then
                    // finds the flag set (at worst the backend hears once too often).
                    receiveBlocked = true;
                    boolean more = untake(RECEIVE_QUEUE, rxChains.size());
                    rxChains.clear();
                    room = 0;
                    if (more) {
                        continue;
                    }
                    return false;
                }
                if (chain.writableLength() < HEADER) {
                    failed(new VirtqueueException("virtio-net receive buffer of " + chain.writableLength()
                            + " bytes has no room for its header"));
                    return true;
                }
                rxChains.add(chain);
                room += chain.writableLength();
                if (!mergeable && room < needed) {
                    untake(RECEIVE_QUEUE, 1); // one buffer per frame, and this one is too small: drop the frame
                    return true;
                }
            }
            fill(frame, checksumStart, checksumOffset, segmentSize);
            giveAll(RECEIVE_QUEUE, rxChains, rxWritten);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Writes the header and the frame across the chains taken for it. */
    private void fill(ByteBuffer frame, int checksumStart, int checksumOffset, int segmentSize) {
        int flags = checksumStart >= 0 ? HDR_F_NEEDS_CSUM
                : (negotiated() & F_GUEST_CSUM) != 0 ? HDR_F_DATA_VALID : 0; // the network computed them all
        int headers = 0;
        if (segmentSize > 0) {
            int tcp = frame.position() + checksumStart;
            headers = checksumStart + ((frame.get(tcp + 12) & 0xF0) >>> 2);
        }
        rxHeader.clear();
        rxHeader.put((byte) flags).put((byte) (segmentSize > 0 ? GSO_TCPV4 : GSO_NONE))
                .putShort((short) headers).putShort((short) segmentSize)
                .putShort((short) Math.max(checksumStart, 0)).putShort((short) (checksumStart >= 0 ? checksumOffset : 0))
                .putShort((short) rxChains.size());
        MemorySegment data = MemorySegment.ofBuffer(frame);
        long from = 0;
        if (rxWritten.length < rxChains.size()) {
            rxWritten = new long[rxChains.size()];
        }
        for (int i = 0; i < rxChains.size(); i++) {
            DescriptorChain chain = rxChains.get(i);
            long at = 0;
            if (i == 0) {
                chain.write(0, rxHeader.array());
                at = HEADER;
            }
            long n = Math.min(chain.writableLength() - at, data.byteSize() - from);
            long start = from;
            for (MemorySegment part : chain.writableSegments(at, n)) {
                MemorySegment.copy(data, from, part, 0, part.byteSize());
                from += part.byteSize();
            }
            rxWritten[i] = at + (from - start);
        }
    }

    @Override
    public void close() {
        transmitter.close();
        reset();
        backend.close();
    }
}
