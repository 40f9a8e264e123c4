package jvirt.virt;

import java.nio.file.Path;
import java.util.Objects;
import jvirt.riscv.Hart;
import jvirt.riscv.Isa;

/**
 * What to build and boot: RAM size, number of harts, the widest paging mode, firmware (required),
 * optionally a kernel with its initrd and command line, and how soon hot code is translated to
 * JVM bytecode (block executions; 0 interprets only).
 */
public record BoardConfig(long memoryBytes, int cpus, int satpMode, Path bios, Path kernel, Path initrd, String append,
        int translateThreshold) {
    public static final long MIN_MEMORY = 16L << 20;
    public static final long MAX_MEMORY = 64L << 30;
    public static final int MAX_CPUS = 64;

    public BoardConfig {
        Objects.requireNonNull(bios, "firmware");
        if (memoryBytes < MIN_MEMORY || memoryBytes > MAX_MEMORY || (memoryBytes & 0xFFFFF) != 0) {
            throw new IllegalArgumentException("memory size must be a whole number of MiB from 16M to 64G");
        }
        if (cpus < 1 || cpus > MAX_CPUS) {
            throw new IllegalArgumentException("the number of CPUs must be from 1 to " + MAX_CPUS);
        }
        Isa.mmuType(satpMode);
        append = append == null ? "" : append;
        if (translateThreshold < 0) {
            throw new IllegalArgumentException("the translation threshold must be 0 (never) or more");
        }
    }

    /**
     * A board with the default translation threshold: {@link Hart#DEFAULT_TRANSLATE_THRESHOLD}, or
     * the system property {@code jvirt.translate.threshold} when set (a tuning knob).
     */
    public BoardConfig(long memoryBytes, int cpus, int satpMode, Path bios, Path kernel, Path initrd, String append) {
        this(memoryBytes, cpus, satpMode, bios, kernel, initrd, append,
                Integer.getInteger("jvirt.translate.threshold", Hart.DEFAULT_TRANSLATE_THRESHOLD));
    }
}
