package jvirt.cli.img;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import jvirt.cli.KeyValues;
import jvirt.cli.TerminalProgress;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormat;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every {@code jvirt img} subcommand shares: opening images by name and optional format,
 * {@code -o} lists, JSON laid out as qemu-img lays it out, progress bars, and turning errors into
 * one line and qemu-img's exit code.
 */
abstract class Subcommand implements Callable<Integer> {
    private static final ObjectWriter JSON = new ObjectMapper().writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("    ", "\n"))
            .withArrayIndenter(new DefaultIndenter("    ", "\n"))
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

    @Spec
    CommandSpec spec;

    /** Does the work; returns the exit status. */
    abstract int execute() throws IOException;

    /** The exit status for an error (qemu-img: 1; compare: 2). */
    int errorStatus() {
        return 1;
    }

    @Override
    public final Integer call() {
        try {
            int status = execute();
            out().flush();
            return status;
        } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
            out().flush();
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            err().println("jvirt: " + message.lines().findFirst().orElse(message));
            err().flush();
            return errorStatus();
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    static ImageFormat format(String name) {
        return name == null ? null : ImageFormats.byName(name);
    }

    static BlockDevice open(Path path, String format, OpenOptions options) throws IOException {
        return ImageFormats.open(path, format(format), options);
    }

    static Map<String, String> options(String spec) {
        return spec == null || spec.isEmpty() ? Map.of() : KeyValues.parse(spec, "-o", java.util.List.of());
    }

    /** {@code human} or {@code json}, as {@code --output} takes them. */
    static boolean json(String output) {
        return switch (output) {
            case "json" -> true;
            case "human" -> false;
            default -> throw new IllegalArgumentException("--output must be human or json, not '" + output + "'");
        };
    }

    void printJson(Object value) {
        try {
            out().println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A progress bar on stderr when {@code show}, as {@code -p} asks; it ends with {@link #done}. */
    static LongConsumer progress(boolean show, String what, long total) {
        if (!show) {
            return n -> { };
        }
        TerminalProgress p = TerminalProgress.onStderr();
        p.begin(what, total);
        return new Bar(p);
    }

    static void done(LongConsumer progress) {
        if (progress instanceof Bar bar) {
            bar.progress.done();
        }
    }

    private record Bar(TerminalProgress progress) implements LongConsumer {
        @Override
        public void accept(long n) {
            progress.advance(n);
        }
    }
}
