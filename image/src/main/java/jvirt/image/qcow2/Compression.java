package jvirt.image.qcow2;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdException;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Compressed clusters: raw deflate (QEMU's {@code zlib} type, no zlib header, a 4 KiB window)
 * and zstd. A cluster inflates to exactly one cluster; a stream that ends short or would go on
 * is refused, so a hostile image can neither underfill nor overrun the buffer.
 */
final class Compression {
    static final int DEFLATE = 0;
    static final int ZSTD = 1;
    /** zstd's default level, as QEMU uses it. */
    private static final int ZSTD_LEVEL = 3;

    private Compression() {
    }

    static String name(int type) {
        return type == ZSTD ? "zstd" : "zlib";
    }

    /** {@code zlib} → 0, {@code zstd} → 1, as {@code -o compression_type=} names them. */
    static int parse(String name) {
        return switch (name) {
            case "zlib" -> DEFLATE;
            case "zstd" -> ZSTD;
            default -> throw new IllegalArgumentException("qcow2: compression_type=" + name + " is not one of zlib, zstd");
        };
    }

    /**
     * Inflates {@code input[0, length)} into all of {@code cluster}.
     *
     * @return null on success, else what is wrong with the stream
     */
    static String decompress(int type, byte[] input, int length, byte[] cluster) {
        return type == ZSTD ? zstd(input, length, cluster) : deflate(input, length, cluster);
    }

    private static String deflate(byte[] input, int length, byte[] cluster) {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(input, 0, length);
            int done = 0;
            while (done < cluster.length) {
                int n = inflater.inflate(cluster, done, cluster.length - done);
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    return "compressed cluster inflates to " + done + " bytes instead of " + cluster.length;
                }
                done += n;
            }
            if (!inflater.finished() && inflater.inflate(new byte[1]) > 0) {
                return "compressed cluster inflates past the cluster's " + cluster.length + " bytes";
            }
            return null;
        } catch (DataFormatException e) {
            return "compressed cluster is not a deflate stream (" + e.getMessage() + ")";
        } finally {
            inflater.end();
        }
    }

    /** QEMU may write a cluster as several zstd frames: they are decoded one after another until the cluster is full. */
    private static String zstd(byte[] input, int length, byte[] cluster) {
        try {
            return zstdFrames(input, length, cluster);
        } catch (ZstdException e) {
            return "compressed cluster is not a zstd stream (" + e.getMessage() + ")";
        }
    }

    private static String zstdFrames(byte[] input, int length, byte[] cluster) {
        int in = 0;
        int done = 0;
        while (done < cluster.length) {
            long frame = in < length ? Zstd.findFrameCompressedSize(input, in, length - in) : -1;
            if (frame <= 0 || Zstd.isError(frame)) {
                return "compressed cluster decompresses to " + done + " bytes instead of " + cluster.length;
            }
            long n = Zstd.decompressByteArray(cluster, done, cluster.length - done, input, in, (int) frame);
            if (Zstd.isError(n)) {
                return "compressed cluster is not a zstd stream that fits the cluster (" + Zstd.getErrorName(n) + ")";
            }
            in += (int) frame;
            done += (int) n;
        }
        return null;
    }

    /**
     * Compresses one cluster; the compressed bytes, or null when they would not be smaller than
     * the cluster (QEMU then writes it uncompressed).
     */
    static byte[] compress(int type, byte[] cluster) {
        if (type == ZSTD) {
            byte[] out = new byte[cluster.length - 1];
            long n = Zstd.compressByteArray(out, 0, out.length, cluster, 0, cluster.length, ZSTD_LEVEL);
            return Zstd.isError(n) ? null : java.util.Arrays.copyOf(out, (int) n);
        }
        return Zlib.deflateRaw(cluster, cluster.length - 1);
    }
}
