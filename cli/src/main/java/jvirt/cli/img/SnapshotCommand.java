package jvirt.cli.img;

import java.io.IOException;
import java.nio.file.Path;
import jvirt.image.BlockDevice;
import jvirt.image.OpenOptions;
import jvirt.image.qcow2.Qcow2Image;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt img snapshot [-l | -c NAME | -a NAME | -d NAME] [-q] FILE} */
@Command(name = "snapshot", description = "List, create, apply or delete a qcow2 image's internal snapshots.")
final class SnapshotCommand extends Subcommand {
    static final class Action {
        @Option(names = "-l", description = "List the snapshots.")
        boolean list;

        @Option(names = "-c", paramLabel = "NAME", description = "Create a snapshot.")
        String create;

        @Option(names = "-a", paramLabel = "NAME", description = "Revert the disk to a snapshot (name or id).")
        String apply;

        @Option(names = "-d", paramLabel = "NAME", description = "Delete a snapshot (name or id).")
        String delete;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Action action = new Action();

    @Option(names = "-f", paramLabel = "FMT", description = "Format (probed when left out).")
    String format;

    @Option(names = "-q", description = "Quiet.")
    boolean quiet;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    int execute() throws IOException {
        boolean list = action.create == null && action.apply == null && action.delete == null;
        OpenOptions options = list ? OpenOptions.forReading().withoutBacking() : OpenOptions.forWriting();
        try (BlockDevice d = open(file, format, options)) {
            if (!(d instanceof Qcow2Image q)) {
                throw new IllegalArgumentException(file + ": only qcow2 images have internal snapshots");
            }
            if (action.create != null) {
                q.createSnapshot(action.create);
            } else if (action.apply != null) {
                q.applySnapshot(action.apply);
            } else if (action.delete != null) {
                q.deleteSnapshot(action.delete);
            } else if (!q.info().snapshots().isEmpty()) {
                out().println("Snapshot list:");
                InfoCommand.snapshots(out(), q.info().snapshots());
            }
        }
        return 0;
    }
}
