package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import jvirt.image.BlockDevice;
import jvirt.image.OpenOptions;
import jvirt.image.tool.Compare;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img compare [-f FMT] [-F FMT] [-s] [-p] [-q] FILE1 FILE2} */
@Command(name = "compare", description = "Check whether two disks read the same.",
        footer = {"", "Exit status: 0 identical; 1 different; 2 an error."})
final class CompareCommand extends Subcommand {
    @Option(names = "-f", paramLabel = "FMT", description = "FILE1's format.")
    String format1;

    @Option(names = "-F", paramLabel = "FMT", description = "FILE2's format.")
    String format2;

    @Option(names = "-s", description = "Strict: sizes and allocation must match too.")
    boolean strict;

    @Option(names = "-p", description = "Show progress.")
    boolean progress;

    @Option(names = "-q", description = "Quiet.")
    boolean quiet;

    @Option(names = {"-U", "--force-share"}, description = "Accepted for qemu-img compatibility.")
    boolean forceShare;

    @Parameters(index = "0", paramLabel = "FILE1")
    Path file1;

    @Parameters(index = "1", paramLabel = "FILE2")
    Path file2;

    @Override
    int errorStatus() {
        return 2;
    }

    @Override
    int execute() throws IOException {
        try (BlockDevice a = open(file1, format1, OpenOptions.forReading());
             BlockDevice b = open(file2, format2, OpenOptions.forReading())) {
            LongConsumer bar = progress(progress && !quiet, "comparing", Math.min(a.size(), b.size()));
            Compare.Result r;
            try {
                r = Compare.run(a, b, strict, bar);
            } finally {
                done(bar);
            }
            if (r.warning() != null && !quiet) {
                out().println(r.warning());
            }
            if (!quiet) {
                out().println(r.message());
            }
            return r.identical() ? 0 : 1;
        }
    }
}
