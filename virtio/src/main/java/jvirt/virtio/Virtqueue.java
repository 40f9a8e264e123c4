package jvirt.virtio;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import jvirt.core.GuestMemory;

/**
 * A split virtqueue (virtio 1.2 §2.7): the descriptor table, the driver's available ring and the
 * device's used ring, all in guest RAM and all written by a driver the device does not trust.
 *
 * <p>The transport fills in size and addresses while the queue is being set up and checks them
 * with {@link #checkLayout} before the driver may use it. After that one device thread at a time
 * {@linkplain #pop() takes} chains and {@linkplain #push gives} them back. Every index and
 * address read from the rings is checked: a bad one is a {@link VirtqueueException}, never an
 * access outside RAM.
 */
public final class Virtqueue {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final int DESC_F_NEXT = 1;
    static final int DESC_F_WRITE = 2;
    static final int DESC_F_INDIRECT = 4;
    private static final int AVAIL_F_NO_INTERRUPT = 1;
    private static final int DESCRIPTOR_SIZE = 16;

    private final int maxSize;
    private int size;
    private long descAddr;
    private long availAddr;
    private long usedAddr;

    private GuestMemory memory;
    private MemorySegment ram;
    private boolean active;
    private boolean indirect;
    private boolean eventIdx;
    /** The next available-ring slot to read, and the used index to write (free-running 16-bit counters). */
    private int lastAvail;
    private int usedIdx;
    /** The used index when the driver was last interrupted (for EVENT_IDX). */
    private int signalledUsed;

    /** A queue of at most {@code maxSize} entries (a power of two, up to 32768). */
    public Virtqueue(int maxSize) {
        if (maxSize < 1 || maxSize > 32768 || Integer.bitCount(maxSize) != 1) {
            throw new IllegalArgumentException("queue size must be a power of two up to 32768: " + maxSize);
        }
        this.maxSize = maxSize;
        this.size = maxSize;
    }

    public int maxSize() {
        return maxSize;
    }

    public int size() {
        return size;
    }

    public long descAddr() {
        return descAddr;
    }

    public long availAddr() {
        return availAddr;
    }

    public long usedAddr() {
        return usedAddr;
    }

    void setSize(int size) {
        this.size = size;
    }

    void setDescAddr(long addr) {
        descAddr = addr;
    }

    void setAvailAddr(long addr) {
        availAddr = addr;
    }

    void setUsedAddr(long addr) {
        usedAddr = addr;
    }

    /** Back to the reset state: the driver sets it up again. */
    void reset() {
        size = maxSize;
        descAddr = 0;
        availAddr = 0;
        usedAddr = 0;
        memory = null;
        ram = null;
        active = false;
        lastAvail = 0;
        usedIdx = 0;
        signalledUsed = 0;
    }

    /**
     * Checks the size and the three areas (virtio 1.2 §2.7: sizes and alignments) against RAM;
     * returns why they are unusable, or {@code null} when they are fine.
     */
    String checkLayout(GuestMemory guest) {
        if (size < 1 || size > maxSize || Integer.bitCount(size) != 1) {
            return "queue size " + size + " is not a power of two from 1 to " + maxSize;
        }
        if (!area(guest, descAddr, (long) DESCRIPTOR_SIZE * size, 16)) {
            return String.format("descriptor table 0x%x is unaligned or outside RAM", descAddr);
        }
        if (!area(guest, availAddr, 6 + 2L * size, 2)) {
            return String.format("available ring 0x%x is unaligned or outside RAM", availAddr);
        }
        if (!area(guest, usedAddr, 6 + 8L * size, 4)) {
            return String.format("used ring 0x%x is unaligned or outside RAM", usedAddr);
        }
        return null;
    }

    private static boolean area(GuestMemory guest, long addr, long length, int alignment) {
        return (addr & (alignment - 1)) == 0 && guest.contains(addr, length);
    }

    /** Starts using the queue, with the features the driver accepted; the layout has been checked. */
    void activate(GuestMemory guest, long features) {
        memory = guest;
        ram = guest.segment();
        active = true;
        indirect = (features & Features.RING_INDIRECT_DESC) != 0;
        eventIdx = (features & Features.RING_EVENT_IDX) != 0;
        lastAvail = 0;
        usedIdx = 0;
        signalledUsed = 0;
    }

    /** Guest RAM, for devices that move data in and out of chains. */
    public GuestMemory memory() {
        return memory;
    }

    /** Whether the driver has made chains available that the device has not taken. */
    public boolean hasAvailable() throws VirtqueueException {
        return pending() != 0;
    }

    private int pending() throws VirtqueueException {
        if (!active) {
            return 0; // the driver never made this queue ready
        }
        if (eventIdx) {
            VarHandle.fullFence(); // our avail_event store before the index load, or a notification is lost
        }
        int availIdx = u16(availAddr + 2);
        VarHandle.acquireFence(); // the ring entries and descriptors behind the index are visible
        int pending = (availIdx - lastAvail) & 0xFFFF;
        if (pending > size) {
            throw new VirtqueueException("the available index ran " + pending + " entries ahead of the device, more than the"
                    + " queue's " + size);
        }
        return pending;
    }

    /** Takes the next available chain, checked, or returns {@code null} when there is none. */
    public DescriptorChain pop() throws VirtqueueException {
        if (pending() == 0) {
            return null;
        }
        int head = u16(availAddr + 4 + 2L * (lastAvail & (size - 1)));
        lastAvail = (lastAvail + 1) & 0xFFFF;
        if (eventIdx) {
            // avail_event: notify again once the driver goes past what the device has seen.
            ram.set(U16, memory.offsetOf(usedAddr + 4 + 8L * size), (short) lastAvail);
        }
        return readChain(head);
    }

    private DescriptorChain readChain(int head) throws VirtqueueException {
        if (head >= size) {
            throw new VirtqueueException("chain head " + head + " is past the queue's " + size + " descriptors");
        }
        DescriptorChain chain = new DescriptorChain(head, memory);
        long table = descAddr;
        int tableSize = size;
        boolean inIndirect = false;
        int index = head;
        int visited = 0;
        while (true) {
            long d = memory.offsetOf(table) + (long) DESCRIPTOR_SIZE * index;
            long addr = ram.get(U64, d);
            long len = Integer.toUnsignedLong(ram.get(U32, d + 8));
            int flags = ram.get(U16, d + 12) & 0xFFFF;
            int next = ram.get(U16, d + 14) & 0xFFFF;
            if (++visited > tableSize) {
                throw new VirtqueueException("descriptor chain from " + head + " is longer than its table of " + tableSize
                        + " (a loop)");
            }
            if ((flags & DESC_F_INDIRECT) != 0) {
                if (!indirect) {
                    throw new VirtqueueException("indirect descriptor without RING_INDIRECT_DESC negotiated");
                }
                if (inIndirect) {
                    throw new VirtqueueException("nested indirect descriptor table");
                }
                if ((flags & DESC_F_NEXT) != 0) {
                    throw new VirtqueueException("indirect descriptor with NEXT set");
                }
                if (len == 0 || len % DESCRIPTOR_SIZE != 0 || len / DESCRIPTOR_SIZE > maxSize
                        || (addr & 0xF) != 0 || !memory.contains(addr, len)) {
                    throw new VirtqueueException(String.format(
                            "indirect table 0x%x+0x%x is misaligned, empty, larger than %d entries or outside RAM",
                            addr, len, maxSize));
                }
                if (chain.count() > 0) {
                    throw new VirtqueueException("indirect descriptor after direct ones in one chain");
                }
                table = addr;
                tableSize = (int) (len / DESCRIPTOR_SIZE);
                inIndirect = true;
                index = 0;
                visited = 0;
                continue;
            }
            if (!memory.contains(addr, len)) {
                throw new VirtqueueException(String.format("buffer 0x%x+0x%x is outside RAM", addr, len));
            }
            boolean writable = (flags & DESC_F_WRITE) != 0;
            if (!writable && chain.writableLength() > 0) {
                throw new VirtqueueException("device-readable buffer after a device-writable one");
            }
            chain.add(addr, len, writable);
            if ((flags & DESC_F_NEXT) == 0) {
                return chain;
            }
            if (next >= tableSize) {
                throw new VirtqueueException("next descriptor " + next + " is past its table of " + tableSize);
            }
            index = next;
        }
    }

    /** Gives a chain back to the driver, saying how many bytes the device wrote into it. */
    public void push(DescriptorChain chain, long written) {
        fill(chain, written);
        publish();
    }

    /**
     * Writes a used element without showing it to the driver yet: a packet spread over several
     * chains (virtio-net's mergeable receive buffers) must appear whole, or the driver finds
     * buffers missing. {@link #publish} shows everything filled.
     */
    public void fill(DescriptorChain chain, long written) {
        long elem = memory.offsetOf(usedAddr) + 4 + 8L * (usedIdx & (size - 1));
        ram.set(U32, elem, chain.head());
        ram.set(U32, elem + 4, (int) Math.min(written, chain.writableLength()));
        usedIdx = (usedIdx + 1) & 0xFFFF;
    }

    /** Moves the used index past every element filled so far. */
    public void publish() {
        VarHandle.releaseFence(); // the elements and the buffers' contents before the index
        ram.set(U16, memory.offsetOf(usedAddr) + 2, (short) usedIdx);
    }

    /**
     * Puts the last {@code count} chains taken back, untouched (they cannot hold what the device
     * has to deliver), and asks the driver to notify when it adds more. Returns true when the
     * driver already added some meanwhile, so the caller tries again instead of waiting for a
     * notification that will not come.
     */
    public boolean unpop(int count) {
        lastAvail = (lastAvail - count) & 0xFFFF;
        if (!eventIdx) {
            return false; // the driver notifies for every addition
        }
        int seen = u16(availAddr + 2);
        ram.set(U16, memory.offsetOf(usedAddr + 4 + 8L * size), (short) seen);
        VarHandle.fullFence(); // avail_event before the index is read again, as in pending()
        return u16(availAddr + 2) != seen;
    }

    /**
     * Whether the driver wants an interrupt for what was pushed since the last one: with EVENT_IDX
     * when the used index crossed its {@code used_event}, otherwise unless it set NO_INTERRUPT.
     */
    public boolean needsInterrupt() {
        VarHandle.fullFence(); // the used index is visible before the driver's wish is read
        if (!eventIdx) {
            return (u16(availAddr) & AVAIL_F_NO_INTERRUPT) == 0;
        }
        int usedEvent = u16(availAddr + 4 + 2L * size);
        int old = signalledUsed;
        signalledUsed = usedIdx;
        // vring_need_event: (new - event - 1) < (new - old), in 16-bit arithmetic.
        return ((usedIdx - usedEvent - 1) & 0xFFFF) < ((usedIdx - old) & 0xFFFF);
    }

    private int u16(long paddr) {
        return ram.get(U16, memory.offsetOf(paddr)) & 0xFFFF;
    }
}
