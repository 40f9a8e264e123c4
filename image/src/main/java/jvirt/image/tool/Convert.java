package jvirt.image.tool;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageFormat;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.image.qcow2.Qcow2Image;

/**
 * {@code qemu-img convert}: copies what a disk reads as into a new image of any format, in
 * ascending order, skipping what reads as zeros (so the target stays sparse) and, with
 * {@code compress}, writing qcow2 clusters compressed.
 */
public final class Convert {
    /** Bytes read and written per step: a multiple of every cluster size. */
    static final int CHUNK = 2 << 20;

    /**
     * How to convert.
     *
     * @param format        the target's format
     * @param createOptions its {@code -o} options
     * @param compress      {@code -c}: compressed clusters (qcow2 targets)
     * @param sparseSize    {@code -S}: runs of zeros at least this long (and aligned to it) are not
     *                      written; 0 writes everything
     * @param targetExists  {@code -n}: write into an existing image instead of creating it
     * @param targetBacking {@code -B}: the new image's backing file; only what the source's top
     *                      image holds is copied
     * @param targetBackingFormat {@code -F}, with {@code -B}
     */
    public record Options(ImageFormat format, Map<String, String> createOptions, boolean compress, long sparseSize,
                          boolean targetExists, String targetBacking, String targetBackingFormat) {
    }

    private Convert() {
    }

    /** Converts {@code source} into {@code target}, reporting bytes done to {@code progress}. */
    public static void run(BlockDevice source, Path target, Options options, LongConsumer progress) throws IOException {
        long size = source.size();
        if (options.compress() && options.format() != ImageFormats.QCOW2) {
            throw new IllegalArgumentException("compression is not supported for the " + options.format().name() + " format");
        }
        if (!options.targetExists()) {
            Map<String, String> create = new HashMap<>(options.createOptions());
            if (options.targetBacking() != null) {
                create.put("backing_file", options.targetBacking());
                if (options.targetBackingFormat() != null) {
                    create.put("backing_fmt", options.targetBackingFormat());
                }
            }
            options.format().create(target, size, create);
        }
        try (BlockDevice out = ImageFormats.open(target, options.format(), OpenOptions.forWriting());
             Arena arena = Arena.ofShared();
             ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors())) {
            if (out.size() < size) {
                throw new IllegalArgumentException("the target " + target + " (" + out.size() + " bytes) is smaller than the source ("
                        + size + " bytes)");
            }
            List<BlockDevice> chain = options.targetBacking() != null ? List.of(source) : Chain.of(source);
            MemorySegment buffer = arena.allocate(CHUNK, 4096);
            long clusterSize = out instanceof Qcow2Image q ? q.clusterSize() : 0;
            for (long pos = 0; pos < size; ) {
                long n = Math.min(CHUNK - (pos % CHUNK), size - pos);
                Chain.Run run = Chain.status(chain, pos, n);
                // Compressed clusters are written whole: skip only runs of zeros that cover the chunk.
                if (run.readsAsZeros() && (!options.compress() || run.length() == n)) {
                    boolean keepUnallocated = options.targetBacking() != null && run.extent().kind() == Extent.Kind.UNALLOCATED;
                    if (options.targetExists() && !keepUnallocated) {
                        out.writeZeroes(pos, run.length(), true);
                    }
                    pos += run.length();
                    progress.accept(run.length());
                    continue;
                }
                long length = options.compress() ? n : run.length();
                MemorySegment data = buffer.asSlice(0, length);
                source.read(pos, data);
                if (options.compress()) {
                    writeCompressed((Qcow2Image) out, pos, data, clusterSize, pool);
                } else {
                    writeSparse(out, pos, data, options.sparseSize(), options.targetExists());
                }
                pos += length;
                progress.accept(length);
            }
            out.flush();
        }
    }

    /** Writes {@code data} but for its zero blocks of {@code sparseSize} (aligned on the disk). */
    private static void writeSparse(BlockDevice out, long pos, MemorySegment data, long sparseSize, boolean zeroHoles)
            throws IOException {
        long length = data.byteSize();
        if (sparseSize <= 0) {
            out.write(pos, data);
            return;
        }
        long at = 0;
        while (at < length) {
            long blockEnd = Math.min(length, at + sparseSize - ((pos + at) % sparseSize));
            boolean zero = blockEnd - at == sparseSize && Zeros.all(data.asSlice(at, blockEnd - at));
            long runEnd = blockEnd;
            while (runEnd < length) {
                long next = Math.min(length, runEnd + sparseSize);
                boolean nextZero = next - runEnd == sparseSize && Zeros.all(data.asSlice(runEnd, next - runEnd));
                if (nextZero != zero) {
                    break;
                }
                runEnd = next;
            }
            if (!zero) {
                out.write(pos + at, data.asSlice(at, runEnd - at));
            } else if (zeroHoles) {
                out.writeZeroes(pos + at, runEnd - at, true);
            }
            at = runEnd;
        }
    }

    /** Compresses the chunk's clusters on every core at once, then writes them in order. */
    private static void writeCompressed(Qcow2Image out, long pos, MemorySegment data, long clusterSize,
                                        ExecutorService pool) throws IOException {
        int n = (int) ((data.byteSize() + clusterSize - 1) / clusterSize);
        List<Future<byte[]>> packed = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            MemorySegment cluster = data.asSlice(i * clusterSize, Math.min(clusterSize, data.byteSize() - i * clusterSize));
            packed.add(Zeros.all(cluster) ? null : pool.submit(() -> out.compress(cluster)));
        }
        for (int i = 0; i < n; i++) {
            if (packed.get(i) != null) {
                MemorySegment cluster = data.asSlice(i * clusterSize, Math.min(clusterSize, data.byteSize() - i * clusterSize));
                try {
                    out.writeCompressed(pos + i * clusterSize, cluster, packed.get(i).get());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IOException(e.getCause());
                }
            }
        }
    }
}
