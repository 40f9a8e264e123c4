package jvirt.cli;

import java.io.PrintWriter;
import jvirt.cli.img.ImgCommand;
import jvirt.cli.vm.VmCommand;
import jvirt.cloudinit.InvalidSeedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code jvirt} command. */
@Command(name = "jvirt", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run a computer inside your computer: a RISC-V 64 machine emulated in Java.",
        subcommands = {RunCommand.class, VmCommand.class, ImageCommand.class, ImgCommand.class, CloudInitCommand.class,
            CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, with one-line error reporting instead of stack traces. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        // "jvirt img resize disk.qcow2 -1G" shrinks, as in qemu-img: "-1G" is a size there, not an option.
        cli.getSubcommands().get("img").getSubcommands().get("resize").setUnmatchedOptionsArePositionalParams(true);
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            command.getErr().println("jvirt: " + oneLine(e));
            return 1;
        });
        return cli;
    }

    /** Prints an error as jvirt does: each problem of a seed on a line, anything else as its first line. */
    public static void report(PrintWriter err, Exception e) {
        if (e instanceof InvalidSeedException invalid) {
            invalid.problems().forEach(p -> err.println("jvirt: " + p));
        } else {
            err.println("jvirt: " + oneLine(e));
        }
        err.flush();
    }

    public static String oneLine(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jvirt " + (v == null ? "development build" : v)};
        }
    }
}
