package jvirt.manager;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One VM's lock: an exclusive {@code fcntl} lock on {@code .lock} in its directory, held while a
 * command changes the VM. The kernel drops it when the holder dies, so a killed command never
 * leaves a VM locked.
 */
public final class VmLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private VmLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock at once, or fails saying the VM is busy. */
    static VmLock take(VmName name, Path directory) throws IOException {
        FileChannel channel = FileChannel.open(directory.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held in this process already
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("VM '" + name + "' is busy: another jvirt command is changing it; try again when it ends");
        }
        return new VmLock(channel, lock);
    }

    @Override
    public void close() throws IOException {
        try (channel) {
            lock.release();
        }
    }
}
