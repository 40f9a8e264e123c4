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
        return stanza(name, version, architecture, null, depends);
    }

    private static List<PackageStanza> stanza(String name, String version, String architecture, String preDepends,
            String depends) throws IOException {
        return PackagesIndex.parse(new StringReader("Package: " + name + "\nVersion: " + version + "\nArchitecture: "
                + architecture + "\n" + (preDepends == null ? "" : "Pre-Depends: " + preDepends + "\n")
                + (depends == null ? "" : "Depends: " + depends + "\n")
                + "Filename: pool/main/" + name + ".deb\nSize: 1\nSHA256: " + SHA + "\n"));
    }

    /** The packages trixie has for e2fsprogs, with their relations as the index writes them. */
    private static List<PackageStanza> e2fsprogs() throws IOException {
        List<PackageStanza> all = new ArrayList<>();
        all.addAll(stanza("e2fsprogs", "1.47.2-3+b12", "riscv64", "libblkid1 (>= 2.36), libc6 (>= 2.38), libcom-err2 (>= 1.43.9),"
                + " libext2fs2t64 (= 1.47.2-3+b12), libss2 (>= 1.38), libuuid1 (>= 2.16)", "logsave"));
        all.addAll(stanza("logsave", "1.47.2-3+b12", "riscv64", "libc6 (>= 2.34)"));
        all.addAll(stanza("libblkid1", "2.41.5-0+deb13u1", "riscv64", "libc6 (>= 2.38)"));
        all.addAll(stanza("libc6", "2.41-12+deb13u4", "riscv64", "libgcc-s1"));
        all.addAll(stanza("libc6", "2.41-12", "riscv64", "libgcc-s1"));
        all.addAll(stanza("libgcc-s1", "14.2.0-19", "riscv64", "gcc-14-base (= 14.2.0-19), libc6 (>= 2.35)"));
        all.addAll(stanza("gcc-14-base", "14.2.0-19", "riscv64", null));
        all.addAll(stanza("libcom-err2", "1.47.2-3+b12", "riscv64", "libc6 (>= 2.38)"));
        all.addAll(stanza("libext2fs2t64", "1.47.2-3+b12", "riscv64", "libc6 (>= 2.38)"));
        all.addAll(stanza("libext2fs2t64", "1.47.3-1", "riscv64", "libc6 (>= 2.38)")); // not the one e2fsprogs was built with
        all.addAll(stanza("libss2", "1.47.2-3+b12", "riscv64", "libcom-err2, libc6 (>= 2.34)"));
        all.addAll(stanza("libuuid1", "2.41.5-0+deb13u1", "riscv64", "libc6 (>= 2.38)"));
        return all;
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
        all.addAll(e2fsprogs());
        return new PackagesIndex(all);
    }

    @Test
    void followsTheKernelMetapackageRatherThanTheNewestKernel() throws IOException {
        DebianRecipe.Packages packages = DebianRecipe.resolve(index(true));

        assertThat(packages.kernel().name()).isEqualTo("linux-image-6.12.94+deb13-riscv64");
        assertThat(packages.kernelVersion()).isEqualTo("6.12.94+deb13-riscv64");
        assertThat(packages.busybox().version()).isEqualTo("1:1.37.0-6+b9");
        assertThat(packages.firmware().architecture()).isEqualTo("all");
        assertThat(packages.e2fsprogs().version()).isEqualTo("1.47.2-3+b12");
        assertThat(packages.all()).hasSize(4 + packages.libraries().size())
                .startsWith(packages.kernel(), packages.busybox(), packages.firmware(), packages.e2fsprogs());
    }

    @Test
    void takesTheLibraryPackagesE2fsprogsNeedsThroughPreDependsAndDepends() throws IOException {
        PackagesIndex index = new PackagesIndex(e2fsprogs());

        List<PackageStanza> libraries = DebianRecipe.libraries(index, index.newest("e2fsprogs").orElseThrow());

        assertThat(libraries).extracting(PackageStanza::label).containsExactly(
                "libblkid1 2.41.5-0+deb13u1", "libc6 2.41-12+deb13u4", "libcom-err2 1.47.2-3+b12",
                "libext2fs2t64 1.47.2-3+b12", "libgcc-s1 14.2.0-19", "libss2 1.47.2-3+b12", "libuuid1 2.41.5-0+deb13u1");
    }

    @Test
    void takesTheFirstAlternativeTheIndexHas() throws IOException {
        List<PackageStanza> all = new ArrayList<>();
        all.addAll(stanza("tool", "1", "riscv64", "libfoo-virtual | libfoo2 | libfoo1, helper | libhelper1"));
        all.addAll(stanza("libfoo1", "1", "riscv64", null));
        all.addAll(stanza("libfoo2", "2", "riscv64", null));
        all.addAll(stanza("helper", "1", "riscv64", "libhelper1"));
        all.addAll(stanza("libhelper1", "1", "riscv64", null));
        PackagesIndex index = new PackagesIndex(all);

        assertThat(DebianRecipe.libraries(index, index.newest("tool").orElseThrow()))
                .extracting(PackageStanza::name).containsExactly("libfoo2"); // helper holds no library, so not followed
    }

    @Test
    void saysWhichLibraryPackageIsMissing() throws IOException {
        PackagesIndex index = new PackagesIndex(e2fsprogs().stream().filter(p -> !p.name().equals("libext2fs2t64")).toList());

        assertThatThrownBy(() -> DebianRecipe.libraries(index, index.newest("e2fsprogs").orElseThrow()))
                .isInstanceOf(IOException.class)
                .hasMessage("e2fsprogs 1.47.2-3+b12 needs libext2fs2t64 (= 1.47.2-3+b12), which the trixie Packages index"
                        + " lacks; the mirror may be midway through an update, try again later");
    }

    @Test
    void saysWhichPackageIsMissing() {
        assertThatThrownBy(() -> DebianRecipe.resolve(index(false)))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("the trixie Packages index has no opensbi");
    }

    @Test
    void wantsTheModulesALaterDiskAndNetworkNeed() {
        assertThat(DebianRecipe.MODULES).contains("virtio_mmio", "virtio_blk", "virtio_net", "virtio-rng", "virtio_console", "ext4", "isofs");
    }

    @Test
    void wantsMkfsAndFsckForExt4UnderDebiansNames() {
        assertThat(DebianRecipe.E2FSPROGS_PATHS).contains("usr/sbin/mke2fs", "usr/sbin/mkfs.ext4", "usr/sbin/mkfs.ext2",
                "usr/sbin/e2fsck", "usr/sbin/fsck.ext4");
    }
}
