package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import jvirt.image.BlockDevice;
import jvirt.image.OpenOptions;
import jvirt.image.Sizes;
import jvirt.image.host.HostFile;
import jvirt.image.qcow2.Qcow2Image;
import jvirt.image.raw.RawImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img resize [-f FMT] [--shrink] [-q] FILE [+|-]SIZE} */
@Command(name = "resize", description = "Grow or shrink a disk (SIZE absolute, or +SIZE / -SIZE relative).")
final class ResizeCommand extends Subcommand {
    @Option(names = "-f", paramLabel = "FMT", description = "Format (probed when left out).")
    String format;

    @Option(names = "--shrink", description = "Allow shrinking: what lies past the new end is lost.")
    boolean shrink;

    @Option(names = "-q", description = "Quiet.")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Parameters(index = "1", paramLabel = "SIZE")
    String size;

    @Override
    int execute() throws IOException {
        long newSize;
        boolean raw;
        try (BlockDevice d = open(file, format, OpenOptions.forWriting().withoutBacking())) {
            long old = d.size();
            if (size.startsWith("+")) {
                newSize = Math.addExact(old, Sizes.parse(size.substring(1)));
            } else if (size.startsWith("-")) {
                newSize = old - Sizes.parse(size.substring(1));
            } else {
                newSize = Sizes.parse(size);
            }
            if (newSize < 0) {
                throw new IllegalArgumentException("the new size would be negative");
            }
            if (newSize < old && !shrink) {
                throw new IllegalArgumentException("use the --shrink option to perform a shrink operation"
                        + " (what lies past the new end is lost)");
            }
            raw = d instanceof RawImage;
            if (d instanceof Qcow2Image q) {
                q.resize(newSize);
            } else if (!raw) {
                throw new IllegalArgumentException("the " + d.info().format() + " format cannot be resized; convert to qcow2 first");
            }
        }
        if (raw) {
            try (HostFile f = HostFile.open(file, false)) { // a raw disk is its file: its size is the file's
                f.truncate(newSize);
                f.sync();
            }
        }
        if (!quiet) {
            out().println("Image resized.");
        }
        return 0;
    }
}
