package jvirt.cli.vm;

import java.io.IOException;
import jvirt.manager.VmLock;
import jvirt.manager.VmName;
import jvirt.manager.VmStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code jvirt vm stop NAME [--force] [--timeout S]} */
@Command(name = "stop", description = {"Shut a VM down through its guest agent; after --timeout, or when the agent"
        + " does not answer, power it off.", "--force powers it off at once (the guest's unwritten data is lost)."})
final class StopCommand extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Mixin
    ShutdownOptions shutdown;

    @Override
    int execute() throws IOException, InterruptedException {
        VmName vm = name(name);
        VmStore store = store();
        try (VmLock lock = store.lock(vm)) {
            runtime().stop(lock, vm, shutdown.force, shutdown.timeout(), this::note);
        }
        out().println("VM '" + vm + "' is stopped");
        out().flush();
        return 0;
    }
}
