package jvirt.cli.img;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import jvirt.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jvirt img} against {@code qemu-img} on the same files: the same JSON, the same exit
 * codes, and operations whose results qemu-img reads back as it would its own.
 */
class ImgCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    private Run jvirt(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("img"));
        all.addAll(List.of(args));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    private Run qemu(String tool, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err);
    }

    private String path(String name) {
        return dir.resolve(name).toString();
    }

    /** A base with data and zeros, an overlay with its own writes, and a snapshot: most of what info shows. */
    private void chain() throws Exception {
        assertThat(jvirt("create", "-q", "-f", "qcow2", path("base.qcow2"), "16M").exit()).isZero();
        qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 1M", "-c", "write -z 4M 1M", path("base.qcow2"));
        assertThat(jvirt("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", path("ov.qcow2")).exit()).isZero();
        qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0x22 512k 100k", "-c", "write -P 0x33 15M 1M", path("ov.qcow2"));
        assertThat(jvirt("snapshot", "-c", "s1", path("ov.qcow2")).exit()).isZero();
    }

    @Test
    void infoJsonIsQemuImgs() throws Exception {
        chain();
        JsonNode mine = jvirt("info", "--output=json", "--backing-chain", path("ov.qcow2")).json();
        JsonNode theirs = qemu("qemu-img", "info", "--output=json", "--backing-chain", path("ov.qcow2")).json();
        assertThat(mine.size()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            ObjectNode a = (ObjectNode) mine.get(i);
            ObjectNode b = (ObjectNode) theirs.get(i);
            assertThat(a.toString()).isEqualTo(b.toString());
        }
        Run human = jvirt("info", path("ov.qcow2"));
        Run qemuHuman = qemu("qemu-img", "info", path("ov.qcow2"));
        assertThat(human.out()).isEqualTo(qemuHuman.out());
    }

    @Test
    void mapCheckAndMeasureAreQemuImgs() throws Exception {
        chain();
        for (String[] args : List.of(new String[] {"map", "--output=json", path("ov.qcow2")},
                new String[] {"map", path("ov.qcow2")},
                new String[] {"check", "--output=json", path("ov.qcow2")},
                new String[] {"check", path("base.qcow2")},
                new String[] {"measure", "-O", "qcow2", path("ov.qcow2")},
                new String[] {"measure", "--output=json", "-O", "qcow2", "-o", "cluster_size=2M", "--size", "100G"},
                new String[] {"measure", "-O", "raw", "--size", "1G"})) {
            Run mine = jvirt(args);
            Run theirs = qemu("qemu-img", args);
            assertThat(mine.exit()).as(String.join(" ", args)).isEqualTo(theirs.exit());
            assertThat(mine.out()).as(String.join(" ", args)).isEqualTo(theirs.out());
        }
    }

    @Test
    void checkExitCodesFollowQemuImg() throws Exception {
        assertThat(jvirt("create", "-q", "-f", "qcow2", path("a.qcow2"), "10M").exit()).isZero();
        qemu("qemu-io", "-f", "qcow2", "-c", "write -P 1 0 64k", "-c", "write -P 2 1M 64k", path("a.qcow2"));
        byte[] bytes = Files.readAllBytes(dir.resolve("a.qcow2"));
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes);
        long block = b.getLong((int) b.getLong(48));
        b.putShort((int) block + 2 * 20, (short) 0); // nothing past the file's end: not a leak
        b.putShort((int) block + 2 * 4, (short) 2); // the L2 table counted twice: a leak (and a COPIED error)
        Files.write(dir.resolve("leak.qcow2"), bytes);
        b.putShort((int) block + 2 * 4, (short) 1).putShort((int) block + 2 * 5, (short) 2);
        b.putShort((int) block + 2 * 6, (short) 0);
        Files.write(dir.resolve("bad.qcow2"), bytes);
        for (String name : List.of("leak.qcow2", "bad.qcow2")) {
            Run mine = jvirt("check", "--output=json", path(name));
            Run theirs = qemu("qemu-img", "check", "--output=json", path(name));
            assertThat(mine.exit()).as(name + mine.err()).isEqualTo(theirs.exit());
            assertThat(mine.out()).as(name).isEqualTo(theirs.out());
        }
        Files.copy(dir.resolve("bad.qcow2"), dir.resolve("bad2.qcow2"));
        Run repaired = jvirt("check", "-r", "all", path("bad2.qcow2"));
        assertThat(repaired.exit()).as(repaired.out() + repaired.err()).isZero();
        assertThat(repaired.out()).contains("Double checking the fixed image now...").contains("No errors were found");
        assertThat(qemu("qemu-img", "check", path("bad2.qcow2")).exit()).isZero();
        Files.write(dir.resolve("r.raw"), new byte[4096]);
        assertThat(jvirt("check", "-f", "raw", path("r.raw")).exit()).isEqualTo(63);
    }

    @Test
    void convertRoundTripsCompareEqualBothWays() throws Exception {
        byte[] data = new byte[6 << 20];
        Random r = new Random(5);
        for (int i = 0; i < 40; i++) {
            int at = r.nextInt(data.length - 65536);
            for (int j = 0; j < 30000; j++) {
                data[at + j] = (byte) (i + j / 300);
            }
        }
        Files.write(dir.resolve("src.raw"), data);
        assertThat(jvirt("convert", "-f", "raw", "-O", "qcow2", path("src.raw"), path("j.qcow2")).exit()).isZero();
        assertThat(jvirt("convert", "-c", "-f", "raw", "-O", "qcow2", path("src.raw"), path("jc.qcow2")).exit()).isZero();
        assertThat(jvirt("convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "compression_type=zstd", path("src.raw"),
                path("jz.qcow2")).exit()).isZero();
        qemu("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", path("src.raw"), path("qc.qcow2"));
        assertThat(Files.readAllBytes(dir.resolve("jc.qcow2"))).as("compressed as qemu-img compresses")
                .isEqualTo(Files.readAllBytes(dir.resolve("qc.qcow2")));
        for (String image : List.of("j.qcow2", "jc.qcow2", "jz.qcow2")) {
            assertThat(qemu("qemu-img", "check", path(image)).exit()).isZero();
            assertThat(qemu("qemu-img", "compare", "-F", "raw", path(image), path("src.raw")).exit()).as(image).isZero();
            assertThat(jvirt("compare", "-F", "raw", path(image), path("src.raw")).out()).isEqualTo("Images are identical.\n");
        }
        qemu("qemu-img", "convert", "-O", "qcow2", path("src.raw"), path("q.qcow2"));
        assertThat(jvirt("convert", "-O", "raw", path("q.qcow2"), path("back.raw")).exit()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("back.raw"))).isEqualTo(data);
        data[5 << 20] ^= 1;
        Files.write(dir.resolve("changed.raw"), data);
        Run differ = jvirt("compare", "-F", "raw", path("j.qcow2"), path("changed.raw"));
        Run qemuDiffer = qemu("qemu-img", "compare", "-F", "raw", path("j.qcow2"), path("changed.raw"));
        assertThat(differ.exit()).isEqualTo(1).isEqualTo(qemuDiffer.exit());
        assertThat(differ.out()).isEqualTo(qemuDiffer.out());
        assertThat(jvirt("compare", path("j.qcow2"), path("missing.qcow2")).exit()).isEqualTo(2);
    }

    @Test
    void resizeRebaseAndCommitDoWhatQemuImgDoes() throws Exception {
        chain();
        assertThat(jvirt("resize", path("ov.qcow2"), "+8M").out()).isEqualTo("Image resized.\n");
        assertThat(qemu("qemu-img", "info", "--output=json", path("ov.qcow2")).json().get("virtual-size").asLong())
                .isEqualTo(24L << 20);
        Run refused = jvirt("resize", path("ov.qcow2"), "-1M");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("--shrink");
        qemu("qemu-img", "snapshot", "-d", "s1", path("ov.qcow2"));
        assertThat(jvirt("resize", "--shrink", path("ov.qcow2"), "-4M").exit()).isZero();

        // Rebase onto nothing: the overlay takes in everything it read from the base.
        qemu("qemu-img", "convert", "-O", "raw", path("ov.qcow2"), path("expected.raw"));
        Run rebased = jvirt("rebase", "-b", "", path("ov.qcow2"));
        assertThat(rebased.exit()).as(rebased.err()).isZero();
        assertThat(qemu("qemu-img", "info", "--output=json", path("ov.qcow2")).json().has("backing-filename")).isFalse();
        assertThat(qemu("qemu-img", "compare", "-F", "raw", path("ov.qcow2"), path("expected.raw")).exit()).isZero();
        assertThat(qemu("qemu-img", "check", path("ov.qcow2")).exit()).isZero();

        // Commit an overlay into its base: the base then reads as the overlay did.
        assertThat(jvirt("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", path("top.qcow2")).exit()).isZero();
        qemu("qemu-io", "-f", "qcow2", "-c", "write -P 0x44 2M 3M", "-c", "write -z 0 64k", path("top.qcow2"));
        qemu("qemu-img", "convert", "-O", "raw", path("top.qcow2"), path("top.raw"));
        Run committed = jvirt("commit", path("top.qcow2"));
        assertThat(committed.out()).isEqualTo("Image committed.\n");
        assertThat(qemu("qemu-img", "compare", "-F", "raw", path("base.qcow2"), path("top.raw")).exit()).isZero();
        assertThat(qemu("qemu-img", "compare", "-F", "raw", path("top.qcow2"), path("top.raw")).exit()).isZero();
        assertThat(qemu("qemu-img", "check", path("base.qcow2")).exit()).isZero();
        assertThat(qemu("qemu-img", "check", path("top.qcow2")).exit()).isZero();
        assertThat(qemu("qemu-img", "map", "--output=json", path("top.qcow2")).out()).doesNotContain("\"depth\": 0");

        // Rebase -u only changes the name.
        Files.move(dir.resolve("base.qcow2"), dir.resolve("moved.qcow2"));
        assertThat(jvirt("rebase", "-u", "-b", "moved.qcow2", "-F", "qcow2", path("top.qcow2")).exit()).isZero();
        assertThat(qemu("qemu-img", "compare", "-F", "raw", path("top.qcow2"), path("top.raw")).exit()).isZero();
    }

    @Test
    void badInputIsOneLineAndNonZero() throws Exception {
        Files.write(dir.resolve("junk.qcow2"), new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3, 1, 2});
        for (String[] args : List.of(new String[] {"info", path("junk.qcow2")},
                new String[] {"info", path("missing.qcow2")},
                new String[] {"create", "-f", "qcow2", path("x.qcow2"), "12Q"},
                new String[] {"create", "-f", "qcow2", "-o", "cluster_size=1000", path("x.qcow2"), "1M"},
                new String[] {"create", "-f", "qcow2", "-o", "bogus=1", path("x.qcow2"), "1M"},
                new String[] {"create", "-f", "floppy", path("x.img"), "1M"},
                new String[] {"convert", "-O", "qcow2", path("missing.raw"), path("y.qcow2")},
                new String[] {"snapshot", "-a", "nope", path("junk.qcow2")})) {
            Run r = jvirt(args);
            assertThat(r.exit()).as(String.join(" ", args)).isNotZero();
            assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }
}
