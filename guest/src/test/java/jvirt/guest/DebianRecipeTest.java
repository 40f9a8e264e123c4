package jvirt.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import jvirt.guest.debian.PackageStanza;
import jvirt.guest.debian.PackagesIndex;
import org.junit.jupiter.api.Test;

class DebianRecipeTest {
    private static final String SHA = "0".repeat(64);

    private static List<PackageStanza> stanza(String name, String version, String architecture, String depends)
            throws IOException {
        return PackagesIndex.parse(new StringReader("Package: " + name + "\nVersion: " + version + "\nArchitecture: "
                + architecture + "\n" + (depends == null ? "" : "Depends: " + depends + "\n")
                + "Filename: pool/main/" + name + ".deb\nSize: 1\nSHA256: " + SHA + "\n"));
    }

    private static PackagesIndex index(boolean withOpensbi) throws IOException {
        List<PackageStanza> all = new ArrayList<>();
        all.addAll(stanza("linux-image-riscv64", "6.12.94-1", "riscv64", "linux-image-6.12.94+deb13-riscv64 (= 6.12.94-1)"));
        all.addAll(stanza("linux-image-6.12.94+deb13-riscv64", "6.12.94-1", "riscv64", "kmod"));
        all.addAll(stanza("linux-image-6.12.107+deb13-riscv64", "6.12.107-1", "riscv64", "kmod"));
        all.addAll(stanza("busybox-static", "1:1.37.0-6+b9", "riscv64", null));
        if (withOpensbi) {
            all.addAll(stanza("opensbi", "1.6-1", "all", null));
        }
        return new PackagesIndex(all);
    }

    @Test
    void followsTheKernelMetapackageRatherThanTheNewestKernel() throws IOException {
        DebianRecipe.Packages packages = DebianRecipe.resolve(index(true));

        assertThat(packages.kernel().name()).isEqualTo("linux-image-6.12.94+deb13-riscv64");
        assertThat(packages.kernelVersion()).isEqualTo("6.12.94+deb13-riscv64");
        assertThat(packages.busybox().version()).isEqualTo("1:1.37.0-6+b9");
        assertThat(packages.firmware().architecture()).isEqualTo("all");
    }

    @Test
    void saysWhichPackageIsMissing() {
        assertThatThrownBy(() -> DebianRecipe.resolve(index(false)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("the trixie Packages index has no opensbi");
    }

    @Test
    void wantsTheModulesALaterDiskAndNetworkNeed() {
        assertThat(DebianRecipe.MODULES).contains("virtio_mmio", "virtio_blk", "virtio_net", "virtio-rng", "virtio_console", "ext4");
    }
}
