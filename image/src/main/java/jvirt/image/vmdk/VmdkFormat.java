package jvirt.image.vmdk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jvirt.image.BlockDevice;
import jvirt.image.CreateOptions;
import jvirt.image.ImageFormat;
import jvirt.image.OpenOptions;
import jvirt.image.host.HostFile;

/** VMware's VMDK images, as QEMU's {@code vmdk} driver names their kinds and options. */
public final class VmdkFormat implements ImageFormat {
    private static final List<String> OPTIONS = List.of("subformat", "adapter_type", "hwversion", "compat6",
            "zeroed_grain", "toolsversion");
    private static final List<String> SUBFORMATS = List.of("monolithicSparse", "monolithicFlat", "twoGbMaxExtentSparse",
            "twoGbMaxExtentFlat", "streamOptimized");
    private static final long SPLIT = 0x80000000L;

    @Override
    public String name() {
        return "vmdk";
    }

    /** 100 for a sparse extent's magic (KDMV or COWD) or a text descriptor starting {@code version=}, as QEMU probes. */
    @Override
    public int probe(byte[] head) {
        int magic = SparseExtentHeader.magic(head);
        if (magic == SparseExtentHeader.MAGIC || magic == SparseExtentHeader.COWD_MAGIC) {
            return 100;
        }
        return VmdkDescriptor.probe(head) ? 100 : 0;
    }

    @Override
    public BlockDevice open(Path path, OpenOptions options) throws IOException {
        return VmdkImage.open(path, options.readOnly());
    }

    @Override
    public List<String> createOptions() {
        return OPTIONS;
    }

    /**
     * Creates a disk of {@code size} bytes (rounded up to whole sectors) in one of QEMU's subformats:
     * {@code monolithicSparse} (the default), {@code monolithicFlat} (a descriptor and
     * {@code NAME-flat.vmdk}), {@code twoGbMaxExtentSparse} / {@code twoGbMaxExtentFlat} (a
     * descriptor and 2 GiB extents {@code NAME-s001.vmdk} / {@code NAME-f001.vmdk}, …) or
     * {@code streamOptimized} (written in ascending order only). {@code adapter_type},
     * {@code hwversion} (or {@code compat6}), {@code toolsversion} go to the disk database;
     * {@code zeroed_grain} enables zero grain entries in sparse extents.
     */
    @Override
    public void create(Path path, long size, Map<String, String> options) throws IOException {
        CreateOptions o = CreateOptions.of(name(), options, OPTIONS);
        String subformat = o.choice("subformat", "monolithicSparse", SUBFORMATS);
        String adapter = o.choice("adapter_type", "ide", List.of("ide", "buslogic", "lsilogic", "legacyESX"));
        boolean compat6 = o.bool("compat6", false);
        String hw = o.string("hwversion", null);
        if (hw != null && hw.equals("undefined")) {
            hw = null;
        }
        if (compat6 && hw != null) {
            throw new IllegalArgumentException("vmdk: compat6 cannot be enabled with hwversion set");
        }
        hw = compat6 ? "6" : hw == null ? "4" : hw;
        String tools = o.string("toolsversion", "2147483647");
        boolean zeroed = o.bool("zeroed_grain", false);
        boolean flat = subformat.endsWith("Flat");
        boolean split = subformat.startsWith("twoGb");
        boolean stream = subformat.equals("streamOptimized");
        if (flat && zeroed) {
            throw new IllegalArgumentException("vmdk: a flat image cannot have zeroed grains");
        }
        for (String v : List.of(hw, tools)) {
            if (v.isEmpty() || !v.chars().allMatch(c -> c > ' ' && c < 127 && c != '"')) {
                throw new IllegalArgumentException("vmdk: \"" + v + "\" cannot go in a descriptor");
            }
        }
        if (size < 0) {
            throw new IllegalArgumentException("vmdk: size " + size + " is negative");
        }
        long bytes = (size + 511) / 512 * 512;
        if (bytes / 512 > SparseExtentHeader.MAX_CAPACITY || (!flat && !split && bytes / 512 > 0xffffffffL * 128)) {
            throw new IllegalArgumentException("vmdk: size " + size + " is larger than supported");
        }
        long cid = new SecureRandom().nextInt() & 0xffffffffL;
        String file = path.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String prefix = dot < 0 ? file : file.substring(0, dot);
        String postfix = dot < 0 ? "" : file.substring(dot);
        if (!flat && !split) {
            String line = "RW " + bytes / 512 + " SPARSE \"" + file + "\"";
            String desc = VmdkDescriptor.render(cid, subformat, List.of(line), hw, bytes, adapter, tools);
            try (HostFile f = HostFile.create(path)) {
                SparseExtent.create(f, bytes / 512, stream, zeroed, desc);
                f.sync();
            }
            return;
        }
        List<String> lines = new ArrayList<>();
        long extentSize = split ? SPLIT : bytes;
        int index = 1;
        for (long done = 0; done < bytes; done += extentSize, index++) {
            long n = Math.min(extentSize, bytes - done);
            String name = split ? String.format("%s-%c%03d%s", prefix, flat ? 'f' : 's', index, postfix)
                    : prefix + "-flat" + postfix;
            Path p = path.resolveSibling(name);
            try (HostFile f = HostFile.create(p)) {
                if (flat) {
                    f.truncate(n);
                } else {
                    SparseExtent.create(f, n / 512, false, zeroed, null);
                }
                f.sync();
            }
            lines.add("RW " + n / 512 + (flat ? " FLAT \"" + name + "\" 0" : " SPARSE \"" + name + "\""));
        }
        String desc = VmdkDescriptor.render(cid, subformat, lines, hw, bytes, adapter, tools);
        Files.deleteIfExists(path);
        try (HostFile f = HostFile.create(path)) {
            f.write(ByteBuffer.wrap(desc.getBytes(StandardCharsets.ISO_8859_1)), 0);
            f.sync();
        }
    }
}
