package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import jvirt.image.BlockDevice;
import jvirt.image.OpenOptions;
import jvirt.image.qcow2.Qcow2Check;
import jvirt.image.qcow2.Qcow2Image;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img check [-f FMT] [--output=human|json] [-r leaks|all] [-q] FILE} */
@Command(name = "check", description = "Check an image's metadata for consistency and optionally repair it.",
        footer = {"", "Exit status: 0 no errors; 1 the check could not be completed; 2 corruptions;",
            "3 leaked clusters only; 63 the format does not support checks."})
final class CheckCommand extends Subcommand {
    @Option(names = "-f", paramLabel = "FMT", description = "Format (probed when left out).")
    String format;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "human", description = "human or json.")
    String output;

    @Option(names = "-r", paramLabel = "leaks|all", description = "Repair leaked clusters, or everything.")
    String repair;

    @Option(names = "-q", description = "Quiet.")
    boolean quiet;

    @Option(names = {"-U", "--force-share"}, description = "Accepted for qemu-img compatibility.")
    boolean forceShare;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    int execute() throws IOException {
        boolean json = json(output);
        Qcow2Check.Repair mode = repair == null ? Qcow2Check.Repair.NONE : switch (repair) {
            case "leaks" -> Qcow2Check.Repair.LEAKS;
            case "all" -> Qcow2Check.Repair.ALL;
            default -> throw new IllegalArgumentException("-r must be leaks or all, not '" + repair + "'");
        };
        Qcow2Check.Result r;
        String formatName;
        if (mode == Qcow2Check.Repair.NONE) {
            try (BlockDevice d = open(file, format, OpenOptions.forReading().withoutBacking())) {
                formatName = d.info().format();
                if (!(d instanceof Qcow2Image q)) {
                    err().println("jvirt: This image format does not support checks");
                    return 63;
                }
                r = q.check(mode);
            }
        } else {
            try (BlockDevice probe = open(file, format, OpenOptions.forReading().withoutBacking())) {
                formatName = probe.info().format();
                if (!(probe instanceof Qcow2Image)) {
                    err().println("jvirt: This image format does not support checks");
                    return 63;
                }
            }
            try (Qcow2Image q = Qcow2Image.openForRepair(file)) {
                r = q.check(mode);
            }
        }
        for (String m : r.messages()) {
            err().println(m);
        }
        if (json) {
            printJson(toJson(r, file.toString(), formatName));
        } else if (!quiet) {
            human(r);
        }
        if (r.corruptions() > 0) {
            return 2;
        }
        if (r.checkErrors() > 0) {
            return 1;
        }
        return r.leaks() > 0 ? 3 : 0;
    }

    private static Map<String, Object> toJson(Qcow2Check.Result r, String name, String format) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image-end-offset", r.imageEndOffset());
        if (r.compressedClusters() != 0) {
            m.put("compressed-clusters", r.compressedClusters());
        }
        m.put("total-clusters", r.totalClusters());
        if (r.corruptions() != 0) {
            m.put("corruptions", r.corruptions());
        }
        if (r.corruptionsFixed() != 0) {
            m.put("corruptions-fixed", r.corruptionsFixed());
        }
        m.put("check-errors", r.checkErrors());
        if (r.leaks() != 0) {
            m.put("leaks", r.leaks());
        }
        if (r.leaksFixed() != 0) {
            m.put("leaks-fixed", r.leaksFixed());
        }
        m.put("allocated-clusters", r.allocatedClusters());
        m.put("filename", name);
        m.put("format", format);
        if (r.fragmentedClusters() != 0) {
            m.put("fragmented-clusters", r.fragmentedClusters());
        }
        return m;
    }

    private void human(Qcow2Check.Result r) {
        if (r.leaksFixed() > 0 || r.corruptionsFixed() > 0) {
            out().println("The following inconsistencies were found and repaired:\n");
            out().println("    " + r.leaksFixed() + " leaked clusters");
            out().println("    " + r.corruptionsFixed() + " corruptions\n");
            out().println("Double checking the fixed image now...");
        }
        if (r.corruptions() == 0 && r.leaks() == 0 && r.checkErrors() == 0) {
            out().println("No errors were found on the image.");
        }
        if (r.corruptions() > 0) {
            out().println("\n" + r.corruptions() + " errors were found on the image.");
            out().println("Data may be corrupted, or further writes to the image may corrupt it.");
        }
        if (r.leaks() > 0) {
            out().println("\n" + r.leaks() + " leaked clusters were found on the image.");
            out().println("This means waste of disk space, but no harm to data.");
        }
        if (r.checkErrors() > 0) {
            out().println("\n" + r.checkErrors() + " internal errors have occurred during the check.");
        }
        if (r.totalClusters() != 0 && r.allocatedClusters() != 0) {
            out().println(String.format(Locale.ROOT, "%d/%d = %.2f%% allocated, %.2f%% fragmented, %.2f%% compressed clusters",
                    r.allocatedClusters(), r.totalClusters(), 100.0 * r.allocatedClusters() / r.totalClusters(),
                    100.0 * r.fragmentedClusters() / r.allocatedClusters(), 100.0 * r.compressedClusters() / r.allocatedClusters()));
        }
        if (r.imageEndOffset() > 0) {
            out().println("Image end offset: " + r.imageEndOffset());
        }
    }
}
