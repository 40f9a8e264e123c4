package jvirt.guest.kernel;

import java.util.List;

/**
 * A loadable module as it goes into the guest: its name ('_' spelling), its path under
 * {@code /lib/modules/<version>/} (uncompressed, e.g. {@code kernel/fs/ext4/ext4.ko}), its ELF
 * bytes and the modules it directly needs.
 */
public record KernelModule(String name, String path, byte[] image, List<String> depends) {
    public KernelModule {
        depends = List.copyOf(depends);
    }
}
