package jvirt.cli.img;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jvirt.image.BlockDevice;
import jvirt.image.ImageInfo;
import jvirt.image.OpenOptions;
import jvirt.image.Sizes;
import jvirt.image.SnapshotInfo;
import jvirt.image.tool.Chain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img info [-f FMT] [--output=human|json] [--backing-chain] FILE} */
@Command(name = "info", description = "Show an image's format, sizes, backing file, snapshots and format details.")
final class InfoCommand extends Subcommand {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneId.systemDefault());

    @Option(names = "-f", paramLabel = "FMT", description = "Format (probed when left out).")
    String format;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "human", description = "human or json.")
    String output;

    @Option(names = "--backing-chain", description = "Also show every backing file, down the chain.")
    boolean chain;

    @Option(names = {"-U", "--force-share"}, description = "Accepted for qemu-img compatibility; images are opened read-only.")
    boolean forceShare;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    int execute() throws IOException {
        boolean json = json(output);
        OpenOptions options = chain ? OpenOptions.forReading() : OpenOptions.forReading().withoutBacking();
        try (BlockDevice top = open(file, format, options)) {
            List<Map<String, Object>> infos = new ArrayList<>();
            String name = file.toString();
            for (BlockDevice d : chain ? Chain.of(top) : List.of(top)) {
                ImageInfo info = d.info();
                infos.add(toJson(name, info));
                if (!json) {
                    if (infos.size() > 1) {
                        out().println();
                    }
                    human(out(), name, info);
                }
                name = info.fullBackingFilename();
            }
            if (json) {
                printJson(chain ? infos : infos.getFirst());
            }
        }
        return 0;
    }

    /** qemu-img's JSON for one image, in its key order. */
    static Map<String, Object> toJson(String name, ImageInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (info.backingFormat() != null) {
            m.put("backing-filename-format", info.backingFormat());
        }
        if (!info.snapshots().isEmpty()) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (SnapshotInfo s : info.snapshots()) {
                Map<String, Object> e = new LinkedHashMap<>();
                if (s.icount() != -1) {
                    e.put("icount", s.icount());
                }
                e.put("vm-clock-nsec", s.vmClockNanos() % 1_000_000_000L);
                e.put("name", s.name());
                e.put("date-sec", s.dateSeconds());
                e.put("date-nsec", s.dateNanos());
                e.put("vm-clock-sec", s.vmClockNanos() / 1_000_000_000L);
                e.put("id", s.id());
                e.put("vm-state-size", s.vmStateSize());
                list.add(e);
            }
            m.put("snapshots", list);
        }
        m.put("virtual-size", info.virtualSize());
        m.put("filename", name);
        if (info.clusterSize() > 0) {
            m.put("cluster-size", info.clusterSize());
        }
        m.put("format", info.format());
        if (info.actualSize() >= 0) {
            m.put("actual-size", info.actualSize());
        }
        if (!info.formatSpecific().isEmpty()) {
            Map<String, Object> specific = new LinkedHashMap<>();
            specific.put("type", info.format());
            specific.put("data", info.formatSpecific());
            m.put("format-specific", specific);
        }
        if (info.backingFilename() != null) {
            m.put("full-backing-filename", info.fullBackingFilename());
            m.put("backing-filename", info.backingFilename());
        }
        m.put("dirty-flag", info.dirty());
        return m;
    }

    static void human(PrintWriter out, String name, ImageInfo info) {
        out.println("image: " + name);
        out.println("file format: " + info.format());
        out.println("virtual size: " + Sizes.human(info.virtualSize()) + " (" + info.virtualSize() + " bytes)");
        out.println("disk size: " + (info.actualSize() >= 0 ? Sizes.human(info.actualSize()) : "unavailable"));
        if (info.clusterSize() > 0) {
            out.println("cluster_size: " + info.clusterSize());
        }
        if (info.dirty()) {
            out.println("cleanly shut down: no");
        }
        if (info.backingFilename() != null) {
            String line = "backing file: " + info.backingFilename();
            if (!info.backingFilename().equals(info.fullBackingFilename())) {
                line += " (actual path: " + info.fullBackingFilename() + ")";
            }
            out.println(line);
            if (info.backingFormat() != null) {
                out.println("backing file format: " + info.backingFormat());
            }
        }
        if (!info.snapshots().isEmpty()) {
            out.println("Snapshot list:");
            snapshots(out, info.snapshots());
        }
        if (!info.formatSpecific().isEmpty()) {
            out.println("Format specific information:");
            specific(out, info.formatSpecific(), "    ");
        }
    }

    /** The snapshot table as qemu-img prints it. */
    static void snapshots(PrintWriter out, List<SnapshotInfo> list) {
        out.println(String.format(Locale.ROOT, "%-10s%-17s%8s%20s%13s%11s", "ID", "TAG", "VM SIZE", "DATE", "VM CLOCK", "ICOUNT"));
        for (SnapshotInfo s : list) {
            long clock = s.vmClockNanos();
            long secs = clock / 1_000_000_000L;
            String vmClock = String.format(Locale.ROOT, "%02d:%02d:%02d.%03d", secs / 3600, (secs / 60) % 60, secs % 60,
                    (clock / 1_000_000L) % 1000);
            out.println(String.format(Locale.ROOT, "%-9s %-16s %8s%20s%13s%11s", s.id(), s.name(), Sizes.human(s.vmStateSize()),
                    DATE.format(Instant.ofEpochSecond(s.dateSeconds())), vmClock, s.icount() == -1 ? "" : Long.toString(s.icount())));
        }
    }

    private static void specific(PrintWriter out, Map<String, Object> fields, String indent) {
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            String key = e.getKey().replace('-', ' ');
            value(out, key, e.getValue(), indent);
        }
    }

    @SuppressWarnings("unchecked")
    private static void value(PrintWriter out, String key, Object value, String indent) {
        if (value instanceof Map<?, ?> map) {
            out.println(indent + key + ":");
            specific(out, (Map<String, Object>) map, indent + "    ");
        } else if (value instanceof List<?> list) {
            out.println(indent + key + ":");
            for (int i = 0; i < list.size(); i++) {
                value(out, "[" + i + "]", list.get(i), indent + "    ");
            }
        } else {
            out.println(indent + key + ": " + value);
        }
    }
}
