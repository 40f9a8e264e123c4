package jvirt.image.host;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jvirt.image.ImageInUseException;

/**
 * An image file on the host, open and locked: positional reads and writes that always move every
 * byte, sync, and the sparse-file operations of Linux (punch a hole, zero a range, find data).
 *
 * <p>The file is locked while open, the way QEMU locks images ({@link QemuLocks}): readers
 * share it, a writer has it alone, so two VMs, or a VM and QEMU or {@code qemu-img}, never write
 * one image at once, and {@code qemu-img info} still reads a base image that VMs overlay. Where
 * the kernel lacks open-file-description locks, a whole-file lock of Java's stands in (seen by
 * other jvirt processes, not by QEMU).
 */
public final class HostFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final boolean readOnly;
    /** A second descriptor for the calls FileChannel lacks; -1 where they are unavailable. */
    private final int fd;
    private volatile boolean punchWorks = true;
    private volatile boolean zeroWorks = true;
    /** Whether anything was written since the last sync. */
    private volatile boolean unsynced;
    /** Vectored I/O goes through the channel's position, which only one request may own at a time. */
    private final Object vectored = new Object();

    /**
     * The host lock on one file, shared by every reader in this JVM: Java refuses two locks on a
     * file from one process, yet a backing file is often open twice (in two chains, or as the
     * old and the new backing of a rebase).
     */
    private static final class Lock {
        /** The descriptor whose open file description holds QEMU's lock bytes; -1 when {@link #channel} holds Java's lock. */
        final int fd;
        final FileChannel channel;
        final boolean exclusive;
        int users;

        Lock(int fd, FileChannel channel, boolean exclusive) {
            this.fd = fd;
            this.channel = channel;
            this.exclusive = exclusive;
        }
    }

    private static final Map<Object, Lock> LOCKS = new HashMap<>();

    private final Object lockKey;
    private boolean closed;

    private HostFile(Path path, FileChannel channel, boolean readOnly, int fd, Object lockKey) {
        this.path = path;
        this.channel = channel;
        this.readOnly = readOnly;
        this.fd = fd;
        this.lockKey = lockKey;
    }

    /** Opens and locks an existing file; a one-line error when it is in use. */
    public static HostFile open(Path path, boolean readOnly) throws IOException {
        Set<StandardOpenOption> options = readOnly
                ? Set.of(StandardOpenOption.READ)
                : Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
        return locked(path, FileChannel.open(path, options), readOnly);
    }

    /** Creates {@code path} empty (truncating a file there), open for writing and locked. */
    public static HostFile create(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE);
        HostFile file = locked(path, channel, false);
        try {
            channel.truncate(0);
        } catch (IOException e) {
            file.close();
            throw e;
        }
        return file;
    }

    private static HostFile locked(Path path, FileChannel channel, boolean readOnly) throws IOException {
        Object key = null;
        try {
            key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            if (key == null) {
                key = path.toRealPath();
            }
            acquire(path, key, readOnly);
            int fd = Native.CALLS.map(n -> n.open(path.toString(), readOnly ? Native.O_RDONLY : Native.O_RDWR)).orElse(-1);
            return new HostFile(path, channel, readOnly, fd, key);
        } catch (IOException | RuntimeException e) {
            if (key != null && !(e instanceof ImageInUseException)) {
                release(key);
            }
            channel.close();
            throw e;
        }
    }

    private static synchronized void acquire(Path path, Object key, boolean readOnly) throws IOException {
        Lock held = LOCKS.get(key);
        if (held != null) {
            if (held.exclusive || !readOnly) {
                throw new ImageInUseException(path, readOnly);
            }
            held.users++;
            return;
        }
        Lock l = qemuLock(path, readOnly);
        if (l == null) {
            l = javaLock(path, readOnly);
        }
        l.users = 1;
        LOCKS.put(key, l);
    }

    /** QEMU's lock bytes on a descriptor of their own; null where the kernel or libc cannot take them. */
    private static Lock qemuLock(Path path, boolean readOnly) throws IOException {
        if (Native.CALLS.isEmpty()) {
            return null;
        }
        Native calls = Native.CALLS.get();
        int fd = calls.open(path.toString(), readOnly ? Native.O_RDONLY : Native.O_RDWR);
        if (fd < 0) {
            return null;
        }
        switch (QemuLocks.take(calls, fd, readOnly)) {
            case TAKEN -> {
                return new Lock(fd, null, !readOnly);
            }
            case CONFLICT -> {
                calls.close(fd);
                throw new ImageInUseException(path, readOnly);
            }
            default -> {
                calls.close(fd);
                return null;
            }
        }
    }

    private static Lock javaLock(Path path, boolean readOnly) throws IOException {
        FileChannel channel = FileChannel.open(path, readOnly ? Set.of(StandardOpenOption.READ)
                : Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        FileLock lock;
        try {
            lock = channel.tryLock(0, Long.MAX_VALUE, readOnly);
        } catch (OverlappingFileLockException | IOException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new ImageInUseException(path, readOnly);
        }
        return new Lock(-1, channel, !readOnly);
    }

    private static synchronized void release(Object key) throws IOException {
        Lock held = LOCKS.get(key);
        if (held != null && --held.users == 0) {
            LOCKS.remove(key);
            if (held.fd >= 0) {
                Native.CALLS.get().close(held.fd); // the last descriptor of its open file description: the locks go
            } else {
                held.channel.close(); // releases the lock
            }
        }
    }

    public Path path() {
        return path;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public long size() throws IOException {
        return channel.size();
    }

    /** Fills {@code destination} from {@code position}; what lies past the file's end reads as zeros. */
    public void read(MemorySegment destination, long position) throws IOException {
        read(destination.asByteBuffer(), position);
    }

    /** Fills {@code buffer}'s remaining bytes from {@code position}; past the end of the file, zeros. */
    public void read(ByteBuffer buffer, long position) throws IOException {
        checkPosition(position, buffer.remaining());
        long at = position - buffer.position();
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, at + buffer.position()) < 0) {
                    while (buffer.hasRemaining()) {
                        buffer.put((byte) 0);
                    }
                    return;
                }
            }
        } catch (IOException e) {
            throw failed("read", position, e);
        }
    }

    private void checkPosition(long position, long length) throws IOException {
        if (position < 0 || position > Long.MAX_VALUE - length) {
            throw new IOException(path + ": offset " + position + " is outside any file");
        }
    }

    /** The host's error (EIO, EFBIG, ENOSPC…) as one line naming the file and where. */
    private IOException failed(String what, long position, IOException e) {
        return new IOException(path + ": " + what + " at offset " + position + " failed: " + e.getMessage(), e);
    }

    /** Writes all of {@code source} at {@code position}. */
    public void write(MemorySegment source, long position) throws IOException {
        write(source.asByteBuffer(), position);
    }

    /** Writes {@code buffer}'s remaining bytes at {@code position}. */
    public void write(ByteBuffer buffer, long position) throws IOException {
        checkPosition(position, buffer.remaining());
        long at = position - buffer.position();
        unsynced = true;
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer, at + buffer.position());
            }
        } catch (IOException e) {
            throw failed("write", position, e);
        }
    }

    /**
     * Fills {@code destinations} one after the other from {@code position} with one {@code readv}
     * per batch; past the file's end, zeros.
     */
    public void read(List<MemorySegment> destinations, long position) throws IOException {
        if (destinations.size() == 1) {
            read(destinations.getFirst(), position); // a plain pread, without the channel's position
            return;
        }
        ByteBuffer[] buffers = buffers(destinations);
        try {
            synchronized (vectored) {
                channel.position(position);
                for (int first = 0; first < buffers.length; ) {
                    if (!buffers[first].hasRemaining()) {
                        first++;
                    } else if (channel.read(buffers, first, buffers.length - first) < 0) {
                        for (int i = first; i < buffers.length; i++) {
                            while (buffers[i].hasRemaining()) {
                                buffers[i].put((byte) 0);
                            }
                        }
                        return;
                    }
                }
            }
        } catch (IOException e) {
            throw failed("read", position, e);
        }
    }

    /** Writes {@code sources} one after the other at {@code position} with one {@code writev} per batch. */
    public void write(List<MemorySegment> sources, long position) throws IOException {
        if (sources.size() == 1) {
            write(sources.getFirst(), position);
            return;
        }
        ByteBuffer[] buffers = buffers(sources);
        unsynced = true;
        try {
            synchronized (vectored) {
                channel.position(position);
                for (int first = 0; first < buffers.length; ) {
                    if (!buffers[first].hasRemaining()) {
                        first++;
                    } else {
                        channel.write(buffers, first, buffers.length - first);
                    }
                }
            }
        } catch (IOException e) {
            throw failed("write", position, e);
        }
    }

    private static ByteBuffer[] buffers(List<MemorySegment> parts) {
        ByteBuffer[] buffers = new ByteBuffer[parts.size()];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = parts.get(i).asByteBuffer();
        }
        return buffers;
    }

    /** Makes every completed write durable (data, and the size when it grew). */
    public void sync() throws IOException {
        unsynced = false;
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new IOException(path + ": sync failed: " + e.getMessage(), e);
        }
    }

    /** Syncs when anything was written since the last sync. */
    public void syncIfWritten() throws IOException {
        if (unsynced) {
            sync();
        }
    }

    public void truncate(long size) throws IOException {
        unsynced = true;
        if (size < channel.size()) {
            channel.truncate(size);
        } else if (size > channel.size()) {
            // FileChannel grows a file only by writing: one zero byte at the new end keeps it sparse.
            write(ByteBuffer.allocate(1), size - 1);
        }
    }

    /** Deallocates the range (it reads as zeros afterwards); false when the file system cannot. */
    public boolean punchHole(long offset, long length) {
        if (punchWorks && !fallocate(Native.FALLOC_FL_PUNCH_HOLE | Native.FALLOC_FL_KEEP_SIZE, offset, length)) {
            punchWorks = false;
        }
        return punchWorks;
    }

    /** Zeroes the range keeping its space allocated; false when the file system cannot. */
    public boolean zeroRange(long offset, long length) {
        if (zeroWorks && !fallocate(Native.FALLOC_FL_ZERO_RANGE | Native.FALLOC_FL_KEEP_SIZE, offset, length)) {
            zeroWorks = false;
        }
        return zeroWorks;
    }

    /** Reserves the range's blocks (they read as zeros where the file had none); false when the file system cannot. */
    public boolean allocate(long offset, long length) {
        return fallocate(0, offset, length);
    }

    private boolean fallocate(int mode, long offset, long length) {
        if (length == 0) {
            return true;
        }
        return fd >= 0 && Native.CALLS.get().fallocate(fd, mode, offset, length);
    }

    /** A run of a sparse file: data or a hole, ending at {@code end}. */
    public record Run(boolean hole, long end) {
    }

    /**
     * The run of data or hole that holds {@code offset} (which is below the file's size). Where
     * the host cannot tell, the whole rest of the file is data.
     */
    public Run run(long offset) throws IOException {
        long size = channel.size();
        if (fd < 0 || offset >= size) {
            return new Run(false, size);
        }
        Native n = Native.CALLS.get();
        long data = n.lseek(fd, offset, Native.SEEK_DATA);
        if (data < 0) {
            return new Run(true, size); // no data after offset (ENXIO): a hole to the end
        }
        if (data > offset) {
            return new Run(true, data);
        }
        long hole = n.lseek(fd, offset, Native.SEEK_HOLE);
        return new Run(false, hole < 0 ? size : hole);
    }

    /** Bytes the file occupies on the host (its allocated blocks), or -1 when unknown. */
    public long allocatedBytes() {
        return fd < 0 ? -1 : Native.CALLS.get().allocatedBytes(fd);
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (fd >= 0) {
                Native.CALLS.get().close(fd);
            }
        } finally {
            try {
                channel.close();
            } finally {
                release(lockKey);
            }
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
