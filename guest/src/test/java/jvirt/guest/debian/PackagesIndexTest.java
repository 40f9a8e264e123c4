package jvirt.guest.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackagesIndexTest {
    static String stanza(String name, String version, String architecture, String depends) {
        return """
                Package: %s
                Version: %s
                Architecture: %s
                %sDescription: test package
                 with a long description
                Filename: pool/main/x/%s_%s_%s.deb
                Size: 1234
                SHA256: %s

                """.formatted(name, version, architecture, depends == null ? "" : "Depends: " + depends + "\n",
                name, version, architecture, "0".repeat(63) + name.length() % 10);
    }

    @Test
    void parsesStanzas() throws IOException {
        List<PackageStanza> stanzas = PackagesIndex.parse(new StringReader(
                stanza("busybox-static", "1:1.37.0-6+b9", "riscv64", null)
                        + stanza("linux-image-riscv64", "6.12.107-1", "riscv64", "linux-image-6.12.107+deb13-riscv64 (= 6.12.107-1)")));

        assertThat(stanzas).hasSize(2);
        PackageStanza busybox = stanzas.getFirst();
        assertThat(busybox.name()).isEqualTo("busybox-static");
        assertThat(busybox.version()).isEqualTo("1:1.37.0-6+b9");
        assertThat(busybox.architecture()).isEqualTo("riscv64");
        assertThat(busybox.file().path()).isEqualTo("pool/main/x/busybox-static_1:1.37.0-6+b9_riscv64.deb");
        assertThat(busybox.file().size()).isEqualTo(1234);
        assertThat(stanzas.get(1).dependsRelations()).containsExactly(List.of(new Relation(
                "linux-image-6.12.107+deb13-riscv64", "=", DebianVersion.parse("6.12.107-1"))));
    }

    @Test
    void keepsPreDependsApartFromDepends() throws IOException {
        String e2fsprogs = stanza("e2fsprogs", "1.47.2-3+b12", "riscv64", "logsave")
                .replace("Depends: logsave\n", "Pre-Depends: libc6 (>= 2.38), libext2fs2t64 (= 1.47.2-3+b12)\nDepends: logsave\n");

        PackageStanza stanza = PackagesIndex.parse(new StringReader(e2fsprogs)).getFirst();

        assertThat(stanza.dependsRelations()).containsExactly(List.of(Relation.any("logsave")));
        assertThat(stanza.preDependsRelations()).containsExactly(
                List.of(new Relation("libc6", ">=", DebianVersion.parse("2.38"))),
                List.of(new Relation("libext2fs2t64", "=", DebianVersion.parse("1.47.2-3+b12"))));
        assertThat(stanza.preDependsRelations().get(1).getFirst()).hasToString("libext2fs2t64 (= 1.47.2-3+b12)");
        assertThat(PackagesIndex.parse(new StringReader(stanza("opensbi", "1.6-1", "all", null))).getFirst()
                .preDependsRelations()).isEmpty();
    }

    @Test
    void rejectsAStanzaWithoutChecksum() {
        String text = stanza("opensbi", "1.6-1", "all", null).replaceAll("SHA256: .*\n", "");

        assertThatThrownBy(() -> PackagesIndex.parse(new StringReader(text)))
                .isInstanceOf(IOException.class).hasMessage("Packages stanza for opensbi has no SHA256 field");
    }

    @Test
    void parsesRelationFieldsWithAlternativesQualifiersAndArchitectures() {
        assertThat(Relation.parseField("kmod, initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool,"
                + " libc6:any (>> 2.36), foo [riscv64 amd64] <!nocheck>"))
                .containsExactly(
                        List.of(Relation.any("kmod")),
                        List.of(new Relation("initramfs-tools", ">=", DebianVersion.parse("0.120+deb8u2")),
                                Relation.any("linux-initramfs-tool")),
                        List.of(new Relation("libc6", ">>", DebianVersion.parse("2.36"))),
                        List.of(Relation.any("foo")));
    }

    @Test
    void choosesTheNewestVersionAndHonoursConstraints() throws IOException {
        List<PackageStanza> stanzas = new ArrayList<>();
        for (String version : List.of("6.12.94-1", "6.12.107-1", "6.12.99-1")) {
            stanzas.addAll(PackagesIndex.parse(new StringReader(stanza("linux-image-x", version, "riscv64", null))));
        }
        PackagesIndex index = new PackagesIndex(stanzas);

        assertThat(index.newest("linux-image-x")).get().extracting(PackageStanza::version).isEqualTo("6.12.107-1");
        assertThat(index.best(Relation.parseField("linux-image-x (= 6.12.99-1)").getFirst().getFirst()))
                .get().extracting(PackageStanza::version).isEqualTo("6.12.99-1");
        assertThat(index.best(Relation.parseField("linux-image-x (<< 6.12.99)").getFirst().getFirst()))
                .get().extracting(PackageStanza::version).isEqualTo("6.12.94-1");
        assertThat(index.best(Relation.parseField("linux-image-x (>> 7)").getFirst().getFirst())).isEmpty();
        assertThat(index.newest("absent")).isEmpty();
    }

    @Test
    void countsAPackageListedInTwoIndexesOnce() throws IOException {
        String opensbi = stanza("opensbi", "1.6-1", "all", null);
        List<PackageStanza> both = new ArrayList<>(PackagesIndex.parse(new StringReader(opensbi)));
        both.addAll(PackagesIndex.parse(new StringReader(opensbi)));

        assertThat(new PackagesIndex(both).newest("opensbi")).get().extracting(PackageStanza::version).isEqualTo("1.6-1");
    }
}
