package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code jvirt vm …} as a user runs it, each command its own process, with the tests' own JVIRT_HOME. */
final class VmCommands {
    private final Path home;
    private final long commandSeconds;

    VmCommands(Path home, long commandSeconds) {
        this.home = home;
        this.commandSeconds = commandSeconds;
    }

    record Result(int status, String out, String err) {
        Result expect(int expected) {
            assertThat(status).as("exit status; stdout:\n%s\nstderr:\n%s", out, err).isEqualTo(expected);
            assertThat(out + err).doesNotContain("Exception").doesNotContain("\tat ");
            return this;
        }
    }

    /** {@code java -jar target/jvirt.jar vm ARGS}, not started. */
    ProcessBuilder process(String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(Files.readString(Path.of("../scripts/jvm-options")).trim().split("\\s+")));
        command.addAll(List.of("-jar", "target/jvirt.jar", "vm"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("JVIRT_HOME", home.toString());
        return pb;
    }

    /** Runs {@code jvirt vm ARGS} to its end (at most the command time), stdin from /dev/null. */
    Result run(String... args) throws Exception {
        Process p = process(args).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(commandSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("jvirt vm " + String.join(" ", args) + " did not end within " + commandSeconds + " s");
        }
        return new Result(p.exitValue(), out.get(), err.get());
    }

    static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
