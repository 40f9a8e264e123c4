package jvirt.image.vdi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jvirt.image.BlockDevice;
import jvirt.image.CreateOptions;
import jvirt.image.ImageFormat;
import jvirt.image.OpenOptions;

/** VirtualBox's VDI format, as QEMU's {@code vdi} driver reads and writes it. */
public final class VdiFormat implements ImageFormat {
    private static final List<String> OPTIONS = List.of("static", "preallocation");

    @Override
    public String name() {
        return "vdi";
    }

    /** 100 when the VDI signature is at byte 64, as QEMU scores it. */
    @Override
    public int probe(byte[] head) {
        return VdiHeader.probe(head) ? 100 : 0;
    }

    @Override
    public BlockDevice open(Path path, OpenOptions options) throws IOException {
        return VdiImage.open(path, options.readOnly());
    }

    @Override
    public List<String> createOptions() {
        return OPTIONS;
    }

    /**
     * A dynamic image (blocks appended as they are written), or a static one with {@code static=on}
     * (or {@code preallocation=metadata}, QEMU's other spelling): every block mapped in place in a
     * sparse file. The size is rounded up to whole 512-byte sectors.
     */
    @Override
    public void create(Path path, long size, Map<String, String> options) throws IOException {
        CreateOptions o = CreateOptions.of(name(), options, OPTIONS);
        boolean isStatic = o.bool("static", false);
        if (o.choice("preallocation", "off", List.of("off", "metadata")).equals("metadata")) {
            isStatic = true;
        }
        if (size < 0) {
            throw new IllegalArgumentException("vdi: size " + size + " is negative");
        }
        long rounded = (size + VdiHeader.SECTOR - 1) / VdiHeader.SECTOR * VdiHeader.SECTOR;
        if ((rounded + VdiHeader.DEFAULT_BLOCK_SIZE - 1) / VdiHeader.DEFAULT_BLOCK_SIZE > VdiHeader.MAX_BLOCKS) {
            throw new IllegalArgumentException("vdi: size " + size + " is larger than supported ("
                    + VdiHeader.MAX_BLOCKS * VdiHeader.DEFAULT_BLOCK_SIZE + " bytes)");
        }
        VdiImage.create(path, rounded, isStatic);
    }
}
