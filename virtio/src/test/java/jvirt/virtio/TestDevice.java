package jvirt.virtio;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import jvirt.core.GuestMemory;

/**
 * A device for testing queues and the transport: it serves chains at once, on the notifying
 * thread, recording each chain's buffers as the device saw them, and fills every writable byte
 * with {@link #fill}.
 */
public class TestDevice extends AbstractVirtioDevice {
    public static final int ID = 42;

    /** A segment of guest RAM a chain handed the device: guest physical address and length. */
    public record Segment(long addr, long len) {
    }

    /** One served chain. */
    public record Served(int head, List<Segment> readable, List<Segment> writable, long readableLength,
            long writableLength) {
    }

    private final long features;
    private final List<Integer> sizes;
    private final byte[] config;
    public final List<Served> served = Collections.synchronizedList(new ArrayList<>());
    public final List<Integer> notifications = Collections.synchronizedList(new ArrayList<>());
    /** The byte written into writable buffers. */
    public volatile byte fill = 0x5C;
    private volatile MemorySegment ram;
    private volatile long ramAddr;

    public TestDevice(long features, List<Integer> sizes, byte[] config) {
        this.features = features;
        this.sizes = List.copyOf(sizes);
        this.config = config.clone();
    }

    public TestDevice(int... sizes) {
        this(0, Arrays.stream(sizes).boxed().toList(), new byte[0]);
    }

    @Override
    public int deviceId() {
        return ID;
    }

    @Override
    public long features() {
        return features;
    }

    @Override
    public List<Integer> maxQueueSizes() {
        return sizes;
    }

    @Override
    public int readConfig(int offset) {
        return offset >= 0 && offset < config.length ? config[offset] & 0xFF : 0;
    }

    @Override
    public void queueNotify(int queue) {
        notifications.add(queue);
        lock.lock();
        try {
            serve(queue, this::handle);
        } finally {
            lock.unlock();
        }
    }

    /** Records the chain, fills its writable part; returns what the device says it wrote. */
    protected long handle(DescriptorChain chain) throws VirtqueueException {
        List<Segment> readable = new ArrayList<>();
        List<Segment> writable = new ArrayList<>();
        try {
            chain.readable(0, chain.readableLength(), (part, at) -> readable.add(segment(part)));
            chain.writable(0, chain.writableLength(), (part, at) -> {
                writable.add(segment(part));
                part.fill(fill);
            });
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        served.add(new Served(chain.head(), readable, writable, chain.readableLength(), chain.writableLength()));
        return written(chain);
    }

    /** How many bytes the device reports written; all of them unless a test says otherwise. */
    protected long written(DescriptorChain chain) {
        return chain.writableLength();
    }

    /** Tells the device where guest RAM lies, to turn segments back into guest addresses ({@link TestDriver} does). */
    public void ram(GuestMemory memory) {
        ram = memory.segment();
        ramAddr = memory.base();
    }

    private Segment segment(MemorySegment part) {
        return new Segment(ramAddr + (part.address() - ram.address()), part.byteSize());
    }

    @Override
    public void close() {
        reset();
    }
}
