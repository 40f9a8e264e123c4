package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import jvirt.image.BlockDevice;
import jvirt.image.OpenOptions;
import jvirt.image.Sizes;
import jvirt.image.tool.Bench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img bench [-c N] [-d DEPTH] [-f FMT] [-o OFFSET] [-s SIZE] [-S STEP] [-w] [--pattern N] [--flush-interval N] [--random] FILE} */
@Command(name = "bench", description = "Time many reads or writes of one size against a disk, as qemu-img bench does.")
final class BenchCommand extends Subcommand {
    @Option(names = "-c", paramLabel = "COUNT", defaultValue = "75000", description = "Requests. Default: ${DEFAULT-VALUE}.")
    long count;

    @Option(names = "-d", paramLabel = "DEPTH", defaultValue = "64", description = "Requests in flight (threads). Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = "-f", paramLabel = "FMT", description = "Format (probed when left out).")
    String format;

    @Option(names = "-o", paramLabel = "OFFSET", defaultValue = "0", description = "First offset. Default: ${DEFAULT-VALUE}.")
    String offset;

    @Option(names = "-s", paramLabel = "SIZE", defaultValue = "4k", description = "Bytes per request. Default: ${DEFAULT-VALUE}.")
    String size;

    @Option(names = "-S", paramLabel = "STEP", description = "Offset step between requests. Default: SIZE.")
    String step;

    @Option(names = "-w", description = "Write instead of reading.")
    boolean write;

    @Option(names = "--pattern", paramLabel = "N", defaultValue = "0", description = "Byte written with -w. Default: ${DEFAULT-VALUE}.")
    int pattern;

    @Option(names = "--flush-interval", paramLabel = "N", defaultValue = "0", description = "Flush after every N writes.")
    long flushInterval;

    @Option(names = "--random", description = "Random SIZE-aligned offsets instead of steps (jvirt's addition).")
    boolean random;

    @Option(names = {"-t", "-i", "-n", "-q"}, description = "Accepted for qemu-img compatibility (cache mode, AIO, quiet).")
    String[] ignored;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    int execute() throws IOException {
        int bytes = Math.toIntExact(Sizes.parse(size));
        long stepBytes = step == null ? bytes : Sizes.parse(step);
        if (depth < 1 || count < 1) {
            throw new IllegalArgumentException("-c and -d must be positive");
        }
        Bench.Options o = new Bench.Options(write, count, depth, bytes, stepBytes, Sizes.parse(offset), random,
                (byte) pattern, flushInterval);
        try (BlockDevice d = open(file, format, write ? OpenOptions.forWriting() : OpenOptions.forReading())) {
            out().println("Sending " + count + " " + (write ? "write" : "read") + " requests, " + bytes + " bytes each, "
                    + depth + " in parallel (starting at offset " + o.offset() + ", "
                    + (random ? "random offsets" : "step size " + stepBytes) + ")");
            double seconds = Bench.run(d, o);
            out().println(String.format(Locale.ROOT, "Run completed in %.3f seconds.", seconds));
        }
        return 0;
    }
}
