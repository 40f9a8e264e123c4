package jvirt.virt;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import jvirt.riscv.Hart;
import jvirt.riscv.Isa;
import jvirt.virtio.console.VirtioConsole;

/**
 * What to build and boot: RAM size, number of harts, the widest paging mode, firmware (required),
 * optionally a kernel with its initrd and command line, how soon hot code is translated to
 * JVM bytecode (block executions; 0 interprets only), the disks, the network cards, which
 * device is the console, and the named virtio-console ports ({@code /dev/virtio-ports/NAME}).
 */
public record BoardConfig(long memoryBytes, int cpus, int satpMode, Path bios, Path kernel, Path initrd, String append,
        int translateThreshold, List<Drive> drives, List<Nic> nics, ConsoleDevice console, List<String> ports) {
    public static final long MIN_MEMORY = 16L << 20;
    public static final long MAX_MEMORY = 64L << 30;
    public static final int MAX_CPUS = 64;

    /** Which device takes the terminal's input: the 16550 UART ({@code ttyS0}) or virtio-console ({@code hvc0}). */
    public enum ConsoleDevice { SERIAL, VIRTIO }

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
        drives = List.copyOf(drives);
        nics = List.copyOf(nics);
        Objects.requireNonNull(console, "console");
        ports = List.copyOf(ports);
        VirtioConsole.checkPortNames(ports);
        int slots = VirtBoard.VIRTIO_SLOTS - VirtBoard.virtioDevicesBesideDrives(console, ports) - nics.size();
        if (drives.size() > slots) {
            throw new IllegalArgumentException("at most " + slots + " drives fit the board's " + VirtBoard.VIRTIO_SLOTS
                    + " virtio slots beside its other devices");
        }
    }

    /** A board without named ports. */
    public BoardConfig(long memoryBytes, int cpus, int satpMode, Path bios, Path kernel, Path initrd, String append,
            int translateThreshold, List<Drive> drives, List<Nic> nics, ConsoleDevice console) {
        this(memoryBytes, cpus, satpMode, bios, kernel, initrd, append, translateThreshold, drives, nics, console, List.of());
    }

    /**
     * A board with no disks, no network, the serial console and the default translation threshold: {@link Hart#DEFAULT_TRANSLATE_THRESHOLD}, or
     * the system property {@code jvirt.translate.threshold} when set (a tuning knob).
     */
    public BoardConfig(long memoryBytes, int cpus, int satpMode, Path bios, Path kernel, Path initrd, String append) {
        this(memoryBytes, cpus, satpMode, bios, kernel, initrd, append,
                Integer.getInteger("jvirt.translate.threshold", Hart.DEFAULT_TRANSLATE_THRESHOLD), List.of(), List.of(),
                ConsoleDevice.SERIAL);
    }

    /** The same board with these disks, {@code /dev/vda} first. */
    public BoardConfig withDrives(List<Drive> disks) {
        return new BoardConfig(memoryBytes, cpus, satpMode, bios, kernel, initrd, append, translateThreshold, disks, nics,
                console, ports);
    }

    /** The same board with these network cards, {@code eth0} first. */
    public BoardConfig withNics(List<Nic> cards) {
        return new BoardConfig(memoryBytes, cpus, satpMode, bios, kernel, initrd, append, translateThreshold, drives, cards,
                console, ports);
    }

    /** The same board with this console device. */
    public BoardConfig withConsole(ConsoleDevice device) {
        return new BoardConfig(memoryBytes, cpus, satpMode, bios, kernel, initrd, append, translateThreshold, drives, nics,
                device, ports);
    }

    /**
     * The same board with these named virtio-console ports (1 to 127 printable ASCII characters
     * each, no two alike): on the console's device when it is virtio, else on a device of their own.
     */
    public BoardConfig withPorts(List<String> names) {
        return new BoardConfig(memoryBytes, cpus, satpMode, bios, kernel, initrd, append, translateThreshold, drives, nics,
                console, names);
    }
}
