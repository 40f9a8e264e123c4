package jvirt.guest;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A guest ready to boot: the kernel {@code Image}, the initramfs, the OpenSBI firmware
 * ({@code fw_dynamic}), the kernel command line to use unless the user gives another, and, for an
 * image whose system lives on a disk, that disk: a qcow2 base image that is only ever read (each
 * VM writes to an overlay of its own). {@code disk} is null for a guest that runs from its initramfs.
 */
public record GuestImage(String name, Path kernel, Path initrd, Path firmware, String defaultAppend, String kernelVersion,
        Path disk) {

    /** A guest that runs from its initramfs. */
    public GuestImage(String name, Path kernel, Path initrd, Path firmware, String defaultAppend, String kernelVersion) {
        this(name, kernel, initrd, firmware, defaultAppend, kernelVersion, null);
    }

    /** The qcow2 base image of a guest that boots from a disk. */
    public Optional<Path> baseDisk() {
        return Optional.ofNullable(disk);
    }
}
