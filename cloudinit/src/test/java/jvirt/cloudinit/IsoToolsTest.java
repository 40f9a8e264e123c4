package jvirt.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image as other ISO 9660 readers see it: xorriso (libisofs) and isoinfo (genisoimage). */
class IsoToolsTest {
    @TempDir
    Path dir;

    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private Path iso;

    @BeforeEach
    void write() throws IOException {
        byte[] binary = new byte[70_000];
        new Random(7).nextBytes(binary);
        files.put("user-data", "#cloud-config\nhostname: webserver-01\n".getBytes(StandardCharsets.UTF_8));
        files.put("meta-data", NoCloudSeed.metaData("iid-test", "webserver-01"));
        files.put("network-config", "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n".getBytes(StandardCharsets.UTF_8));
        files.put("vendor-data", binary);
        IsoImage image = new IsoImage(NoCloudSeed.VOLUME_ID, IsoImageTest.T);
        files.forEach(image::add);
        iso = dir.resolve("seed.iso");
        image.writeTo(iso);
    }

    private record Run(int exit, String out) {}

    private static Run run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(command[0] + " is not installed: run scripts/setup (it installs xorriso and genisoimage)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** The names isoinfo lists in the root, from lines ending "[ extent flags]  name". */
    private List<String> isoinfoNames(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("isoinfo"));
        command.addAll(List.of(options));
        command.addAll(List.of("-l", "-i", iso.toString()));
        Run r = run(command.toArray(String[]::new));
        assertThat(r.exit()).as(r.out()).isZero();
        return r.out().lines().filter(l -> l.contains("]  ")).map(l -> l.substring(l.indexOf("]  ") + 3).strip())
                .filter(n -> !n.equals(".") && !n.equals("..")).toList();
    }

    @Test
    void isoinfoSeesJolietAndRockRidge() throws Exception {
        Run d = run("isoinfo", "-d", "-i", iso.toString());
        assertThat(d.out()).contains("Volume id: cidata", "Joliet with UCS level 3 found", "Rock Ridge signatures version 1 found",
                "Logical block size is: 2048");
        assertThat(isoinfoNames("-J")).containsExactly("meta-data", "network-config", "user-data", "vendor-data");
        assertThat(isoinfoNames("-R")).containsExactly("meta-data", "network-config", "user-data", "vendor-data");
        assertThat(isoinfoNames()).containsExactly("META_DAT.;1", "NETWORK_.;1", "USER_DAT.;1", "VENDOR_D.;1");
        Run listing = run("isoinfo", "-R", "-l", "-i", iso.toString());
        assertThat(listing.out()).contains("-r--r--r--   1    0    0           70000", "dr-xr-xr-x   2    0    0");
        for (var f : files.entrySet()) {
            Process p = new ProcessBuilder("isoinfo", "-J", "-x", "/" + f.getKey(), "-i", iso.toString()).start();
            byte[] content = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(content).as(f.getKey()).isEqualTo(f.getValue());
        }
    }

    @Test
    void xorrisoReadsRockRidgeAndExtracts() throws Exception {
        Run find = run("xorriso", "-indev", iso.toString(), "-find", "/", "-exec", "lsdl");
        assertThat(find.exit()).as(find.out()).isZero();
        assertThat(find.out()).contains("Volume id    : 'cidata'", "'/user-data'", "'/meta-data'", "'/network-config'",
                "'/vendor-data'").doesNotContain("SORRY", "FAILURE", "WARNING");
        assertThat(find.out()).containsPattern("-r--r--r-- +1 0 +0 +70000 .*'/vendor-data'");

        Path out = dir.resolve("out");
        Run extract = run("osirrox", "-indev", iso.toString(), "-extract", "/", out.toString());
        assertThat(extract.exit()).as(extract.out()).isZero();
        for (var f : files.entrySet()) {
            assertThat(Files.readAllBytes(out.resolve(f.getKey()))).as(f.getKey()).isEqualTo(f.getValue());
        }
        Run check = run("xorriso", "-indev", iso.toString(), "-check_media", "--");
        assertThat(check.out()).containsPattern("Media region : +0 , +\\d+ , \\+ good");
    }

    @Test
    void xorrisoReadsJolietWithoutRockRidge() throws Exception {
        Run find = run("xorriso", "-rockridge", "off", "-indev", iso.toString(), "-find", "/", "-name", "*-*");
        assertThat(find.exit()).as(find.out()).isZero();
        assertThat(find.out()).contains("'/user-data'", "'/meta-data'", "'/network-config'", "'/vendor-data'");
    }
}
