package jvirt.guest.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackageTreeTest {
    private static final String LOADER = "/lib/ld-linux-riscv64-lp64d.so.1";
    private static final String MULTIARCH = "usr/lib/riscv64-linux-gnu";
    private static final List<String> LIBRARY_DIRECTORIES = List.of(MULTIARCH, "usr/lib");

    /** e2fsprogs, libext2fs2t64 and libc6 as trixie ships them, with a library nothing needs. */
    private static PackageTree e2fsprogs(List<String> wanted) {
        PackageTree tree = new PackageTree(wanted, LIBRARY_DIRECTORIES);
        tree.addFile("usr/sbin/mke2fs", 0755, TinyProgram.program(LOADER, "libext2fs.so.2", "libc.so.6"));
        tree.addSymlink("usr/sbin/mkfs.ext4", "mke2fs");
        tree.addFile("usr/sbin/debugfs", 0755, TinyProgram.program(LOADER, "libss.so.2", "libc.so.6"));
        tree.addFile("etc/mke2fs.conf", 0644, text("[defaults]\n"));
        tree.addFile(MULTIARCH + "/libext2fs.so.2.4", 0644, TinyProgram.library("libcom_err.so.2", "libc.so.6"));
        tree.addSymlink(MULTIARCH + "/libext2fs.so.2", "libext2fs.so.2.4");
        tree.addFile(MULTIARCH + "/libcom_err.so.2.1", 0644, TinyProgram.library("libc.so.6"));
        tree.addSymlink(MULTIARCH + "/libcom_err.so.2", "libcom_err.so.2.1");
        tree.addFile(MULTIARCH + "/libss.so.2.0", 0644, TinyProgram.library("libc.so.6"));
        tree.addSymlink(MULTIARCH + "/libss.so.2", "libss.so.2.0");
        tree.addFile(MULTIARCH + "/libc.so.6", 0755, TinyProgram.program(LOADER, "ld-linux-riscv64-lp64d.so.1"));
        tree.addFile(MULTIARCH + "/ld-linux-riscv64-lp64d.so.1", 0755, TinyProgram.library());
        tree.addSymlink("usr/lib/ld-linux-riscv64-lp64d.so.1", "riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1");
        return tree;
    }

    @Test
    void takesTheProgramsTheirLinksLoaderAndLibrariesAndNothingElse() throws IOException {
        List<RootEntry> selected = e2fsprogs(List.of("usr/sbin/mkfs.ext4", "usr/sbin/mke2fs", "etc/mke2fs.conf")).select();

        assertThat(selected).extracting(RootEntry::path).containsExactly(
                "usr/sbin/mkfs.ext4",
                "usr/sbin/mke2fs",
                "usr/lib/ld-linux-riscv64-lp64d.so.1", // /lib/... through merged /usr, then the package's link
                MULTIARCH + "/ld-linux-riscv64-lp64d.so.1",
                MULTIARCH + "/libext2fs.so.2",
                MULTIARCH + "/libext2fs.so.2.4",
                MULTIARCH + "/libcom_err.so.2",
                MULTIARCH + "/libcom_err.so.2.1",
                MULTIARCH + "/libc.so.6",
                "etc/mke2fs.conf");
        assertThat(selected.getFirst()).isEqualTo(new RootEntry.Symlink("usr/sbin/mkfs.ext4", "mke2fs"));
        assertThat(selected).filteredOn(e -> e.path().equals("usr/sbin/mke2fs"))
                .singleElement().isInstanceOfSatisfying(RootEntry.File.class, f -> assertThat(f.mode()).isEqualTo(0755));
    }

    @Test
    void placesPackagesOfTheOldLayoutUnderUsr() throws IOException {
        PackageTree tree = new PackageTree(List.of("sbin/mke2fs"), LIBRARY_DIRECTORIES);
        tree.addFile("sbin/mke2fs", 0755, TinyProgram.program(LOADER, "libc.so.6"));
        tree.addFile("lib/riscv64-linux-gnu/libc.so.6", 0755, TinyProgram.library("ld-linux-riscv64-lp64d.so.1"));
        tree.addSymlink("lib/ld-linux-riscv64-lp64d.so.1", "/lib/riscv64-linux-gnu/ld.so");
        tree.addFile("lib/riscv64-linux-gnu/ld.so", 0755, TinyProgram.library());
        tree.addSymlink("lib/riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1", "../../lib/riscv64-linux-gnu/ld.so");

        assertThat(tree.keeps("sbin/fsck")).isTrue();
        assertThat(tree.keeps("lib/riscv64-linux-gnu/libm.so.6")).isTrue();
        assertThat(tree.keeps("usr/share/doc/e2fsprogs/changelog.gz")).isFalse();
        assertThat(tree.keeps(MULTIARCH + "/gconv/BIG5.so")).isFalse();
        assertThat(tree.select()).extracting(RootEntry::path).containsExactly(
                "usr/sbin/mke2fs", "usr/lib/ld-linux-riscv64-lp64d.so.1", MULTIARCH + "/ld.so", MULTIARCH + "/libc.so.6",
                MULTIARCH + "/ld-linux-riscv64-lp64d.so.1");
    }

    @Test
    void resolvesLinkTargetsAsTheKernelDoes() {
        assertThat(PackageTree.canonical("sbin/mke2fs")).isEqualTo("usr/sbin/mke2fs");
        assertThat(PackageTree.canonical("usr/sbin/mke2fs")).isEqualTo("usr/sbin/mke2fs");
        assertThat(PackageTree.canonical("libexec/x")).isEqualTo("libexec/x");
        assertThat(PackageTree.resolve("usr/sbin", "mke2fs")).isEqualTo("usr/sbin/mke2fs");
        assertThat(PackageTree.resolve("usr/sbin", "/lib/x.so")).isEqualTo("usr/lib/x.so");
        assertThat(PackageTree.resolve("usr/sbin", "../../../../bin/./busybox")).isEqualTo("usr/bin/busybox");
        assertThat(PackageTree.resolve("", "lib/../etc")).isEqualTo("usr/etc"); // lib is usr/lib, so its parent is usr
    }

    @Test
    void findsALibraryInTheFirstDirectoryThatHasIt() throws IOException {
        PackageTree tree = new PackageTree(List.of("usr/bin/x"), LIBRARY_DIRECTORIES);
        tree.addFile("usr/bin/x", 0755, TinyProgram.library("liby.so.1"));
        tree.addFile("usr/lib/liby.so.1", 0644, text("the wrong one"));
        tree.addFile(MULTIARCH + "/liby.so.1", 0644, text("the right one"));

        assertThat(tree.select()).extracting(RootEntry::path).containsExactly("usr/bin/x", MULTIARCH + "/liby.so.1");
    }

    @Test
    void saysWhatIsMissing() {
        PackageTree noLibext2fs = e2fsprogs(List.of("usr/sbin/mke2fs"));
        noLibext2fs.addFile(MULTIARCH + "/libext2fs.so.2.4", 0644, TinyProgram.library("libgone.so.1"));
        assertThatThrownBy(noLibext2fs::select).isInstanceOf(IOException.class).hasMessage(
                MULTIARCH + "/libext2fs.so.2.4 needs libgone.so.1, which none of the packages holds in "
                        + MULTIARCH + " or usr/lib; the recipe must take the package that does");

        PackageTree noLoader = new PackageTree(List.of("usr/sbin/mke2fs"), LIBRARY_DIRECTORIES);
        noLoader.addFile("usr/sbin/mke2fs", 0755, TinyProgram.program(LOADER));
        assertThatThrownBy(noLoader::select).hasMessage("usr/sbin/mke2fs needs " + LOADER
                + ", but none of the packages holds usr/lib/ld-linux-riscv64-lp64d.so.1");

        PackageTree dangling = new PackageTree(List.of("sbin/mkfs.ext4"), LIBRARY_DIRECTORIES);
        dangling.addSymlink("usr/sbin/mkfs.ext4", "mke2fs");
        assertThatThrownBy(dangling::select).hasMessage("none of the packages holds usr/sbin/mke2fs (where usr/sbin/mkfs.ext4 leads)");

        assertThatThrownBy(() -> e2fsprogs(List.of("usr/sbin/mkfs.ext9")).select())
                .hasMessage("none of the packages holds usr/sbin/mkfs.ext9");

        PackageTree loop = new PackageTree(List.of("usr/sbin/a"), LIBRARY_DIRECTORIES);
        loop.addSymlink("usr/sbin/a", "b");
        loop.addSymlink("usr/sbin/b", "/sbin/a");
        assertThatThrownBy(loop::select).hasMessage("usr/sbin/a: more than 40 symbolic links (a loop?)");
    }

    @Test
    void namesTheFileWhoseElfHeadersAreBroken() {
        PackageTree tree = new PackageTree(List.of("usr/sbin/mke2fs"), LIBRARY_DIRECTORIES);
        byte[] truncated = TinyProgram.program(LOADER, "libc.so.6");
        tree.addFile("usr/sbin/mke2fs", 0755, Arrays.copyOf(truncated, 100));

        assertThatThrownBy(tree::select).hasMessageStartingWith("usr/sbin/mke2fs: ");
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
