package jvirt.guest.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudRecipeTest {
    @TempDir
    Path dir;

    @Test
    void theGuestScriptsGetTheirValuesAsShellAssignmentsTheyCannotMisread() throws Exception {
        String environment = new CloudRecipe("x", CloudRecipe.PACKAGES, "it's-root", 1 << 30)
                .environment(URI.create("http://mirror.example/debian's/"), Optional.of(URI.create("http://s.example/ds")));
        Path script = Files.writeString(dir.resolve("env.sh"), environment
                + "printf '%s|%s|%s|%s|%s' \"$MIRROR\" \"$SECURITY\" \"$SUITE\" \"$LABEL\" \"$BUILD_DPKG_CONFIG\"\n");

        Process sh = new ProcessBuilder("sh", script.toString()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sh.getInputStream().transferTo(out);

        assertThat(sh.waitFor()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("http://mirror.example/debian's/|http://s.example/ds|trixie|it's-root|jvirt-build");
    }

    @Test
    void theImageBootsItsRootByLabelOnTheSerialConsole() {
        CloudRecipe recipe = CloudRecipe.debian13();

        assertThat(recipe.name()).isEqualTo("debian-13-riscv64-cloud");
        assertThat(recipe.append()).isEqualTo("root=LABEL=jvirt-root ro console=ttyS0");
        assertThat(recipe.packages()).contains("cloud-init", "openssh-server", "qemu-guest-agent", "systemd-sysv",
                "linux-image-riscv64", "initramfs-tools", "apt", "python3-cffi-backend");
    }

    @Test
    void theScriptsTheGuestRunsAreShippedAndSayHowTheyEnd() throws Exception {
        for (String name : new String[] {"second-stage", "configure"}) {
            try (var in = CloudRecipe.class.getResourceAsStream("/jvirt/guest/cloud/" + name)) {
                assertThat(in).as(name).isNotNull();
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                Path file = Files.writeString(dir.resolve(name), text);
                Process check = new ProcessBuilder("sh", "-n", file.toString()).redirectErrorStream(true).start();
                assertThat(check.waitFor()).as(name + " parses: " + new String(check.getInputStream().readAllBytes())).isZero();
            }
        }
        String stage = new String(CloudRecipe.class.getResourceAsStream("/jvirt/guest/cloud/second-stage").readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(stage).contains("echo \"" + SecondStage.DONE).contains("echo \"" + SecondStage.FAILED.strip());
    }

    @Test
    void deletingTheWorkTreeCopesWithDirectoriesLeftWithoutWritePermission() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work/root/proc"));
        Files.writeString(work.resolve("file"), "x");
        work.toFile().setWritable(false);

        CloudRecipe.deleteTree(dir.resolve("work"));

        assertThat(dir.resolve("work")).doesNotExist();
    }
}
