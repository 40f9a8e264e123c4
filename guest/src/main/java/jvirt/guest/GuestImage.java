package jvirt.guest;

import java.nio.file.Path;

/**
 * A guest ready to boot: the kernel {@code Image}, the initramfs, the OpenSBI firmware
 * ({@code fw_dynamic}) and the kernel command line to use unless the user gives another.
 */
public record GuestImage(String name, Path kernel, Path initrd, Path firmware, String defaultAppend, String kernelVersion) {
}
