package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.image.Sizes;
import jvirt.image.tool.Convert;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img convert [-c] [-p] [-q] [-n] [-f FMT] [-O FMT] [-o OPTIONS] [-B BACKING [-F FMT]] [-S SIZE] SOURCE TARGET} */
@Command(name = "convert", description = "Copy a disk into a new image, in any format; zeros are not written.")
final class ConvertCommand extends Subcommand {
    @Option(names = "-f", paramLabel = "FMT", description = "The source's format (probed when left out).")
    String format;

    @Option(names = "-O", paramLabel = "FMT", defaultValue = "raw", description = "The target's format. Default: ${DEFAULT-VALUE}.")
    String targetFormat;

    @Option(names = "-o", paramLabel = "OPTIONS", description = "The target's format options (as for create).")
    String options;

    @Option(names = "-c", description = "Compress the target's clusters (qcow2).")
    boolean compress;

    @Option(names = "-p", description = "Show progress.")
    boolean progress;

    @Option(names = "-q", description = "Quiet.")
    boolean quiet;

    @Option(names = "-n", description = "Do not create the target: write into an existing image.")
    boolean targetExists;

    @Option(names = "-B", paramLabel = "BACKING", description = "Create the target as an overlay of BACKING;"
            + " only what the source's top image holds is copied.")
    String backing;

    @Option(names = "-F", paramLabel = "FMT", description = "The format of -B's backing file.")
    String backingFormat;

    @Option(names = "-S", paramLabel = "SIZE", defaultValue = "4k",
            description = "Runs of zeros at least this long are not written (0: write everything). Default: ${DEFAULT-VALUE}.")
    String sparse;

    @Option(names = {"-U", "--force-share"}, description = "Accepted for qemu-img compatibility.")
    boolean forceShare;

    @Parameters(index = "0", paramLabel = "SOURCE")
    Path source;

    @Parameters(index = "1", paramLabel = "TARGET")
    Path target;

    @Override
    int execute() throws IOException {
        Convert.Options o = new Convert.Options(ImageFormats.byName(targetFormat), options(options), compress,
                Sizes.parse(sparse), targetExists, backing, backingFormat);
        if (source.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the source and the target are the same file");
        }
        try (BlockDevice in = open(source, format, OpenOptions.forReading())) {
            LongConsumer bar = progress(progress && !quiet, "converting " + source.getFileName(), in.size());
            try {
                Convert.run(in, target, o, bar);
            } finally {
                done(bar);
            }
        }
        return 0;
    }
}
