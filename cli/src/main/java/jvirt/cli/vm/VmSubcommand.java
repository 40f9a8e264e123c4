package jvirt.cli.vm;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import jvirt.cli.Main;
import jvirt.manager.VmName;
import jvirt.manager.VmRuntime;
import jvirt.manager.VmStore;
import jvirt.manager.control.ControlException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every {@code jvirt vm} subcommand shares: the store from the environment, and one-line errors with exit 1. */
abstract class VmSubcommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Does the work; returns the exit status. */
    abstract int execute() throws IOException, InterruptedException, ControlException;

    @Override
    public final Integer call() throws InterruptedException {
        try {
            return execute();
        } catch (IOException | ControlException | IllegalArgumentException e) {
            Main.report(err(), e);
            return 1;
        }
    }

    VmStore store() {
        return VmStore.fromEnvironment(System.getenv());
    }

    VmRuntime runtime() {
        return new VmRuntime(store());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A progress line on stderr, flushed at once. */
    void note(String message) {
        err().println("jvirt: " + message);
        err().flush();
    }

    static VmName name(String text) {
        return new VmName(text);
    }

    /** {@code --output}: true for json, false for human. */
    static boolean json(String output) {
        return switch (output) {
            case "json" -> true;
            case "human" -> false;
            default -> throw new IllegalArgumentException("--output " + output + ": choose human or json");
        };
    }

    static Duration seconds(int s, String option) {
        if (s < 1 || s > 3600) {
            throw new IllegalArgumentException(option + " must be from 1 to 3600 seconds");
        }
        return Duration.ofSeconds(s);
    }
}
