package jvirt.guest.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ReleaseFileTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);

    static final String RELEASE = """
            Origin: Debian
            Codename: trixie
            MD5Sum:
             3e498904a30e240573dac8ddac594e6f  1961125 main/binary-riscv64/Packages.xz
            SHA256:
             %s  9385284 main/binary-riscv64/Packages.xz
             %s   204072 main/binary-all/Packages.xz
            """.formatted(A, B);

    @Test
    void readsTheSha256List() throws IOException {
        ReleaseFile release = ReleaseFile.parse(RELEASE, "dists/trixie");

        assertThat(release.indexFile("main/binary-riscv64/Packages.xz"))
                .isEqualTo(new RemoteFile("dists/trixie/main/binary-riscv64/Packages.xz", 9385284, A));
        assertThat(release.indexFile("main/binary-all/Packages.xz").size()).isEqualTo(204072);
        assertThatThrownBy(() -> release.indexFile("main/binary-amd64/Packages.xz"))
                .hasMessageContaining("lists no SHA256 for main/binary-amd64/Packages.xz");
    }

    @Test
    void unwrapsInReleaseFromItsCleartextSignature() throws IOException {
        String inRelease = """
                -----BEGIN PGP SIGNED MESSAGE-----
                Hash: SHA256

                - Origin: Debian
                """ + RELEASE.substring(RELEASE.indexOf('\n') + 1) + """
                -----BEGIN PGP SIGNATURE-----

                iQIzBAEBCAAdFiEE
                -----END PGP SIGNATURE-----
                """;

        ReleaseFile release = ReleaseFile.parseInRelease(inRelease, "dists/trixie/");

        assertThat(release.indexFile("main/binary-all/Packages.xz").sha256()).isEqualTo(B);
    }

    @Test
    void refusesAReleaseFileWithoutSha256() {
        assertThatThrownBy(() -> ReleaseFile.parse("Origin: Debian\nMD5Sum:\n x 1 y\n", "dists/trixie/"))
                .isInstanceOf(IOException.class).hasMessageContaining("no SHA256 field");
    }
}
