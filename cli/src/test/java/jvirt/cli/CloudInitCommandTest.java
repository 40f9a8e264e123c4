package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jvirt cloud-init seed}, in process. */
class CloudInitCommandTest {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private Run jvirt(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("cloud-init", "seed"));
        all.addAll(List.of(args));
        return new Run(cli.execute(all.toArray(String[]::new)), out.toString(), err.toString());
    }

    private String file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content).toString();
    }

    /** A file of the image as isoinfo extracts it through Joliet. */
    private String extract(Path iso, String name) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("isoinfo", "-J", "-x", "/" + name, "-i", iso.toString()).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("isoinfo is not installed: run scripts/setup", e);
        }
        String content = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return content;
    }

    @Test
    void writesTheSeed() throws Exception {
        String user = "#cloud-config\nhostname: webserver-01\npackages: [nginx, ufw]\n";
        Path iso = dir.resolve("seed.iso");
        Run r = jvirt("--user-data", file("user.yaml", user), "--hostname", "webserver-01", "--instance-id", "iid-web",
                "--network-config", file("net.yaml", "version: 2\n"), "-o", iso.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo(iso.toString());
        assertThat(extract(iso, "user-data")).isEqualTo(user);
        assertThat(extract(iso, "meta-data")).isEqualTo("instance-id: iid-web\nlocal-hostname: webserver-01\n");
        assertThat(extract(iso, "network-config")).isEqualTo("version: 2\n");
    }

    @Test
    void aFreshInstanceIdAndNoHostnameByDefault() throws Exception {
        Path iso = dir.resolve("seed.iso");
        assertThat(jvirt("--user-data", file("u", "#!/bin/sh\necho hi\n"), "-o", iso.toString()).exit()).isZero();
        assertThat(extract(iso, "meta-data")).matches("instance-id: iid-[0-9a-f-]{36}\n");
        Path given = dir.resolve("given.iso");
        assertThat(jvirt("--user-data", file("u2", "#cloud-config\n"), "--meta-data", file("m", "instance-id: x\n"),
                "-o", given.toString()).exit()).isZero();
        assertThat(extract(given, "meta-data")).isEqualTo("instance-id: x\n");
    }

    @Test
    void problemsOneALineAndNoImage() throws Exception {
        Path iso = dir.resolve("seed.iso");
        Run r = jvirt("--user-data", file("u", "#cloud-config\nhostname: [a]\npackage_update: maybe\n"),
                "--vendor-data", file("v", "nothing known\n"), "-o", iso.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().lines()).containsExactly(
                "jvirt: user-data line 2, column 1: hostname must be a string, not a list",
                "jvirt: user-data line 3, column 1: package_update must be true or false, not a string",
                "jvirt: vendor-data line 1, column 1: starts with none of cloud-init's formats: '#cloud-config' (YAML),"
                        + " '#!' (a script), a MIME multipart 'Content-Type: multipart/…' header, '#include',"
                        + " '#cloud-boothook', '#part-handler' or '## template: jinja'");
        assertThat(iso).doesNotExist();

        Run yaml = jvirt("--user-data", file("y", "#cloud-config\nusers: [a\n"), "-o", iso.toString());
        assertThat(yaml.err()).matches("jvirt: user-data line 3, column 1: [^\n]*\n");
        assertThat(jvirt("--user-data", dir.resolve("missing").toString(), "-o", iso.toString()).err())
                .isEqualTo("jvirt: " + dir.resolve("missing") + ": no such file\n");
        assertThat(jvirt("--user-data", file("h", "#cloud-config\n"), "--hostname", "bad_name", "-o", iso.toString()).err())
                .startsWith("jvirt: hostname 'bad_name': ");
        assertThat(iso).doesNotExist();
    }
}
