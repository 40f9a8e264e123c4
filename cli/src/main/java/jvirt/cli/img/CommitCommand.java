package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import jvirt.image.tool.Commit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img commit [-f FMT] [-d] [-p] [-q] FILE} */
@Command(name = "commit", description = "Write an overlay's changes into its backing file, then empty the overlay.")
final class CommitCommand extends Subcommand {
    @Option(names = "-f", paramLabel = "FMT", description = "The image's format (qcow2).")
    String format;

    @Option(names = "-d", description = "Keep the overlay's contents instead of emptying it.")
    boolean keep;

    @Option(names = "-p", description = "Show progress.")
    boolean progress;

    @Option(names = "-q", description = "Quiet.")
    boolean quiet;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    int execute() throws IOException {
        if (format != null && !format.equals("qcow2")) {
            throw new IllegalArgumentException("only qcow2 images can be committed");
        }
        LongConsumer bar = progress(progress && !quiet, "committing " + file.getFileName(), -1);
        try {
            Commit.run(file, keep, bar);
        } finally {
            done(bar);
        }
        if (!quiet) {
            out().println("Image committed.");
        }
        return 0;
    }
}
