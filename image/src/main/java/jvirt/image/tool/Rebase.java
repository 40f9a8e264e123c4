package jvirt.image.tool;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.LongConsumer;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormat;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.image.qcow2.Qcow2Image;

/**
 * {@code qemu-img rebase}: gives an image another backing file. Safe mode keeps what the disk
 * reads: wherever the image itself has nothing and the old and new backing chains differ, the
 * old contents are copied into the image first. Unsafe mode ({@code -u}) only rewrites the name.
 */
public final class Rebase {
    private Rebase() {
    }

    /**
     * Rebases {@code image} (a qcow2 image) onto {@code newBacking} ({@code null}: none), a name
     * relative to the image's folder as qemu-img stores it.
     */
    public static void run(Path image, String newBacking, ImageFormat newFormat, boolean unsafe, LongConsumer progress)
            throws IOException {
        String format = newFormat != null ? newFormat.name() : null;
        if (unsafe) {
            try (Qcow2Image top = openQcow2(image, OpenOptions.forWriting().withoutBacking())) {
                if (format == null && newBacking != null && java.nio.file.Files.exists(Qcow2Image.resolveBacking(image, newBacking))) {
                    format = ImageFormats.probe(Qcow2Image.resolveBacking(image, newBacking)).name();
                }
                top.setBacking(newBacking, format);
            }
            return;
        }
        try (Qcow2Image top = openQcow2(image, OpenOptions.forWriting());
             BlockDevice next = newBacking == null ? null
                     : ImageFormats.open(Qcow2Image.resolveBacking(image, newBacking), newFormat,
                             new OpenOptions(true, true, Set.of(image.toAbsolutePath().normalize())));
             Arena arena = Arena.ofConfined()) {
            if (format == null && next != null) {
                format = next.info().format();
            }
            long cluster = top.clusterSize();
            MemorySegment old = arena.allocate(Convert.CHUNK, 4096);
            MemorySegment fresh = arena.allocate(Convert.CHUNK, 4096);
            long size = top.size();
            for (long pos = 0; pos < size; ) {
                long n = Math.min(Convert.CHUNK - pos % Convert.CHUNK, size - pos);
                var e = top.status(pos, n);
                if (!e.allocated()) {
                    long length = e.length();
                    top.read(pos, old.asSlice(0, length));
                    MemorySegment now = fresh.asSlice(0, length);
                    long inNext = next == null ? 0 : Math.max(0, Math.min(length, next.size() - pos));
                    if (inNext > 0) {
                        next.read(pos, now.asSlice(0, inNext));
                    }
                    now.asSlice(inNext).fill((byte) 0);
                    copyDifferences(top, pos, old.asSlice(0, length), now, cluster);
                }
                pos += e.length();
                progress.accept(e.length());
            }
            top.setBacking(newBacking, format);
        }
    }

    /** Writes the old contents into the image, cluster by cluster, where they differ from the new backing's. */
    private static void copyDifferences(Qcow2Image top, long pos, MemorySegment old, MemorySegment now, long cluster)
            throws IOException {
        long length = old.byteSize();
        for (long at = 0; at < length; ) {
            long end = Math.min(length, at + cluster - ((pos + at) % cluster));
            if (old.asSlice(at, end - at).mismatch(now.asSlice(at, end - at)) >= 0) {
                top.write(pos + at, old.asSlice(at, end - at));
            }
            at = end;
        }
    }

    static Qcow2Image openQcow2(Path image, OpenOptions options) throws IOException {
        BlockDevice d = ImageFormats.open(image, null, options);
        if (d instanceof Qcow2Image q) {
            return q;
        }
        d.close();
        throw new IllegalArgumentException(image + ": only qcow2 images have a backing file to change");
    }
}
