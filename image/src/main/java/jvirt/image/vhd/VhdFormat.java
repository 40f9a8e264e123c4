package jvirt.image.vhd;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jvirt.image.BlockDevice;
import jvirt.image.CreateOptions;
import jvirt.image.ImageFormat;
import jvirt.image.OpenOptions;

/**
 * Virtual PC / Hyper-V VHD images under QEMU's name, {@code vpc}. As QEMU probes, only a disk
 * with a footer copy at its start (dynamic) is recognized; a fixed disk, whose footer is only at
 * its end, probes as raw and is opened as {@code vpc} by name.
 */
public final class VhdFormat implements ImageFormat {
    private static final List<String> OPTIONS = List.of("subformat", "force_size");

    @Override
    public String name() {
        return "vpc";
    }

    @Override
    public int probe(byte[] head) {
        return VhdFooter.hasCookie(head) ? 100 : 0;
    }

    @Override
    public BlockDevice open(Path path, OpenOptions options) throws IOException {
        return VhdImage.open(path, options.readOnly());
    }

    @Override
    public List<String> createOptions() {
        return OPTIONS;
    }

    /**
     * A dynamic ({@code subformat=dynamic}, 2 MiB blocks) or fixed disk. As with qemu-img, the size
     * rounds up to what a CHS geometry can hold, unless {@code force_size=on}: then the geometry is
     * the maximal one and the size exact (readers that size VHDs by geometry, like Virtual PC,
     * then see another size).
     */
    @Override
    public void create(Path path, long size, Map<String, String> options) throws IOException {
        CreateOptions o = CreateOptions.of(name(), options, OPTIONS);
        boolean fixed = o.choice("subformat", "dynamic", List.of("dynamic", "fixed")).equals("fixed");
        boolean forceSize = o.bool("force_size", false);
        if (size < 0) {
            throw new IllegalArgumentException("vpc: size " + size + " is negative");
        }
        long rounded = (size + 511) / 512 * 512;
        long[] chs = VhdFooter.sizeFor(rounded, forceSize);
        if (chs[0] / 512 > VhdFooter.MAX_SECTORS) {
            throw new IllegalArgumentException("vpc: size " + size + " is larger than 2040 GiB, the most VHD allows");
        }
        VhdImage.create(path, fixed, chs, System.currentTimeMillis() / 1000);
    }
}
