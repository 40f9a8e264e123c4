package jvirt.image.raw;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jvirt.image.BlockDevice;
import jvirt.image.CreateOptions;
import jvirt.image.ImageFormat;
import jvirt.image.OpenOptions;
import jvirt.image.host.HostFile;

/** The raw format: anything no other format claims (QEMU's lowest probe score). */
public final class RawFormat implements ImageFormat {
    private static final List<String> OPTIONS = List.of("preallocation");
    private static final int FULL_CHUNK = 1 << 20;

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public int probe(byte[] head) {
        return 1;
    }

    @Override
    public BlockDevice open(Path path, OpenOptions options) throws IOException {
        return RawImage.open(path, options.readOnly());
    }

    @Override
    public List<String> createOptions() {
        return OPTIONS;
    }

    /** A sparse file of {@code size} bytes; {@code preallocation=falloc} reserves its blocks, {@code full} writes zeros. */
    @Override
    public void create(Path path, long size, Map<String, String> options) throws IOException {
        CreateOptions o = CreateOptions.of(name(), options, OPTIONS);
        String preallocation = o.choice("preallocation", "off", List.of("off", "falloc", "full"));
        try (HostFile file = HostFile.create(path)) {
            file.truncate(size);
            if (preallocation.equals("falloc") && !file.allocate(0, size)) {
                preallocation = "full";
            }
            if (preallocation.equals("full")) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(FULL_CHUNK);
                for (long done = 0; done < size; done += FULL_CHUNK) {
                    file.write(zeros.clear().limit((int) Math.min(FULL_CHUNK, size - done)), done);
                }
            }
            file.sync();
        }
    }
}
