package jvirt.guest.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import jvirt.guest.Progress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianMirrorTest {
    private static final byte[] DEB = "pretend this is a package".repeat(1000).getBytes(StandardCharsets.US_ASCII);
    private static final RemoteFile POOL_FILE = new RemoteFile("pool/main/t/test/test_1_all.deb", DEB.length, Sha256.of(DEB));

    @TempDir
    Path dir;
    private TestHttpServer server;
    private DebianMirror mirror;

    @BeforeEach
    void start() throws IOException {
        server = new TestHttpServer();
        mirror = new DebianMirror(server.uri("/debian")); // no trailing slash: the mirror adds it
    }

    @AfterEach
    void stop() {
        mirror.close();
        server.close();
    }

    @Test
    void downloadsAndVerifies() throws IOException {
        server.put("/debian/" + POOL_FILE.path(), DEB);
        Path target = dir.resolve("test.deb");
        long[] advanced = {0};

        mirror.download(POOL_FILE, target, "downloading test", new Progress() {
            @Override
            public void begin(String what, long totalBytes) {
                assertThat(totalBytes).isEqualTo(DEB.length);
            }

            @Override
            public void advance(long bytes) {
                advanced[0] += bytes;
            }

            @Override
            public void done() {
            }
        });

        assertThat(target).hasBinaryContent(DEB);
        assertThat(advanced[0]).isEqualTo(DEB.length);
        assertThat(dir.resolve("test.deb.part")).doesNotExist();
    }

    @Test
    void retriesADamagedDownloadOnce() throws IOException {
        byte[] corrupt = DEB.clone();
        corrupt[100] ^= 1;
        server.put("/debian/" + POOL_FILE.path(), attempt -> attempt == 1 ? corrupt : DEB);
        Path target = dir.resolve("test.deb");

        mirror.download(POOL_FILE, target, "downloading test", Progress.SILENT);

        assertThat(target).hasBinaryContent(DEB);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void reportsACorruptDownloadAndKeepsNothing() {
        byte[] corrupt = DEB.clone();
        corrupt[100] ^= 1;
        server.put("/debian/" + POOL_FILE.path(), corrupt);
        Path target = dir.resolve("test.deb");

        assertThatThrownBy(() -> mirror.download(POOL_FILE, target, "downloading test", Progress.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("failed twice")
                .hasMessageContaining("test_1_all.deb: SHA256 ")
                .hasMessageContaining("does not match the expected " + POOL_FILE.sha256())
                .hasMessageNotContaining("\n");
        assertThat(target).doesNotExist();
        assertThat(dir.resolve("test.deb.part")).doesNotExist();
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void reportsATruncatedDownload() {
        server.put("/debian/" + POOL_FILE.path(), Arrays.copyOf(DEB, DEB.length - 10));

        assertThatThrownBy(() -> mirror.download(POOL_FILE, dir.resolve("test.deb"), "downloading test", Progress.SILENT))
                .hasMessageContaining("got " + (DEB.length - 10) + " bytes, expected " + DEB.length + " (truncated)");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void reportsAnOverlongDownload() {
        server.put("/debian/" + POOL_FILE.path(), Arrays.copyOf(DEB, DEB.length + 10));

        assertThatThrownBy(() -> mirror.download(POOL_FILE, dir.resolve("test.deb"), "downloading test", Progress.SILENT))
                .hasMessageContaining("got more than the expected " + DEB.length + " bytes");
    }

    @Test
    void doesNotRetryAMissingFile() {
        assertThatThrownBy(() -> mirror.download(POOL_FILE, dir.resolve("test.deb"), "downloading test", Progress.SILENT))
                .isInstanceOf(FileNotFoundException.class)
                .hasMessageEndingWith("/debian/" + POOL_FILE.path() + ": HTTP 404");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void readsTheReleaseFileAndVerifiedPackagesIndexes() throws IOException {
        byte[] riscv64 = DebBuilder.xz(PackagesIndexTest.stanza("busybox-static", "1:1.37.0-6", "riscv64", null)
                .getBytes(StandardCharsets.UTF_8));
        byte[] all = DebBuilder.xz(PackagesIndexTest.stanza("opensbi", "1.6-1", "all", null).getBytes(StandardCharsets.UTF_8));
        server.put("/debian/dists/trixie/InRelease", ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nCodename: trixie\nSHA256:\n "
                + Sha256.of(riscv64) + " " + riscv64.length + " main/binary-riscv64/Packages.xz\n "
                + Sha256.of(all) + " " + all.length + " main/binary-all/Packages.xz\n"
                + "-----BEGIN PGP SIGNATURE-----\n\nxyz\n-----END PGP SIGNATURE-----\n").getBytes(StandardCharsets.UTF_8));
        server.put("/debian/dists/trixie/main/binary-riscv64/Packages.xz", riscv64);
        server.put("/debian/dists/trixie/main/binary-all/Packages.xz", all);

        ReleaseFile release = mirror.release("trixie"); // no Release: falls back to InRelease
        PackagesIndex index = mirror.packages(release, "main", List.of("riscv64", "all"), Progress.SILENT);

        assertThat(index.newest("busybox-static")).isPresent();
        assertThat(index.newest("opensbi")).isPresent();
    }

    @Test
    void skipsTheAllIndexWhereTheArchitectureIndexesListItsPackages() throws IOException {
        byte[] riscv64 = DebBuilder.xz((PackagesIndexTest.stanza("busybox-static", "1:1.37.0-6", "riscv64", null) + "\n"
                + PackagesIndexTest.stanza("opensbi", "1.6-1", "all", null)).getBytes(StandardCharsets.UTF_8));
        server.put("/debian/dists/trixie/Release", ("No-Support-for-Architecture-all: Packages\nSHA256:\n "
                + Sha256.of(riscv64) + " " + riscv64.length + " main/binary-riscv64/Packages.xz\n "
                + "f".repeat(64) + " 1 main/binary-all/Packages.xz\n").getBytes(StandardCharsets.UTF_8));
        server.put("/debian/dists/trixie/main/binary-riscv64/Packages.xz", riscv64);

        ReleaseFile release = mirror.release("trixie");
        PackagesIndex index = mirror.packages(release, "main", List.of("riscv64", "all"), Progress.SILENT);

        assertThat(release.allInArchitectureIndexes()).isTrue();
        assertThat(index.newest("opensbi")).isPresent();
        assertThat(server.requests()).noneMatch(r -> r.contains("binary-all"));
    }

    @Test
    void refusesAPackagesIndexThatDoesNotMatchTheReleaseFile() throws IOException {
        byte[] index = DebBuilder.xz("Package: x\n".getBytes(StandardCharsets.UTF_8));
        server.put("/debian/dists/trixie/Release", ("SHA256:\n " + "f".repeat(64) + " " + index.length
                + " main/binary-riscv64/Packages.xz\n").getBytes(StandardCharsets.UTF_8));
        server.put("/debian/dists/trixie/main/binary-riscv64/Packages.xz", index);

        ReleaseFile release = mirror.release("trixie");
        assertThatThrownBy(() -> mirror.packages(release, "main", List.of("riscv64"), Progress.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Packages.xz: SHA256");
    }

    @Test
    void saysSoWhenTheMirrorHasNoSuchSuite() {
        assertThatThrownBy(() -> mirror.release("trixie"))
                .hasMessageContaining("has no dists/trixie/Release or InRelease")
                .hasMessageContaining("JVIRT_DEBIAN_MIRROR");
    }

    @Test
    void saysWhatFailedWhenTheMirrorCannotBeReached() throws IOException {
        server.close(); // nothing listens on the port any more
        Path target = dir.resolve("test.deb");

        assertThatThrownBy(() -> mirror.download(POOL_FILE, target, "downloading test", Progress.SILENT))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("download of " + mirror.root() + POOL_FILE.path() + " failed twice: cannot fetch")
                .hasMessageNotContaining("\n");
        assertThat(Files.exists(target)).isFalse();
    }
}
