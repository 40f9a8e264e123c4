package jvirt.core;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Guest RAM: one contiguous {@link MemorySegment} at a guest physical base address.
 *
 * <p>The segment is an anonymous private mapping made with {@code mmap}, so pages the guest never
 * touches cost no host memory (a 512 MiB guest starts with a few MiB resident). Devices and harts
 * read and write it in place; every guest-supplied range is checked with {@link #contains} first.
 */
public final class GuestMemory implements AutoCloseable {
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_NORESERVE = 0x4000;

    private final long base;
    private final long size;
    private final Arena arena;
    private final MemorySegment ram;
    private final WriteMonitor monitor;

    /**
     * Maps {@code size} bytes of zeroed guest RAM at guest physical address {@code base}.
     *
     * @throws IllegalArgumentException if the size is not a positive multiple of 4 KiB or the
     *     range wraps around the 64-bit address space
     */
    public GuestMemory(long base, long size) {
        if (size <= 0 || (size & 0xFFF) != 0 || (base & 0xFFF) != 0 || Long.compareUnsigned(base + size, base) <= 0) {
            throw new IllegalArgumentException("guest RAM must be a positive multiple of 4 KiB, got "
                    + size + " bytes at 0x" + Long.toHexString(base));
        }
        this.base = base;
        this.size = size;
        this.arena = Arena.ofShared();
        this.ram = Mmap.anonymous(size, arena);
        this.monitor = new WriteMonitor(size);
    }

    /** Guest physical address of the first byte. */
    public long base() {
        return base;
    }

    /** Size in bytes. */
    public long size() {
        return size;
    }

    /** Guest physical address one past the last byte. */
    public long end() {
        return base + size;
    }

    /** The whole of RAM; offset 0 is guest physical address {@link #base()}. */
    public MemorySegment segment() {
        return ram;
    }

    /** Who must hear of writes to RAM: decoded code and store hooks. */
    public WriteMonitor monitor() {
        return monitor;
    }

    /** Whether {@code [paddr, paddr + length)} lies entirely inside RAM, without overflow. */
    public boolean contains(long paddr, long length) {
        long offset = paddr - base;
        return length >= 0 && Long.compareUnsigned(offset, size) < 0 && length <= size - offset;
    }

    /** Offset in {@link #segment()} of a guest physical address already checked with {@link #contains}. */
    public long offsetOf(long paddr) {
        return paddr - base;
    }

    /** The guest range {@code [paddr, paddr + length)} as a segment, in place (no copy). */
    public MemorySegment slice(long paddr, long length) {
        if (!contains(paddr, length)) {
            throw new IndexOutOfBoundsException(String.format(
                    "guest range 0x%x+0x%x is outside RAM 0x%x-0x%x", paddr, length, base, end()));
        }
        return ram.asSlice(paddr - base, length);
    }

    /** Copies {@code data} into RAM at {@code paddr}. */
    public void write(long paddr, byte[] data) {
        MemorySegment.copy(data, 0, slice(paddr, data.length), ValueLayout.JAVA_BYTE, 0, data.length);
        monitor.written(paddr - base, data.length);
    }

    /** Copies all of {@code data} into RAM at {@code paddr}. */
    public void write(long paddr, MemorySegment data) {
        MemorySegment.copy(data, 0, slice(paddr, data.byteSize()), 0, data.byteSize());
        monitor.written(paddr - base, data.byteSize());
    }

    /** Copies {@code length} bytes of RAM at {@code paddr} out. */
    public byte[] read(long paddr, int length) {
        return slice(paddr, length).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Anonymous memory from the host kernel, released when the arena closes. */
    private static final class Mmap {
        private static final Optional<MethodHandle[]> CALLS = lookup();

        static MemorySegment anonymous(long size, Arena arena) {
            if (CALLS.isEmpty()) {
                return arena.allocate(size, 4096); // no mmap (not Linux): zeroed Java allocation
            }
            MethodHandle mmap = CALLS.get()[0];
            MethodHandle munmap = CALLS.get()[1];
            MemorySegment address;
            try {
                address = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            } catch (Throwable t) {
                throw new IllegalStateException("mmap failed", t);
            }
            if (address.address() == -1L) {
                throw new OutOfMemoryError("cannot map " + (size >> 20) + " MiB of guest RAM");
            }
            return address.reinterpret(size, arena, segment -> {
                try {
                    int ignored = (int) munmap.invokeExact(segment, size);
                } catch (Throwable t) {
                    throw new IllegalStateException("munmap failed", t);
                }
            });
        }

        private static Optional<MethodHandle[]> lookup() {
            Linker linker = Linker.nativeLinker();
            var libc = linker.defaultLookup();
            var mmap = libc.find("mmap");
            var munmap = libc.find("munmap");
            if (mmap.isEmpty() || munmap.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new MethodHandle[] {
                linker.downcallHandle(mmap.get(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)),
                linker.downcallHandle(munmap.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)),
            });
        }
    }
}
