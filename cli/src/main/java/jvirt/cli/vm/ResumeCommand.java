package jvirt.cli.vm;

import java.io.IOException;
import jvirt.manager.control.ControlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jvirt vm resume NAME} (QMP's cont). */
@Command(name = "resume", description = "Let a paused VM go on.")
final class ResumeCommand extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    int execute() throws IOException, ControlException {
        return PauseCommand.control(this, name, "cont", "running");
    }
}
