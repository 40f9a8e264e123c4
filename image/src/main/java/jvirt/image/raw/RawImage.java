package jvirt.image.raw;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import jvirt.image.BlockDevice;

/**
 * A raw disk image: the file's bytes are the disk's bytes. Sparse files stay sparse: discard and
 * write-zeroes punch holes where the host file system can.
 *
 * <p>The file is locked while open (shared when read-only, exclusive otherwise), so two VMs, or a
 * VM and a {@code qemu-img} that honours locks, never write one disk at once.
 */
public final class RawImage implements BlockDevice {
    private static final int ZERO_CHUNK = 1 << 20;

    private final Path path;
    private final FileChannel channel;
    private final boolean readOnly;
    private final long size;
    private final HolePunch holes;
    /** Vectored I/O goes through the channel's position, which only one request may own at a time. */
    private final Object vectored = new Object();

    private RawImage(Path path, FileChannel channel, boolean readOnly, long size, HolePunch holes) {
        this.path = path;
        this.channel = channel;
        this.readOnly = readOnly;
        this.size = size;
        this.holes = holes;
    }

    /** Opens {@code path}; fails with a one-line message when it is missing, unreadable or in use. */
    public static RawImage open(Path path, boolean readOnly) throws IOException {
        Set<StandardOpenOption> options = readOnly
                ? Set.of(StandardOpenOption.READ)
                : Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel channel = FileChannel.open(path, options);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock(0, Long.MAX_VALUE, readOnly);
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException(path + " is in use by another process or drive (failed to get "
                        + (readOnly ? "a shared" : "an exclusive") + " lock); stop the other user, or add readonly=on");
            }
            long size = channel.size();
            return new RawImage(path, channel, readOnly, size, readOnly ? null : HolePunch.open(path));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void read(long offset, MemorySegment destination) throws IOException {
        BlockDevice.checkRange(offset, destination.byteSize(), size);
        ByteBuffer buffer = destination.asByteBuffer();
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                // The file shrank under us: what lies past its end reads as zeros.
                destination.asSlice(buffer.position()).fill((byte) 0);
                return;
            }
        }
    }

    @Override
    public void write(long offset, MemorySegment source) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, source.byteSize(), size);
        ByteBuffer buffer = source.asByteBuffer();
        while (buffer.hasRemaining()) {
            channel.write(buffer, offset + buffer.position());
        }
    }

    /** One readv per request (up to the host's IOV_MAX buffers at a time) instead of one read per guest page. */
    @Override
    public void read(long offset, List<MemorySegment> destinations) throws IOException {
        long length = total(destinations);
        BlockDevice.checkRange(offset, length, size);
        ByteBuffer[] buffers = buffers(destinations);
        synchronized (vectored) {
            channel.position(offset);
            long done = 0;
            while (done < length) {
                long n = channel.read(buffers);
                if (n < 0) {
                    zeroFrom(destinations, done); // the file shrank under us: the rest reads as zeros
                    return;
                }
                done += n;
            }
        }
    }

    /** One writev per request. */
    @Override
    public void write(long offset, List<MemorySegment> sources) throws IOException {
        checkWritable();
        long length = total(sources);
        BlockDevice.checkRange(offset, length, size);
        ByteBuffer[] buffers = buffers(sources);
        synchronized (vectored) {
            channel.position(offset);
            long done = 0;
            while (done < length) {
                done += channel.write(buffers);
            }
        }
    }

    private static long total(List<MemorySegment> parts) {
        long total = 0;
        for (MemorySegment p : parts) {
            total += p.byteSize();
        }
        return total;
    }

    private static ByteBuffer[] buffers(List<MemorySegment> parts) {
        ByteBuffer[] buffers = new ByteBuffer[parts.size()];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = parts.get(i).asByteBuffer();
        }
        return buffers;
    }

    private static void zeroFrom(List<MemorySegment> parts, long from) {
        for (MemorySegment p : parts) {
            if (from < p.byteSize()) {
                p.asSlice(Math.max(from, 0)).fill((byte) 0);
            }
            from -= p.byteSize();
        }
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) {
            channel.force(false);
        }
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, length, size);
        if (holes != null) {
            holes.punch(offset, length);
        }
        // Without hole punching a discard is a hint that may be ignored: the data stays.
    }

    @Override
    public void writeZeroes(long offset, long length, boolean unmap) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, length, size);
        if (holes != null && (unmap ? holes.punch(offset, length) : holes.zero(offset, length))) {
            return;
        }
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(ZERO_CHUNK, Math.max(length, 1)));
        for (long done = 0; done < length; ) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), length - done));
            done += channel.write(zeros, offset + done);
        }
    }

    private void checkWritable() throws IOException {
        if (readOnly) {
            throw new IOException(path + " is read-only");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (holes != null) {
                holes.close();
            }
        } finally {
            channel.close(); // releases the lock
        }
    }

    @Override
    public String toString() {
        return "raw:" + path;
    }
}
