package jvirt.cli.img;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code jvirt img}: disk image tools with qemu-img's subcommands, options and exit codes. */
@Command(name = "img",
        description = {"Create, inspect, check, convert and modify disk images, as qemu-img does.",
            "Formats: raw, qcow2 (read and write) and those of other hypervisors."},
        subcommands = {CreateCommand.class, InfoCommand.class, CheckCommand.class, ConvertCommand.class,
            CompareCommand.class, SnapshotCommand.class, ResizeCommand.class, RebaseCommand.class,
            CommitCommand.class, MapCommand.class, MeasureCommand.class, BenchCommand.class})
public final class ImgCommand {
    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT,
            description = "Show this help message and exit.")
    private boolean help;
}
