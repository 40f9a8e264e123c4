package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.image.Sizes;
import jvirt.image.tool.Measure;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img measure [--output=human|json] [-O FMT] [-o OPTIONS] (--size SIZE | [-f FMT] FILE)} */
@Command(name = "measure", description = "How large a file a disk needs in a format: for its data, and fully allocated.")
final class MeasureCommand extends Subcommand {
    @Option(names = "-f", paramLabel = "FMT", description = "FILE's format (probed when left out).")
    String format;

    @Option(names = "-O", paramLabel = "FMT", defaultValue = "raw", description = "The format to measure for. Default: ${DEFAULT-VALUE}.")
    String targetFormat;

    @Option(names = "-o", paramLabel = "OPTIONS", description = "The target format's options.")
    String options;

    @Option(names = "--size", paramLabel = "SIZE", description = "Measure an empty disk of this size instead of FILE.")
    String size;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "human", description = "human or json.")
    String output;

    @Parameters(arity = "0..1", paramLabel = "FILE")
    Path file;

    @Override
    int execute() throws IOException {
        boolean json = json(output);
        if ((size == null) == (file == null)) {
            throw new IllegalArgumentException("give either --size or a FILE to measure");
        }
        Measure.Result r;
        if (file == null) {
            r = Measure.run(ImageFormats.byName(targetFormat), options(options), null, Sizes.parse(size));
        } else {
            try (BlockDevice in = open(file, format, OpenOptions.forReading())) {
                r = Measure.run(ImageFormats.byName(targetFormat), options(options), in, in.size());
            }
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            if (r.bitmaps() >= 0) {
                m.put("bitmaps", r.bitmaps());
            }
            m.put("required", r.required());
            m.put("fully-allocated", r.fullyAllocated());
            printJson(m);
        } else {
            out().println("required size: " + r.required());
            out().println("fully allocated size: " + r.fullyAllocated());
            if (r.bitmaps() >= 0) {
                out().println("bitmaps size: " + r.bitmaps());
            }
        }
        return 0;
    }
}
