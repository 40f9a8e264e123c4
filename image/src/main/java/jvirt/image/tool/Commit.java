package jvirt.image.tool;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageFormat;
import jvirt.image.ImageFormats;
import jvirt.image.InvalidImageException;
import jvirt.image.OpenOptions;
import jvirt.image.qcow2.Qcow2Image;

/**
 * {@code qemu-img commit}: writes what an overlay holds into its backing file, then (unless
 * told to keep it) empties the overlay so that it reads through to the updated backing file.
 */
public final class Commit {
    private Commit() {
    }

    public static void run(Path image, boolean keep, LongConsumer progress) throws IOException {
        Path basePath;
        ImageFormat baseFormat;
        try (Qcow2Image top = Rebase.openQcow2(image, OpenOptions.forReading().withoutBacking())) {
            String name = top.backingFile();
            if (name == null) {
                throw new IllegalArgumentException(image + " has no backing file to commit into");
            }
            basePath = Qcow2Image.resolveBacking(image, name);
            String format = top.info().backingFormat();
            baseFormat = format != null ? ImageFormats.byName(format) : ImageFormats.probe(basePath);
            try (BlockDevice base = ImageFormats.open(basePath, baseFormat, OpenOptions.forWriting());
                 Arena arena = Arena.ofConfined()) {
                if (base.size() < top.size()) {
                    if (!(base instanceof Qcow2Image q)) {
                        throw new InvalidImageException(basePath, "the backing file is smaller than the image and cannot grow");
                    }
                    q.resize(top.size());
                }
                MemorySegment buffer = arena.allocate(Convert.CHUNK, 4096);
                for (long pos = 0; pos < top.size(); ) {
                    Extent e = top.status(pos, Math.min(Convert.CHUNK - pos % Convert.CHUNK, top.size() - pos));
                    switch (e.kind()) {
                        case DATA, COMPRESSED -> {
                            MemorySegment data = buffer.asSlice(0, e.length());
                            top.read(pos, data);
                            base.write(pos, data);
                        }
                        case ZERO -> base.writeZeroes(pos, e.length(), false);
                        case UNALLOCATED -> {
                        }
                    }
                    pos += e.length();
                    progress.accept(e.length());
                }
                base.flush();
            }
        }
        if (!keep) {
            try (Qcow2Image top = Rebase.openQcow2(image, OpenOptions.forWriting().withoutBacking())) {
                top.makeEmpty();
            }
        }
    }
}
