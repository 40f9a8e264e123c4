package jvirt.image.qcow2;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Raw deflate with a 4 KiB window through the host's zlib. QEMU inflates compressed clusters
 * with a 4 KiB window, so a stream that refers further back (as {@link java.util.zip.Deflater}'s
 * fixed 32 KiB window allows) would not read back in QEMU: jvirt compresses with zlib's own
 * {@code deflateInit2} and QEMU's parameters, so its clusters are the bytes QEMU would write.
 */
final class Zlib {
    private static final int Z_OK = 0;
    private static final int Z_STREAM_END = 1;
    private static final int Z_FINISH = 4;
    private static final int Z_DEFAULT_COMPRESSION = -1;
    private static final int Z_DEFLATED = 8;
    private static final int RAW_4K_WINDOW = -12;
    private static final int MEM_LEVEL = 9;
    private static final int Z_DEFAULT_STRATEGY = 0;
    /** {@code z_stream} on LP64 Linux: the offsets of the fields jvirt sets, and its size. */
    private static final long NEXT_IN = 0;
    private static final long AVAIL_IN = 8;
    private static final long NEXT_OUT = 24;
    private static final long AVAIL_OUT = 32;
    private static final long TOTAL_OUT = 40;
    private static final int STREAM_SIZE = 112;

    private static final Calls CALLS = Calls.load();

    private Zlib() {
    }

    /**
     * Compresses {@code input} as a raw deflate stream of at most {@code limit} bytes; null when it
     * does not fit.
     */
    static byte[] deflateRaw(byte[] input, int limit) {
        if (CALLS.error != null) {
            throw new IllegalStateException(CALLS.error);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stream = arena.allocate(STREAM_SIZE, 8);
            MemorySegment in = arena.allocateFrom(ValueLayout.JAVA_BYTE, input);
            MemorySegment out = arena.allocate(limit);
            int rc = (int) CALLS.deflateInit2.invokeExact(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, RAW_4K_WINDOW,
                    MEM_LEVEL, Z_DEFAULT_STRATEGY, CALLS.version, STREAM_SIZE);
            if (rc != Z_OK) {
                throw new IllegalStateException("zlib deflateInit2 failed (" + rc + ")");
            }
            try {
                stream.set(ValueLayout.ADDRESS, NEXT_IN, in);
                stream.set(ValueLayout.JAVA_INT, AVAIL_IN, input.length);
                stream.set(ValueLayout.ADDRESS, NEXT_OUT, out);
                stream.set(ValueLayout.JAVA_INT, AVAIL_OUT, limit);
                rc = (int) CALLS.deflate.invokeExact(stream, Z_FINISH);
                if (rc != Z_STREAM_END) {
                    return null; // did not fit in the limit
                }
                long n = stream.get(ValueLayout.JAVA_LONG, TOTAL_OUT);
                return out.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
            } finally {
                int ignored = (int) CALLS.deflateEnd.invokeExact(stream);
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("zlib failed: " + t, t);
        }
    }

    private record Calls(MethodHandle deflateInit2, MethodHandle deflate, MethodHandle deflateEnd,
                         MemorySegment version, String error) {
        static Calls load() {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup zlib = SymbolLookup.libraryLookup("libz.so.1", Arena.global());
                ValueLayout i = ValueLayout.JAVA_INT;
                ValueLayout p = ValueLayout.ADDRESS;
                MethodHandle zlibVersion = linker.downcallHandle(zlib.findOrThrow("zlibVersion"), FunctionDescriptor.of(p));
                MemorySegment version = ((MemorySegment) zlibVersion.invokeExact()).reinterpret(64);
                return new Calls(
                        linker.downcallHandle(zlib.findOrThrow("deflateInit2_"), FunctionDescriptor.of(i, p, i, i, i, i, i, p, i)),
                        linker.downcallHandle(zlib.findOrThrow("deflate"), FunctionDescriptor.of(i, p, i)),
                        linker.downcallHandle(zlib.findOrThrow("deflateEnd"), FunctionDescriptor.of(i, p)),
                        version, null);
            } catch (Throwable t) {
                return new Calls(null, null, null, null,
                        "writing compressed qcow2 clusters needs the host's zlib (libz.so.1; Debian package zlib1g): " + t.getMessage());
            }
        }
    }
}
