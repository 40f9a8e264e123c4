package jvirt.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's qemu-img and qemu-io, the peers jvirt's images are checked against. */
public final class QemuImg {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run printed and how it ended. */
    public record Result(int exit, String out, String err) {
        public JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    private QemuImg() {
    }

    public static Result run(String... args) throws IOException {
        return exec("qemu-img", args);
    }

    /** Runs qemu-img and fails the test unless it exits 0. */
    public static Result ok(String... args) throws IOException {
        Result r = run(args);
        if (r.exit != 0) {
            throw new AssertionError("qemu-img " + String.join(" ", args) + " exited " + r.exit + ": " + r.err + r.out);
        }
        return r;
    }

    /** qemu-io commands (e.g. {@code write -P 0xaa 0 64k}) on an image, which must succeed. */
    public static void io(Path image, String format, String... commands) throws IOException {
        List<String> args = new ArrayList<>(List.of("-f", format));
        for (String c : commands) {
            args.add("-c");
            args.add(c);
        }
        args.add(image.toString());
        Result r = exec("qemu-io", args.toArray(String[]::new));
        if (r.exit != 0 || r.out.contains("error") || r.err.contains("error")) {
            throw new AssertionError("qemu-io " + args + " failed: " + r.err + r.out);
        }
    }

    private static Result exec(String tool, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(tool);
        command.addAll(List.of(args));
        Path out = Files.createTempFile("qemu", ".out");
        Path err = Files.createTempFile("qemu", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(tool + " " + String.join(" ", args) + " did not finish in 120 s");
            }
            // Decoded leniently: qemu-img echoes bytes of hostile images that are not UTF-8.
            return new Result(p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
                    new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
