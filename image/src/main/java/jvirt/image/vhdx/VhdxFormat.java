package jvirt.image.vhdx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jvirt.image.BlockDevice;
import jvirt.image.CreateOptions;
import jvirt.image.ImageFormat;
import jvirt.image.OpenOptions;

/** Hyper-V's VHDX images, as QEMU's {@code vhdx} driver names them. */
public final class VhdxFormat implements ImageFormat {
    private static final List<String> OPTIONS = List.of("subformat", "block_size", "log_size");
    private static final long MIB = 1 << 20;

    @Override
    public String name() {
        return "vhdx";
    }

    /** 100 for the {@code vhdxfile} file type identifier, as QEMU probes. */
    @Override
    public int probe(byte[] head) {
        return head.length >= 8 && new String(head, 0, 8, StandardCharsets.ISO_8859_1).equals("vhdxfile") ? 100 : 0;
    }

    @Override
    public BlockDevice open(Path path, OpenOptions options) throws IOException {
        return VhdxImage.open(path, options.readOnly());
    }

    @Override
    public List<String> createOptions() {
        return OPTIONS;
    }

    /**
     * A dynamic disk ({@code subformat=dynamic}: blocks appended as written) or a fixed one (every
     * block in place in a sparse file). {@code block_size} is 1 to 256 MiB, a power of two (0 or
     * absent: QEMU's choice by size, 8 to 64 MiB); {@code log_size} is whole MiB (1 MiB by
     * default). The size is rounded up to 512-byte sectors and may be at most 64 TiB.
     */
    @Override
    public void create(Path path, long size, Map<String, String> options) throws IOException {
        CreateOptions o = CreateOptions.of(name(), options, OPTIONS);
        boolean fixed = o.choice("subformat", "dynamic", List.of("dynamic", "fixed")).equals("fixed");
        long blockSize = o.size("block_size", 0);
        long logSize = o.size("log_size", MIB);
        if (blockSize != 0 && (blockSize < MIB || blockSize > 256 * MIB || Long.bitCount(blockSize) != 1)) {
            throw new IllegalArgumentException("vhdx: block_size " + blockSize + " is not a power of two from 1 MiB to 256 MiB");
        }
        if (logSize < MIB || logSize % MIB != 0 || logSize > 0xffffffffL / MIB * MIB) {
            throw new IllegalArgumentException("vhdx: log_size " + logSize + " is not a whole number of MiB");
        }
        long rounded = (size + 511) / 512 * 512;
        if (size < 0 || rounded > VhdxMetadata.MAX_SIZE) {
            throw new IllegalArgumentException("vhdx: size " + size + " is not from 0 to 64 TiB");
        }
        VhdxImage.create(path, rounded, blockSize, logSize, fixed);
    }
}
