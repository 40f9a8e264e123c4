package jvirt.image.tool;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import jvirt.image.BlockDevice;
import jvirt.image.CreateOptions;
import jvirt.image.ImageFormat;
import jvirt.image.ImageFormats;
import jvirt.image.qcow2.Qcow2Image;

/**
 * {@code qemu-img measure}: the file size a disk needs in a format, for its data as it is
 * ("required") and fully allocated. For qcow2 it counts the metadata a full image needs (the
 * header, every L2 table, the L1 table, and the refcount structures that count all of it and
 * themselves) as qemu-img does, so both give the same figures.
 */
public final class Measure {
    /**
     * The sizes; {@code bitmaps} is -1 where qemu-img does not print it (a source or target without bitmaps).
     */
    public record Result(long required, long fullyAllocated, long bitmaps) {
    }

    private Measure() {
    }

    /** Measures a disk of {@code size} bytes whose contents are {@code source} (or, when null, all data). */
    public static Result run(ImageFormat format, Map<String, String> options, BlockDevice source, long size)
            throws IOException {
        if (format == ImageFormats.RAW) {
            CreateOptions.of("raw", options, format.createOptions());
            return new Result(size, size, -1);
        }
        if (format != ImageFormats.QCOW2) {
            throw new IllegalArgumentException("the " + format.name() + " format does not support size measurement");
        }
        CreateOptions o = CreateOptions.of("qcow2", options, format.createOptions());
        long clusterSize = o.size("cluster_size", 65536);
        long refcountBits = o.size("refcount_bits", 16);
        if (Long.bitCount(clusterSize) != 1 || clusterSize < 512 || clusterSize > 2 << 20
                || Long.bitCount(refcountBits) != 1 || refcountBits > 64) {
            throw new IllegalArgumentException("qcow2: invalid cluster_size or refcount_bits");
        }
        long virtual = roundUp(size, clusterSize);
        long data = 0; // an empty disk of that size needs its metadata only
        if (source != null) {
            List<BlockDevice> chain = Chain.of(source);
            long counted = -1; // the last cluster already counted
            for (long pos = 0; pos < size; ) {
                Chain.Run run = Chain.status(chain, pos, Math.min(Convert.CHUNK, size - pos));
                if (!run.readsAsZeros()) {
                    long first = Math.max(pos / clusterSize, counted + 1);
                    long last = (pos + run.length() - 1) / clusterSize;
                    if (last >= first) {
                        data += (last - first + 1) * clusterSize;
                        counted = last;
                    }
                }
                pos += run.length();
            }
        }
        long full = fullyAllocated(virtual, clusterSize, Long.numberOfTrailingZeros(refcountBits));
        return new Result(full - virtual + data, full, source instanceof Qcow2Image ? 0 : -1);
    }

    /** A fully allocated qcow2 file of {@code virtual} bytes (a whole number of clusters): data plus all metadata. */
    static long fullyAllocated(long virtual, long clusterSize, int refcountOrder) {
        long entriesPerCluster = clusterSize / 8;
        long meta = clusterSize; // the header
        long l2Entries = roundUp(virtual / clusterSize, entriesPerCluster);
        meta += l2Entries * 8;
        long l1Entries = roundUp(l2Entries * 8 / clusterSize, entriesPerCluster);
        meta += l1Entries * 8;
        meta += refcountMetadata((meta + virtual) / clusterSize, clusterSize, refcountOrder);
        return meta + virtual;
    }

    /**
     * The refcount table and blocks that count {@code clusters} clusters and themselves: the
     * fixed point of "blocks for everything, a table for the blocks".
     */
    static long refcountMetadata(long clusters, long clusterSize, int refcountOrder) {
        long perBlock = clusterSize * 8 >> refcountOrder;
        long perTableCluster = clusterSize / 8;
        long blocks = 0;
        long table = 0;
        long total;
        long previous = -1;
        while (true) {
            blocks = ceilDiv(clusters + blocks + table, perBlock);
            table = ceilDiv(blocks, perTableCluster);
            total = clusters + blocks + table;
            if (total == previous) {
                break;
            }
            previous = total;
        }
        return (blocks + table) * clusterSize;
    }

    private static long roundUp(long n, long unit) {
        return ceilDiv(n, unit) * unit;
    }

    private static long ceilDiv(long a, long b) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
