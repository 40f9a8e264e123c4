package jvirt.guest.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirstStageTest {
    @TempDir
    Path root;

    @Test
    void thePackagesIndexKeepsOnlyTheStanzasOfTheFetchedPackages() throws Exception {
        Files.createDirectories(root.resolve("debootstrap"));
        Files.writeString(root.resolve("debootstrap/debpaths"),
                "libc6 /var/cache/apt/archives/libc6_2.41-12_riscv64.deb\n"
                        + "cloud-init /var/cache/apt/archives/cloud-init_25.1.4-1_all.deb\n");
        Path lists = Files.createDirectories(root.resolve("var/lib/apt/lists"));
        Path index = Files.writeString(lists.resolve("mirror_dists_trixie_main_binary-riscv64_Packages"), """
                Package: libc6
                Version: 2.41-12
                Depends: libgcc-s1
                Description: GNU C Library
                 shared libraries

                Package: libc6-dev
                Version: 2.41-12

                Package: cloud-init
                Version: 25.1.4-1


                Package: nginx
                Version: 1.26.3-3
                """);
        Path release = Files.writeString(lists.resolve("mirror_dists_trixie_Release"), "Origin: Debian\n");
        Object inode = Files.getAttribute(index, "unix:ino");

        FirstStage.keepOnlyFetchedStanzas(root);

        assertThat(Files.readString(index)).isEqualTo("""
                Package: libc6
                Version: 2.41-12
                Depends: libgcc-s1
                Description: GNU C Library
                 shared libraries

                Package: cloud-init
                Version: 25.1.4-1

                """);
        assertThat(Files.getAttribute(index, "unix:ino")).as("rewritten in place: fakeroot knows files by inode").isEqualTo(inode);
        assertThat(Files.readString(release)).isEqualTo("Origin: Debian\n");
    }
}
