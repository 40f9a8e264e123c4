package jvirt.image.tool;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import jvirt.image.BlockDevice;

/**
 * {@code qemu-img bench}: many requests of one size against a disk, from {@code depth} threads
 * at once, timed. Offsets advance by {@code step} from {@code offset} and wrap at the disk's end,
 * as qemu-img's do; with {@code random} (jvirt's addition) each request goes to a random
 * {@code size}-aligned offset instead.
 */
public final class Bench {
    /** What to send. */
    public record Options(boolean write, long count, int depth, int size, long step, long offset, boolean random,
                          byte pattern, long flushInterval) {
    }

    private Bench() {
    }

    /** Runs the requests and returns the wall time in seconds. */
    public static double run(BlockDevice disk, Options o) throws IOException {
        long span = disk.size() - o.offset();
        if (o.size() <= 0 || span < o.size()) {
            throw new IllegalArgumentException("the disk is smaller than one request");
        }
        long slots = o.random() ? span / o.size() : Math.max(1, (span - o.size()) / Math.max(1, o.step()) + 1);
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(o.depth())) {
            Future<?>[] workers = new Future<?>[o.depth()];
            for (int w = 0; w < workers.length; w++) {
                long seed = w;
                workers[w] = pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment buffer = arena.allocate(o.size(), 4096);
                        buffer.fill(o.pattern());
                        for (long i = next.getAndIncrement(); i < o.count(); i = next.getAndIncrement()) {
                            long slot = o.random() ? random.nextLong(slots) : i % slots;
                            long at = o.offset() + slot * (o.random() ? o.size() : o.step());
                            if (o.write()) {
                                disk.write(at, buffer);
                                if (o.flushInterval() > 0 && (i + 1) % o.flushInterval() == 0) {
                                    disk.flush();
                                }
                            } else {
                                disk.read(at, buffer);
                            }
                        }
                    }
                    return null;
                });
            }
            for (Future<?> f : workers) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
        if (o.write()) {
            disk.flush();
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
