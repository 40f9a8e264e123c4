package jvirt.image.qcow2;

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

/** The qcow2 format: recognized by its magic, created with qemu-img's options and layout. */
public final class Qcow2Format implements ImageFormat {
    private static final List<String> OPTIONS = List.of("backing_file", "backing_fmt", "cluster_size", "compat",
            "compression_type", "lazy_refcounts", "refcount_bits", "preallocation", "extended_l2", "encryption");
    private static final long DEFAULT_CLUSTER = 65536;

    @Override
    public String name() {
        return "qcow2";
    }

    /**
     * Any file with the QCOW magic is claimed, whatever its version: opening then says what is
     * wrong with it, and it is never mistaken for (and written as) a raw disk.
     */
    @Override
    public int probe(byte[] head) {
        return head.length >= 4 && ByteBuffer.wrap(head).getInt(0) == Qcow2Header.MAGIC ? 100 : 0;
    }

    @Override
    public BlockDevice open(Path path, OpenOptions options) throws IOException {
        return Qcow2Image.open(path, options);
    }

    @Override
    public List<String> createOptions() {
        return OPTIONS;
    }

    /**
     * Lays the image out as qemu-img does (header, refcount table, one refcount block, then the
     * L1 table), first for a zero-sized disk and then grown through the image's own resize, so
     * that the allocator places the L1 table and whatever refcount structures it needs.
     */
    @Override
    public void create(Path path, long size, Map<String, String> options) throws IOException {
        CreateOptions o = CreateOptions.of(name(), options, OPTIONS);
        long clusterSize = o.size("cluster_size", DEFAULT_CLUSTER);
        if (Long.bitCount(clusterSize) != 1 || clusterSize < 512 || clusterSize > 2 << 20) {
            throw new IllegalArgumentException("qcow2: cluster size must be a power of two between 512 and 2048k");
        }
        String compat = o.choice("compat", "1.1", List.of("0.10", "v2", "1.1", "v3"));
        int version = compat.equals("0.10") || compat.equals("v2") ? 2 : 3;
        long refcountBits = o.size("refcount_bits", 16);
        if (Long.bitCount(refcountBits) != 1 || refcountBits > 64) {
            throw new IllegalArgumentException("qcow2: refcount width must be a power of two and may not exceed 64 bits");
        }
        if (version == 2 && refcountBits != 16) {
            throw new IllegalArgumentException("qcow2: different refcount widths than 16 bits require compatibility level 1.1 or above (use compat=1.1 or greater)");
        }
        boolean lazy = o.bool("lazy_refcounts", false);
        if (lazy && version == 2) {
            throw new IllegalArgumentException("qcow2: lazy refcounts only supported with compatibility level 1.1 and above (use compat=1.1 or greater)");
        }
        int compression = Compression.parse(o.string("compression_type", "zlib"));
        if (compression != Compression.DEFLATE && version == 2) {
            throw new IllegalArgumentException("qcow2: compression_type requires compat=1.1 or greater");
        }
        if (o.bool("extended_l2", false)) {
            throw new IllegalArgumentException("qcow2: extended_l2=on (subclusters) is not supported");
        }
        if (options.containsKey("encryption")) {
            throw new IllegalArgumentException("qcow2: encryption is not supported");
        }
        String preallocation = o.choice("preallocation", "off", List.of("off", "metadata", "falloc", "full"));
        String backingFile = o.string("backing_file", null);
        String backingFormat = o.string("backing_fmt", null);
        if (backingFile != null && !preallocation.equals("off")) {
            throw new IllegalArgumentException("qcow2: backing file and preallocation can only be used at the same time if extended_l2 is on");
        }
        if (size < 0) {
            throw new IllegalArgumentException("qcow2: image size is required");
        }

        Qcow2Header h = new Qcow2Header();
        h.version = version;
        h.clusterBits = Long.numberOfTrailingZeros(clusterSize);
        h.refcountOrder = Long.numberOfTrailingZeros(refcountBits);
        h.headerLength = version == 3 ? Qcow2Header.V3_COMPRESSION_LENGTH : Qcow2Header.V2_LENGTH;
        h.compressionType = compression;
        if (compression != Compression.DEFLATE) {
            h.incompatibleFeatures |= Qcow2Header.INCOMPAT_COMPRESSION;
        }
        if (lazy) {
            h.compatibleFeatures |= Qcow2Header.COMPAT_LAZY_REFCOUNTS;
        }
        h.refcountTableOffset = clusterSize;
        h.refcountTableClusters = 1;
        h.backingFile = backingFile;
        h.backingFormat = backingFile == null ? null : backingFormat;
        if (h.backingNameTooLong() || !h.fits()) {
            throw new IllegalArgumentException("qcow2: backing file name is too long for the image header");
        }
        try (HostFile file = HostFile.create(path)) {
            file.write(h.encode(), 0);
            ByteBuffer table = ByteBuffer.allocate((int) clusterSize).putLong(0, 2 * clusterSize);
            file.write(table, clusterSize);
            ByteBuffer block = ByteBuffer.allocate((int) clusterSize);
            Refcounts.writeInitial(block, h.refcountOrder, 3);
            file.write(block, 2 * clusterSize);
            file.sync();
        }
        try (Qcow2Image image = Qcow2Image.open(path, OpenOptions.forWriting().withoutBacking())) {
            image.resize(size);
            image.preallocate(preallocation);
        }
    }
}
