package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.OpenOptions;
import jvirt.image.tool.Chain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img map [-f FMT] [--output=human|json] FILE} */
@Command(name = "map", description = "Show where each part of the disk is stored, down the backing chain.")
final class MapCommand extends Subcommand {
    @Option(names = "-f", paramLabel = "FMT", description = "Format (probed when left out).")
    String format;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "human", description = "human or json.")
    String output;

    @Option(names = {"-U", "--force-share"}, description = "Accepted for qemu-img compatibility.")
    boolean forceShare;

    @Parameters(paramLabel = "FILE")
    Path file;

    /** One merged run, in qemu-img map's terms. */
    private record Entry(long start, long length, int depth, boolean present, boolean zero, boolean data, long offset) {
        boolean continues(Entry e) {
            return depth == e.depth && present == e.present && zero == e.zero && data == e.data
                    && (offset < 0) == (e.offset < 0) && (offset < 0 || offset + length == e.offset);
        }
    }

    @Override
    int execute() throws IOException {
        boolean json = json(output);
        try (BlockDevice top = open(file, format, OpenOptions.forReading())) {
            List<BlockDevice> chain = Chain.of(top);
            List<String> names = new ArrayList<>();
            String name = file.toString();
            for (BlockDevice d : chain) {
                names.add(name);
                name = d.info().fullBackingFilename();
            }
            List<Entry> entries = new ArrayList<>();
            for (long pos = 0; pos < top.size(); ) {
                Chain.Run run = Chain.status(chain, pos, Math.min(1L << 30, top.size() - pos));
                Extent e = run.extent();
                Entry entry = new Entry(pos, e.length(), run.depth(), e.allocated(),
                        e.kind() == Extent.Kind.ZERO || e.kind() == Extent.Kind.UNALLOCATED,
                        e.kind() == Extent.Kind.DATA || e.kind() == Extent.Kind.COMPRESSED,
                        e.kind() == Extent.Kind.COMPRESSED ? -1 : e.hostOffset());
                Entry last = entries.isEmpty() ? null : entries.getLast();
                if (last != null && last.continues(entry)) {
                    entries.set(entries.size() - 1, new Entry(last.start, last.length + entry.length, last.depth, last.present,
                            last.zero, last.data, last.offset));
                } else {
                    entries.add(entry);
                }
                pos += e.length();
            }
            if (json) {
                StringBuilder b = new StringBuilder("[");
                for (int i = 0; i < entries.size(); i++) {
                    Entry e = entries.get(i);
                    b.append(i == 0 ? "" : ",\n").append("{ \"start\": ").append(e.start).append(", \"length\": ").append(e.length)
                            .append(", \"depth\": ").append(e.depth).append(", \"present\": ").append(e.present)
                            .append(", \"zero\": ").append(e.zero).append(", \"data\": ").append(e.data);
                    if (e.offset >= 0) {
                        b.append(", \"offset\": ").append(e.offset);
                    }
                    b.append("}");
                }
                out().println(b.append("]"));
            } else {
                out().println(String.format("%-16s%-16s%-16s%s", "Offset", "Length", "Mapped to", "File"));
                for (Entry e : entries) {
                    if (e.data && e.offset >= 0) {
                        out().println(String.format("%-16s%-16s%-16s%s", hex(e.start), hex(e.length), hex(e.offset), names.get(e.depth)));
                    }
                }
            }
        }
        return 0;
    }

    /** C's {@code %#x}: 0x-prefixed, but plain 0 for zero. */
    private static String hex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }
}
