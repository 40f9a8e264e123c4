package jvirt.image.formats;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Debian's {@code qemu-img} as the oracle: run with a timeout, its JSON read with small regexes. */
public final class QemuImg {
    public static final Path BINARY = Path.of("/usr/bin/qemu-img");
    private static final long TIMEOUT_SECONDS = 60;

    private QemuImg() {
    }

    public static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** What a run printed (stdout and stderr together) and how it exited. */
    public record Result(int exitCode, String output) {
    }

    public static Result run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(BINARY.toString());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("qemu-img " + String.join(" ", args) + " ran past " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), out.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Runs qemu-img and fails the test unless it exits 0; returns what it printed. */
    public static String ok(String... args) {
        Result r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("qemu-img " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }

    /** {@code qemu-img info --output=json}, as text. */
    public static String infoJson(Path image, String format) {
        return ok("info", "--output=json", "-f", format, image.toString());
    }

    /** The first number printed for {@code key} (top-level keys come first in qemu-img's JSON); -1 when absent. */
    public static long number(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (-?\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The first string printed for {@code key}, or null. */
    public static String string(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": \"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    /** Every number printed for {@code key}, in order. */
    public static List<Long> numbers(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\": (-?\\d+)").matcher(json);
        List<Long> out = new ArrayList<>();
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }

    /** One entry of {@code qemu-img map --output=json}; offset is -1 where none is printed. */
    public record MapEntry(long start, long length, boolean present, boolean zero, boolean data, long offset) {
        public long end() {
            return start + length;
        }
    }

    public static List<MapEntry> map(Path image, String format) {
        String json = ok("map", "--output=json", "-f", format, image.toString());
        List<MapEntry> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\{([^}]*)\\}").matcher(json);
        while (m.find()) {
            String e = m.group(1);
            out.add(new MapEntry(number(e, "start"), number(e, "length"), bool(e, "present"), bool(e, "zero"),
                    bool(e, "data"), number(e, "offset")));
        }
        return out;
    }

    private static boolean bool(String json, String key) {
        return json.contains("\"" + key + "\": true");
    }
}
