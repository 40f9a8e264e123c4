package jvirt.image.formats;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormat;
import jvirt.image.OpenOptions;

/**
 * Mutates a small valid image many times (random bytes anywhere, and values aimed at the fields
 * that hold offsets, sizes and counts) and opens, reads, maps and writes each result: only
 * {@link IOException}s may come out, each within a time bound, with one-line messages.
 */
public final class Fuzz {
    private static final long[] INTERESTING = {0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x200, 0x1000, 0xffff, 0x10000,
        0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L, 1L << 40, 1L << 62, Long.MAX_VALUE, -1, -512};
    private static final long MAX_READ = 8L << 20;

    private Fuzz() {
    }

    /** A field worth aiming at: {@code width} bytes at {@code offset}, little- or big-endian. */
    public record Field(int offset, int width, boolean bigEndian) {
        public static Field le(int offset, int width) {
            return new Field(offset, width, false);
        }

        public static Field be(int offset, int width) {
            return new Field(offset, width, true);
        }
    }

    /**
     * Runs {@code iterations} mutations of {@code valid} (passed through {@code fixup}, which may
     * mend checksums so that the fields behind them are tried, then written to {@code image}) and checks
     * {@code format} on each. Returns how many of the mutants opened (a fuzz that only ever
     * meets bad magic numbers proves little).
     */
    public static int run(ImageFormat format, Path image, byte[] valid, List<Field> fields, int iterations, long seed,
                          UnaryOperator<byte[]> fixup) throws Exception {
        // -Djvirt.fuzz.scale=N runs N times the iterations, -Djvirt.fuzz.seed=S other mutants: for longer hunts by hand.
        iterations *= Math.max(1, Integer.getInteger("jvirt.fuzz.scale", 1));
        Random r = new Random(seed ^ Long.getLong("jvirt.fuzz.seed", 0L));
        ExecutorService pool = Executors.newSingleThreadExecutor(t -> {
            Thread th = new Thread(t, "fuzz");
            th.setDaemon(true);
            return th;
        });
        int opened = 0;
        try {
            for (int i = 0; i < iterations; i++) {
                Files.write(image, fixup.apply(mutate(valid, fields, r)));
                boolean write = i % 4 == 0;
                long ioSeed = r.nextLong();
                Future<Boolean> f = pool.submit(() -> exercise(format, image, write, ioSeed));
                try {
                    if (f.get(10, TimeUnit.SECONDS)) {
                        opened++;
                    }
                } catch (TimeoutException e) {
                    f.cancel(true);
                    throw new AssertionError("iteration " + i + " of " + format.name() + " ran past 10 s", e);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    throw new AssertionError("iteration " + i + " of " + format.name() + " threw " + c, c);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return opened;
    }

    static byte[] mutate(byte[] valid, List<Field> fields, Random r) {
        byte[] b = valid.clone();
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int kind = r.nextInt(10);
            if (kind < 5 && !fields.isEmpty()) {
                Field f = fields.get(r.nextInt(fields.size()));
                long v = r.nextInt(3) == 0 ? r.nextLong() : INTERESTING[r.nextInt(INTERESTING.length)];
                if (r.nextBoolean()) {
                    v += r.nextInt(9) - 4;
                }
                put(b, f, v);
            } else if (kind < 8) {
                int at = r.nextInt(b.length);
                b[at] = (byte) (r.nextBoolean() ? r.nextInt(256) : b[at] ^ (1 << r.nextInt(8)));
            } else if (kind < 9) {
                int at = r.nextInt(Math.min(b.length, 4096));
                b[at] = (byte) r.nextInt(256);
            } else {
                int cut = r.nextInt(b.length);
                b = Arrays.copyOf(b, cut); // truncated
                if (b.length == 0) {
                    return b;
                }
            }
        }
        return b;
    }

    private static void put(byte[] b, Field f, long v) {
        for (int i = 0; i < f.width() && f.offset() + i < b.length; i++) {
            int shift = 8 * (f.bigEndian() ? f.width() - 1 - i : i);
            b[f.offset() + i] = (byte) (v >>> shift);
        }
    }

    /** Opens, reads (a bounded amount), maps and maybe writes; an IOException is a fine answer, anything else is not. */
    static boolean exercise(ImageFormat format, Path image, boolean write, long seed) {
        BlockDevice opened = null;
        try (BlockDevice d = format.open(image, write ? OpenOptions.forWriting() : OpenOptions.forReading());
             Arena arena = Arena.ofConfined()) {
            opened = d;
            long size = d.size();
            if (size < 0) {
                throw new AssertionError("negative size " + size);
            }
            d.info();
            Random r = new Random(seed);
            MemorySegment buf = arena.allocate(1 << 20);
            for (long at = 0; at < Math.min(size, MAX_READ); at += buf.byteSize()) {
                d.read(at, buf.asSlice(0, Math.min(buf.byteSize(), size - at)));
            }
            for (int i = 0; i < 8 && size > 0; i++) {
                long at = (r.nextLong() & Long.MAX_VALUE) % size;
                d.read(at, buf.asSlice(0, Math.min(65536, size - at)));
            }
            long at = 0;
            for (int i = 0; i < 2000 && at < size; i++) {
                at += d.status(at, size - at).length();
            }
            if (write && size > 0) {
                long w = (r.nextLong() & Long.MAX_VALUE) % size;
                d.write(w, buf.asSlice(0, Math.min(100_000, size - w)));
                d.flush();
            }
        } catch (IOException e) {
            if (e.getMessage() == null || e.getMessage().contains("\n")) {
                throw new AssertionError("message is not one line: " + e.getMessage(), e);
            }
        }
        return opened != null;
    }
}
