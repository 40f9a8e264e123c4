package jvirt.virt;

import java.nio.file.Path;
import java.util.Objects;
import jvirt.riscv.Isa;

/**
 * What to build and boot: RAM size, number of harts, the widest paging mode, firmware (required),
 * and optionally a kernel with its initrd and command line.
 */
public record BoardConfig(long memoryBytes, int cpus, int satpMode, Path bios, Path kernel, Path initrd, String append) {
    public static final long MIN_MEMORY = 16L << 20;
    public static final long MAX_MEMORY = 256L << 30;
    public static final int MAX_CPUS = 64;

    public BoardConfig {
        Objects.requireNonNull(bios, "firmware");
        if (memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY || (memoryBytes & 0xFFFFF) != 0) {
            throw new IllegalArgumentException("memory size must be a whole number of MiB from 16M to 256G");
        }
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw new IllegalArgumentException("the number of CPUs must be from 1 to " + MAX_CPUS);
        }
        Isa.mmuType(satpMode);
        append = append == null ? "" : append;
    }
}
