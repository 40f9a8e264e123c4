package jvirt.guest.cloud;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The host programs the cloud image is made with (debootstrap, fakeroot, e2fsprogs): found on the
 * {@code PATH} and in the system directories a user's {@code PATH} often lacks, and run with their
 * output read line by line.
 */
final class HostTools {
    /** debootstrap, mke2fs and zerofree live in sbin, which is not on an ordinary user's PATH on Debian. */
    private static final List<String> SYSTEM_DIRECTORIES = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");
    private static final int LINES_KEPT = 20;

    private HostTools() {
    }

    /** The program's path; an error naming the Debian package that has it otherwise. */
    static Path require(String program, String debianPackage) throws IOException {
        return find(program).orElseThrow(() -> new IOException(program + " is not installed, and building the cloud"
                + " image needs it; install it ('sudo apt-get install " + debianPackage + "', or run scripts/setup)"));
    }

    static Optional<Path> find(String program) {
        List<String> directories = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(":")));
        }
        directories.addAll(SYSTEM_DIRECTORIES);
        return directories.stream()
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, program))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /**
     * Runs {@code command} with stdin from /dev/null, its stdout and stderr together line by line to
     * {@code lines}; a non-zero exit is an IOException that ends with the program's last lines.
     */
    static void run(List<String> command, Path directory, Consumer<String> lines) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().put("LC_ALL", "C.UTF-8");
        Process process = builder.start();
        Deque<String> last = new ArrayDeque<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.accept(line);
                last.addLast(line);
                if (last.size() > LINES_KEPT) {
                    last.removeFirst();
                }
            }
            int status = process.waitFor();
            if (status != 0) {
                throw new IOException(Path.of(command.getFirst()).getFileName() + " failed (exit status " + status + "): "
                        + String.join(" / ", lastMeaningful(last)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.getFirst(), e);
        } finally {
            process.destroyForcibly();
        }
    }

    /** The last few lines, the ones that say why; at most three. */
    private static List<String> lastMeaningful(Deque<String> lines) {
        List<String> nonBlank = lines.stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return nonBlank.subList(Math.max(0, nonBlank.size() - 3), nonBlank.size());
    }
}
