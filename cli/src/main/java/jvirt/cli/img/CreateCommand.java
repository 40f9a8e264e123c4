package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormat;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.image.Sizes;
import jvirt.image.qcow2.Qcow2Image;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img create [-f FMT] [-o OPTIONS] [-b BACKING [-F FMT]] [-u] [-q] FILE [SIZE]} */
@Command(name = "create", description = "Create a new disk image (SIZE: bytes with an optional k, M, G, T suffix;"
        + " with -b it defaults to the backing file's size).")
final class CreateCommand extends Subcommand {
    @Option(names = "-f", paramLabel = "FMT", defaultValue = "raw", description = "Format. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "-o", paramLabel = "OPTIONS", description = "Format options, e.g. cluster_size=64k,compat=1.1,"
            + "compression_type=zstd,lazy_refcounts=on,refcount_bits=16,preallocation=metadata.")
    String options;

    @Option(names = "-b", paramLabel = "BACKING", description = "Backing file (copy-on-write overlay), relative to FILE's folder.")
    String backing;

    @Option(names = "-F", paramLabel = "FMT", description = "The backing file's format (probed when left out).")
    String backingFormat;

    @Option(names = "-u", description = "Do not open the backing file (SIZE is then required).")
    boolean unsafe;

    @Option(names = "-q", description = "Quiet.")
    boolean quiet;

    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SIZE")
    String size;

    @Override
    int execute() throws IOException {
        ImageFormat f = ImageFormats.byName(format);
        Map<String, String> o = new LinkedHashMap<>(options(options));
        long bytes = size == null ? -1 : Sizes.parse(size);
        if (backing != null) {
            o.put("backing_file", backing);
            if (!unsafe) {
                Path target = Qcow2Image.resolveBacking(file, backing);
                try (BlockDevice b = open(target, backingFormat, OpenOptions.forReading())) {
                    if (backingFormat == null) {
                        backingFormat = b.info().format();
                    }
                    if (bytes < 0) {
                        bytes = b.size();
                    }
                } catch (IOException e) {
                    throw new IOException("could not open backing file " + backing + ": " + e.getMessage(), e);
                }
            }
            if (backingFormat != null) {
                o.put("backing_fmt", backingFormat);
            }
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("image size is required (e.g. 10G)");
        }
        if (!quiet) {
            String extra = o.entrySet().stream().map(e -> " " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining());
            out().println("Formatting '" + file + "', fmt=" + f.name() + extra + " size=" + bytes);
        }
        f.create(file, bytes, o);
        return 0;
    }
}
