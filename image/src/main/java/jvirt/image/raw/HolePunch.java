package jvirt.image.raw;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Linux's {@code fallocate(2)} on a file, which {@code FileChannel} cannot reach: punching holes
 * (discard) and zeroing ranges without writing zeros. A second descriptor on the image is opened
 * for it. Where the call is missing or the file system refuses, callers fall back to writing.
 */
final class HolePunch implements AutoCloseable {
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    private static final int FALLOC_FL_ZERO_RANGE = 0x10;
    private static final Optional<Calls> CALLS = Calls.lookup();

    private final int fd;
    private volatile boolean punchWorks = true;
    private volatile boolean zeroWorks = true;

    private HolePunch(int fd) {
        this.fd = fd;
    }

    /** A descriptor for {@code path}, or {@code null} where fallocate is not available. */
    static HolePunch open(Path path) throws IOException {
        if (CALLS.isEmpty()) {
            return null;
        }
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = (int) CALLS.get().open.invokeExact(arena.allocateFrom(path.toString()), O_WRONLY | O_CLOEXEC, 0);
        } catch (Throwable t) {
            throw new IOException("cannot open " + path + " for discard: " + t, t);
        }
        return fd < 0 ? null : new HolePunch(fd);
    }

    /** Deallocates the range (it reads as zeros); false when the file system cannot. */
    boolean punch(long offset, long length) {
        if (punchWorks && !fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length)) {
            punchWorks = false;
        }
        return punchWorks;
    }

    /** Zeroes the range keeping its space allocated; false when the file system cannot. */
    boolean zero(long offset, long length) {
        if (zeroWorks && !fallocate(FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, offset, length)) {
            zeroWorks = false;
        }
        return zeroWorks;
    }

    private boolean fallocate(int mode, long offset, long length) {
        if (length == 0) {
            return true;
        }
        try {
            return (int) CALLS.get().fallocate.invokeExact(fd, mode, offset, length) == 0;
        } catch (Throwable t) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CALLS.get().close.invokeExact(fd);
        } catch (Throwable t) {
            // Closing a descriptor cannot usefully fail here.
        }
    }

    private record Calls(MethodHandle open, MethodHandle fallocate, MethodHandle close) {
        static Optional<Calls> lookup() {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            var open = libc.find("open");
            var fallocate = libc.find("fallocate");
            var close = libc.find("close");
            if (open.isEmpty() || fallocate.isEmpty() || close.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Calls(
                    linker.downcallHandle(open.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                            Linker.Option.firstVariadicArg(2)), // open(path, flags, ...mode)
                    linker.downcallHandle(fallocate.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG)),
                    linker.downcallHandle(close.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT))));
        }
    }
}
