package jvirt.guest.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptSourcesTest {
    @TempDir
    Path etcApt;

    @Test
    void parsesOneLineEntriesWithOptionsAndComments() {
        List<SourceEntry> entries = AptSources.parseOneLine("""
                # a comment line
                deb http://mirror.example/debian bookworm main contrib # trailing comment
                deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://other.example/debian trixie main
                deb [ arch=riscv64 ] http://third.example/debian sid main
                deb-src http://mirror.example/debian bookworm main

                deb cdrom:[Debian GNU/Linux]/ bookworm main
                """);

        assertThat(entries).containsExactly(
                new SourceEntry("deb", URI.create("http://mirror.example/debian"), "bookworm", List.of("main", "contrib")),
                new SourceEntry("deb", URI.create("https://other.example/debian"), "trixie", List.of("main")),
                new SourceEntry("deb", URI.create("http://third.example/debian"), "sid", List.of("main")),
                new SourceEntry("deb-src", URI.create("http://mirror.example/debian"), "bookworm", List.of("main")));
    }

    @Test
    void parsesDeb822StanzasWithCommentsInside() throws IOException {
        List<SourceEntry> entries = AptSources.parseDeb822("""
                Types: deb deb-src
                # a snapshot URL, commented out inside the stanza
                URIs: http://mirror.example/debian
                Suites: bookworm bookworm-updates
                Components: main
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

                Types: deb
                URIs: http://disabled.example/debian
                Suites: trixie
                Components: main
                Enabled: no
                """);

        assertThat(entries).extracting(e -> e.type() + " " + e.uri() + " " + e.suite()).containsExactly(
                "deb http://mirror.example/debian bookworm",
                "deb http://mirror.example/debian bookworm-updates",
                "deb-src http://mirror.example/debian bookworm",
                "deb-src http://mirror.example/debian bookworm-updates");
    }

    @Test
    void choosesTheDebianArchiveAndSkipsSecurityAndThirdPartyRepositories() {
        List<SourceEntry> entries = AptSources.parseOneLine("""
                deb http://security.example/debian-security bookworm-security main
                deb http://mirror.example/debian-security/ trixie main
                deb https://packages.example/apt cloud-sdk main
                deb https://download.example/linux/debian bookworm stable
                deb https://nodes.example/node_20.x bookworm main
                deb-src http://src.example/debian bookworm main
                deb http://contrib.example/debian bookworm contrib
                deb http://mirror.example/debian bookworm-updates main
                """);

        assertThat(AptSources.debianMirror(entries)).contains(URI.create("http://mirror.example/debian"));
    }

    @Test
    void acceptsAMirrorWithoutDebianInItsPathWhenThereIsNothingBetter() {
        List<SourceEntry> entries = AptSources.parseOneLine("deb http://mirror.example/ trixie-backports main\n");

        assertThat(AptSources.debianMirror(entries)).contains(URI.create("http://mirror.example/"));
    }

    @Test
    void findsNoDebianMirrorAmongUbuntuSources() {
        List<SourceEntry> entries = AptSources.parseOneLine("""
                deb http://archive.example/ubuntu noble main restricted
                deb http://archive.example/ubuntu noble-security main
                """);

        assertThat(AptSources.debianMirror(entries)).isEmpty();
    }

    @Test
    void readsSourcesListAndBothFormatsInSourcesListD() throws IOException {
        Files.writeString(etcApt.resolve("sources.list"), "# nothing here\n");
        Path d = Files.createDirectories(etcApt.resolve("sources.list.d"));
        Files.writeString(d.resolve("a-third-party.list"), "deb https://repo.example/apt stable main\n");
        Files.writeString(d.resolve("debian.sources"), """
                Types: deb
                URIs: http://mirror.example/debian
                Suites: bookworm
                Components: main
                """);
        Files.writeString(d.resolve("old.list.disabled"), "deb http://ignored.example/debian bookworm main\n");

        assertThat(AptSources.read(etcApt)).extracting(SourceEntry::uri).containsExactly(
                URI.create("https://repo.example/apt"), URI.create("http://mirror.example/debian"));
        assertThat(AptSources.discover(Map.of(), etcApt)).isEqualTo(URI.create("http://mirror.example/debian"));
    }

    @Test
    void findsTheSecurityArchiveBesideTheMirror() throws IOException {
        Files.writeString(etcApt.resolve("sources.list"), """
                deb http://mirror.example/debian bookworm main
                deb http://repo.example/apt stable-security main
                deb http://security.example/debian-security bookworm-security main
                """);

        assertThat(AptSources.discoverSecurity(Map.of(), etcApt)).contains(URI.create("http://security.example/debian-security"));
        assertThat(AptSources.discoverSecurity(Map.of(AptSources.SECURITY_VARIABLE, "https://s.example/ds"), etcApt))
                .contains(URI.create("https://s.example/ds"));
        assertThatThrownBy(() -> AptSources.discoverSecurity(Map.of(AptSources.SECURITY_VARIABLE, "s.example"), etcApt))
                .hasMessage("JVIRT_DEBIAN_SECURITY_MIRROR must be an http:// or https:// URL, got 's.example'");
        Files.writeString(etcApt.resolve("sources.list"), "deb http://mirror.example/debian bookworm main\n");
        assertThat(AptSources.discoverSecurity(Map.of(), etcApt)).isEmpty();
    }

    @Test
    void namesAMalformedSourcesFile() throws IOException {
        Path d = Files.createDirectories(etcApt.resolve("sources.list.d"));
        Files.writeString(d.resolve("broken.sources"), "Types: deb\nthis is not deb822\n");

        assertThatThrownBy(() -> AptSources.discover(Map.of(), etcApt))
                .hasMessageContaining("broken.sources: line 2")
                .hasMessageContaining("JVIRT_DEBIAN_MIRROR");
    }

    @Test
    void theEnvironmentOverridesTheSources() throws IOException {
        Files.writeString(etcApt.resolve("sources.list"), "deb http://mirror.example/debian bookworm main\n");

        assertThat(AptSources.discover(Map.of(AptSources.MIRROR_VARIABLE, " https://override.example/debian "), etcApt))
                .isEqualTo(URI.create("https://override.example/debian"));
        assertThatThrownBy(() -> AptSources.discover(Map.of(AptSources.MIRROR_VARIABLE, "ftp.example/debian"), etcApt))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("JVIRT_DEBIAN_MIRROR must be an http:// or https:// URL");
    }

    @Test
    void failsWithAHintWhenNoMirrorIsFound() throws IOException {
        Files.writeString(etcApt.resolve("sources.list"), "deb http://archive.example/ubuntu noble main\n");

        assertThatThrownBy(() -> AptSources.discover(Map.of(), etcApt))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("set JVIRT_DEBIAN_MIRROR to a Debian mirror URL")
                .hasMessageNotContaining("\n");
    }
}
