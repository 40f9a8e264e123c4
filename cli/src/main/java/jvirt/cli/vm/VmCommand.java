package jvirt.cli.vm;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code jvirt vm}: named VMs that persist, run in the background and are driven by name. */
@Command(name = "vm",
        description = {"Managed VMs: named, kept under $JVIRT_HOME (else $XDG_DATA_HOME/jvirt, else"
            + " ~/.local/share/jvirt), run in the background.",
            "Exit status: 0 on success, 1 on an error (one line on stderr); 'vm exec' exits with the command's status."},
        subcommands = {CreateCommand.class, ListCommand.class, InfoCommand.class, StartCommand.class,
            ConsoleCommand.class, ExecCommand.class, StopCommand.class, RestartCommand.class, PauseCommand.class,
            ResumeCommand.class, DeleteCommand.class, ServeCommand.class})
public final class VmCommand {
    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT,
            description = "Show this help message and exit.")
    private boolean help;
}
