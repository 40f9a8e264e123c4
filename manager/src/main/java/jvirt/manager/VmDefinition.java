package jvirt.manager;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import jvirt.net.MacAddress;
import jvirt.net.user.NatConfig;
import jvirt.virt.BoardConfig;

/**
 * What a VM is, as {@code vm.json} stores it: its name, harts and memory, the guest image it
 * boots and what of it the VM replaces (its own kernel, initrd, firmware or command line), its
 * disks (paths relative to the VM's directory unless absolute), its network ({@code user} with
 * the NAT's options, as {@code jvirt run --net}, or {@code none}), its network card's MAC (fixed
 * when the VM is created, so the guest keeps its address and interface name) and the host ports
 * forwarded into it, in {@code hostfwd=} syntax. Fields a definition leaves out take their
 * defaults, so older {@code vm.json} files still read.
 */
public record VmDefinition(String name, int cpus, long memoryBytes, String image, Boot boot, List<Disk> disks,
        String network, String mac, List<String> forwards) {
    public static final String USER_NETWORK = "user";
    public static final String NO_NETWORK = "none";

    /**
     * The boot files a VM takes instead of its image's (absolute paths; null: the image's). A
     * kernel of its own boots without the image's initrd and command line unless given them.
     * {@code fromDisk}: before every boot the kernel and initrd are copied to those paths from
     * the VM's first disk, the ones its {@code /vmlinuz} and {@code /initrd.img} name (a Debian
     * root file system), so that the guest's own kernel upgrades take effect.
     */
    public record Boot(String kernel, String initrd, String firmware, String append, boolean fromDisk) {
        public static final Boot IMAGE = new Boot(null, null, null, null);

        public Boot {
            if (initrd != null && kernel == null) {
                throw new IllegalArgumentException("an initrd needs a kernel");
            }
            if (fromDisk && (kernel == null || initrd == null)) {
                throw new IllegalArgumentException("booting from the disk needs the paths its kernel and initrd are copied to");
            }
        }

        /** Boot files given by path, not read from the disk. */
        public Boot(String kernel, String initrd, String firmware, String append) {
            this(kernel, initrd, firmware, append, false);
        }

        /** Whether booting takes files from the guest image in the cache (its kernel, or its firmware). */
        public boolean usesImageFiles() {
            return kernel == null || firmware == null;
        }
    }

    /** A disk image, its format ({@code qcow2}, {@code raw}, …) and whether the guest may only read it (a cloud-init seed). */
    public record Disk(String file, String format, boolean readOnly) {
        public Disk {
            Objects.requireNonNull(file, "a disk needs a file");
            Objects.requireNonNull(format, "a disk needs a format");
        }

        /** A disk the guest writes. */
        public Disk(String file, String format) {
            this(file, format, false);
        }
    }

    /** Checks every field the way the commands that use it will, so a bad definition fails when written or read, not at boot. */
    public VmDefinition {
        new VmName(name);
        if (cpus < 1 || cpus > BoardConfig.MAX_CPUS) {
            throw new IllegalArgumentException("the number of CPUs must be from 1 to " + BoardConfig.MAX_CPUS);
        }
        if (memoryBytes < BoardConfig.MIN_MEMORY || memoryBytes > BoardConfig.MAX_MEMORY || (memoryBytes & 0xFFFFF) != 0) {
            throw new IllegalArgumentException("memory size must be a whole number of MiB from 16M to 64G");
        }
        Objects.requireNonNull(image, "a VM needs a guest image");
        boot = boot == null ? Boot.IMAGE : boot;
        disks = List.copyOf(disks == null ? List.of() : disks);
        network = network == null ? USER_NETWORK : network;
        MacAddress address = MacAddress.parse(Objects.requireNonNull(mac, "a VM needs a MAC address"));
        if (address.isGroup()) {
            throw new IllegalArgumentException("MAC address " + mac + " is a multicast address; a NIC needs a unicast one");
        }
        if (boot.fromDisk() && disks.isEmpty()) {
            throw new IllegalArgumentException("booting from the disk needs a disk");
        }
        forwards = List.copyOf(forwards == null ? List.of() : forwards);
        if (network.equals(NO_NETWORK)) {
            if (!forwards.isEmpty()) {
                throw new IllegalArgumentException("port forwards need a network; this VM has none");
            }
        } else {
            natConfig(network, forwards); // the network's own parser, with its one-line errors
        }
    }

    /** A VM with its image's boot files and the user-mode network. */
    public VmDefinition(String name, int cpus, long memoryBytes, String image, List<Disk> disks, String mac,
            List<String> forwards) {
        this(name, cpus, memoryBytes, image, Boot.IMAGE, disks, USER_NETWORK, mac, forwards);
    }

    /** The user-mode network's options with the forwards among them; {@code network} is {@code user[,OPTION=VALUE]…}. */
    static NatConfig natConfig(String network, List<String> forwards) {
        if (!network.equals(USER_NETWORK) && !network.startsWith(USER_NETWORK + ",")) {
            throw new IllegalArgumentException("network " + network + ": choose user[,OPTIONS] (NAT) or none");
        }
        List<String> options = new ArrayList<>();
        if (network.length() > USER_NETWORK.length()) {
            options.add(network.substring(USER_NETWORK.length() + 1));
        }
        forwards.forEach(f -> options.add("hostfwd=" + f));
        return NatConfig.parse(String.join(",", options));
    }

    public VmName vmName() {
        return new VmName(name);
    }
}
