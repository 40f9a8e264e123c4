package jvirt.cli.vm;

import java.io.IOException;
import java.time.Duration;
import jvirt.manager.VmName;
import jvirt.manager.control.ControlClient;
import jvirt.manager.control.ControlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jvirt vm pause NAME}: the guest's CPUs and clock stand still (QMP's stop). */
@Command(name = "pause", description = "Freeze a running VM: its CPUs stop and its clock stands still.")
final class PauseCommand extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    int execute() throws IOException, ControlException {
        return control(this, name, "stop", "paused");
    }

    /** Sends one control command that takes no arguments, and says what the VM now is. */
    static int control(VmSubcommand command, String name, String execute, String done) throws IOException, ControlException {
        VmName vm = name(name);
        try (ControlClient control = command.runtime().control(vm)) {
            control.call(execute, null, Duration.ofSeconds(10));
        }
        command.out().println("VM '" + vm + "' is " + done);
        command.out().flush();
        return 0;
    }
}
