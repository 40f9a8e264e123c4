package jvirt.image.host;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The Linux calls {@code FileChannel} cannot reach: {@code fallocate(2)} (punch holes, zero
 * ranges), {@code lseek(2)} with {@code SEEK_DATA}/{@code SEEK_HOLE} (find a sparse file's
 * holes), {@code statx(2)} (the blocks a file occupies) and {@code fcntl(2)}'s open-file-description
 * locks (QEMU's image locking). Where libc lacks one, it is absent and callers fall back.
 */
final class Native {
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    static final int FALLOC_FL_ZERO_RANGE = 0x10;
    static final int SEEK_DATA = 3;
    static final int SEEK_HOLE = 4;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BLOCKS = 0x400;
    /** {@code struct statx} is 256 bytes on every architecture; {@code stx_blocks} is the u64 at 48. */
    private static final int STATX_SIZE = 256;
    private static final long STATX_BLOCKS_OFFSET = 48;
    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;
    private static final short F_RDLCK = 0;
    private static final short F_WRLCK = 1;
    private static final short F_UNLCK = 2;
    private static final int EACCES = 13;
    private static final int EAGAIN = 11;
    /** {@code struct flock} on Linux's 64-bit ABIs: l_type, l_whence (shorts), l_start, l_len (off_t), l_pid. */
    private static final int FLOCK_SIZE = 32;
    private static final long L_START = 8;
    private static final long L_LEN = 16;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /** What an attempt to lock a byte found. */
    enum LockResult { TAKEN, CONFLICT, UNSUPPORTED }

    static final Optional<Native> CALLS = lookup();

    private final MethodHandle open;
    private final MethodHandle close;
    private final MethodHandle fallocate;
    private final MethodHandle lseek;
    private final MethodHandle statx;
    private final MethodHandle fcntl;

    private Native(MethodHandle open, MethodHandle close, MethodHandle fallocate, MethodHandle lseek, MethodHandle statx,
            MethodHandle fcntl) {
        this.open = open;
        this.close = close;
        this.fallocate = fallocate;
        this.lseek = lseek;
        this.statx = statx;
        this.fcntl = fcntl;
    }

    /** Takes a shared lock on byte {@code offset}, held by {@code fd}'s open file description until it is closed. */
    LockResult lockByte(int fd, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lock = flock(arena, F_RDLCK, offset);
            MemorySegment state = arena.allocate(CALL_STATE);
            if ((int) fcntl.invokeExact(state, fd, F_OFD_SETLK, lock) == 0) {
                return LockResult.TAKEN;
            }
            int errno = (int) ERRNO.get(state, 0L);
            return errno == EAGAIN || errno == EACCES ? LockResult.CONFLICT : LockResult.UNSUPPORTED;
        } catch (Throwable t) {
            return LockResult.UNSUPPORTED;
        }
    }

    /** Whether another open file description holds a lock on byte {@code offset} (one an exclusive lock would meet). */
    boolean lockedElsewhere(int fd, long offset) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment lock = flock(arena, F_WRLCK, offset);
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) fcntl.invokeExact(state, fd, F_OFD_GETLK, lock);
            return rc == 0 && lock.get(ValueLayout.JAVA_SHORT, 0) != F_UNLCK;
        } catch (Throwable t) {
            return false;
        }
    }

    private static MemorySegment flock(Arena arena, short type, long offset) {
        MemorySegment lock = arena.allocate(FLOCK_SIZE, 8); // zeroed: l_whence SEEK_SET, l_pid 0 as OFD locks want
        lock.set(ValueLayout.JAVA_SHORT, 0, type);
        lock.set(ValueLayout.JAVA_LONG, L_START, offset);
        lock.set(ValueLayout.JAVA_LONG, L_LEN, 1);
        return lock;
    }

    /** A descriptor for {@code path}, or -1. */
    int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) open.invokeExact(arena.allocateFrom(path), flags | O_CLOEXEC, 0);
        } catch (Throwable t) {
            return -1;
        }
    }

    void close(int fd) {
        try {
            int ignored = (int) close.invokeExact(fd);
        } catch (Throwable t) {
            // Closing a descriptor cannot usefully fail here.
        }
    }

    boolean fallocate(int fd, int mode, long offset, long length) {
        try {
            return (int) fallocate.invokeExact(fd, mode, offset, length) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    /** {@code lseek(fd, offset, whence)}: the resulting offset, or -1 (past the end, or unsupported). */
    long lseek(int fd, long offset, int whence) {
        try {
            return (long) lseek.invokeExact(fd, offset, whence);
        } catch (Throwable t) {
            return -1;
        }
    }

    /** Bytes the file behind {@code fd} occupies on disk, or -1. */
    long allocatedBytes(int fd) {
        if (statx == null) {
            return -1;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATX_SIZE, 8);
            int rc = (int) statx.invokeExact(fd, arena.allocateFrom(""), AT_EMPTY_PATH, STATX_BLOCKS, buf);
            return rc == 0 ? buf.get(ValueLayout.JAVA_LONG, STATX_BLOCKS_OFFSET) * 512 : -1;
        } catch (Throwable t) {
            return -1;
        }
    }

    private static Optional<Native> lookup() {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        var open = libc.find("open");
        var close = libc.find("close");
        var fallocate = libc.find("fallocate");
        var lseek = libc.find("lseek");
        var fcntl = libc.find("fcntl");
        if (open.isEmpty() || close.isEmpty() || fallocate.isEmpty() || lseek.isEmpty() || fcntl.isEmpty()) {
            return Optional.empty();
        }
        ValueLayout i = ValueLayout.JAVA_INT;
        ValueLayout l = ValueLayout.JAVA_LONG;
        return Optional.of(new Native(
                linker.downcallHandle(open.get(), FunctionDescriptor.of(i, ValueLayout.ADDRESS, i, i),
                        Linker.Option.firstVariadicArg(2)), // open(path, flags, ...mode)
                linker.downcallHandle(close.get(), FunctionDescriptor.of(i, i)),
                linker.downcallHandle(fallocate.get(), FunctionDescriptor.of(i, i, i, l, l)),
                linker.downcallHandle(lseek.get(), FunctionDescriptor.of(l, i, l, i)),
                libc.find("statx").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(i, i,
                        ValueLayout.ADDRESS, i, i, ValueLayout.ADDRESS))).orElse(null),
                linker.downcallHandle(fcntl.get(), FunctionDescriptor.of(i, i, i, ValueLayout.ADDRESS),
                        Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno")))); // fcntl(fd, cmd, ...)
    }
}
