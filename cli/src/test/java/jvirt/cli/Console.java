package jvirt.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code jvirt} process driven through its console the way a person at a terminal would: wait
 * for text, type a line. Answers the cursor-position query ({@code ESC[6n}) busybox's shell sends,
 * as a real terminal does, so typed input is not taken for the answer.
 */
final class Console implements AutoCloseable {
    private static final String CURSOR_QUERY = "\u001b[6n";
    private static final Duration SHELL_COMMAND = Duration.ofMinutes(2);

    private final Process process;
    private final OutputStream in;
    private final StringBuilder seen = new StringBuilder();
    private final Thread reader;
    private int consumed;

    private Console(Process process) {
        this.process = process;
        this.in = process.getOutputStream();
        this.reader = Thread.ofPlatform().daemon().start(this::read);
    }

    /** Starts {@code java -jar target/jvirt.jar ARGS}, with the launcher's JVM options, stdout and stderr merged. */
    static Console start(List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(Files.readString(Path.of("../scripts/jvm-options")).trim().split("\\s+")));
        command.addAll(List.of("-jar", "target/jvirt.jar"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        return new Console(pb.start());
    }

    private void read() {
        byte[] buf = new byte[8192];
        try (InputStream out = process.getInputStream()) {
            int n;
            while ((n = out.read(buf)) > 0) {
                String text = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                synchronized (this) {
                    seen.append(text);
                    if (seen.indexOf(CURSOR_QUERY, Math.max(0, seen.length() - text.length() - 4)) >= 0) {
                        answerCursorQuery();
                    }
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // The process ended.
        }
    }

    private void answerCursorQuery() {
        try {
            in.write("\u001b[24;1R".getBytes(StandardCharsets.US_ASCII));
            in.flush();
        } catch (IOException e) {
            // The process ended.
        }
    }

    /** Waits until {@code text} appears after what was already waited for; returns everything up to it. */
    synchronized String await(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int at;
        while ((at = seen.indexOf(text, consumed)) < 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                throw new AssertionError("did not see '" + text + "' within " + timeout + "; console so far:\n"
                        + tail(seen, 3000));
            }
            wait(Math.max(1, Math.min(500, left / 1_000_000)));
        }
        String before = seen.substring(consumed, at + text.length());
        consumed = at + text.length();
        return before;
    }

    /**
     * Runs a line in the guest's shell and returns what it printed, found between two markers the
     * shell computes (so the echo of the typed line is never taken for its output).
     */
    String shell(String line) throws IOException, InterruptedException {
        type("echo @@$((1+1))@@; " + line + "; echo @@$((2+1))@@");
        await("@@2@@", SHELL_COMMAND);
        String out = await("@@3@@", SHELL_COMMAND);
        await("# ", SHELL_COMMAND);
        return out.substring(0, out.length() - "@@3@@".length()).replace("\r\n", "\n").strip();
    }

    /** Types a line. */
    void type(String line) throws IOException {
        send(line + "\n");
    }

    /** Types keys as they are, with no newline (Ctrl-A is "\u0001"). */
    void send(String keys) throws IOException {
        in.write(keys.getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** Waits for the process to end and returns its exit status. */
    int exitCode(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("jvirt did not exit within " + timeout + "; console:\n" + tail(seen, 3000));
        }
        reader.join(5000);
        return process.exitValue();
    }

    synchronized String output() {
        return seen.toString();
    }

    private static String tail(CharSequence s, int n) {
        return s.subSequence(Math.max(0, s.length() - n), s.length()).toString();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
