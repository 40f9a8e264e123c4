package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import jvirt.image.tool.Rebase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img rebase [-f FMT] [-u] [-p] [-q] -b BACKING [-F FMT] FILE} */
@Command(name = "rebase", description = {"Change an image's backing file. Safe mode (the default) first copies into",
    "the image whatever the old and new backing files disagree on; -u only changes the name.",
    "-b \"\" removes the backing file."})
final class RebaseCommand extends Subcommand {
    @Option(names = "-f", paramLabel = "FMT", description = "The image's format (qcow2).")
    String format;

    @Option(names = "-b", paramLabel = "BACKING", required = true,
            description = "The new backing file, relative to FILE's folder; \"\" for none.")
    String backing;

    @Option(names = "-F", paramLabel = "FMT", description = "The new backing file's format (probed when left out).")
    String backingFormat;

    @Option(names = "-u", description = "Unsafe: change the name only.")
    boolean unsafe;

    @Option(names = "-p", description = "Show progress.")
    boolean progress;

    @Option(names = "-q", description = "Quiet.")
    boolean quiet;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    int execute() throws IOException {
        if (format != null && !format.equals("qcow2")) {
            throw new IllegalArgumentException("only qcow2 images can be rebased");
        }
        LongConsumer bar = progress(progress && !quiet && !unsafe, "rebasing " + file.getFileName(), -1);
        try {
            Rebase.run(file, backing.isEmpty() ? null : backing, format(backingFormat), unsafe, bar);
        } finally {
            done(bar);
        }
        return 0;
    }
}
