package jvirt.manager;

import java.util.List;
import java.util.Objects;
import jvirt.net.MacAddress;
import jvirt.net.user.NatConfig;
import jvirt.virt.BoardConfig;

/**
 * What a VM is, as {@code vm.json} stores it: its name, harts and memory, the guest image it
 * boots, its disks (paths relative to the VM's directory unless absolute), its network card's
 * MAC (fixed when the VM is created, so the guest keeps its address and interface name) and the
 * host ports forwarded into it, in {@code hostfwd=} syntax.
 */
public record VmDefinition(String name, int cpus, long memoryBytes, String image, List<Disk> disks, String mac,
        List<String> forwards) {
    /** A disk image and its format ({@code qcow2}, {@code raw}, …). */
    public record Disk(String file, String format) {
        public Disk {
            Objects.requireNonNull(file, "a disk needs a file");
            Objects.requireNonNull(format, "a disk needs a format");
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
        disks = List.copyOf(disks == null ? List.of() : disks);
        MacAddress address = MacAddress.parse(Objects.requireNonNull(mac, "a VM needs a MAC address"));
        if (address.isGroup()) {
            throw new IllegalArgumentException("MAC address " + mac + " is a multicast address; a NIC needs a unicast one");
        }
        forwards = List.copyOf(forwards == null ? List.of() : forwards);
        for (String forward : forwards) {
            NatConfig.parse("hostfwd=" + forward); // the network's own parser, with its one-line errors
        }
    }

    public VmName vmName() {
        return new VmName(name);
    }
}
