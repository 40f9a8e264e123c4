package jvirt.cli.vm;

import java.io.IOException;
import jvirt.manager.VmLock;
import jvirt.manager.VmName;
import jvirt.manager.VmStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code jvirt vm restart NAME [--force] [--timeout S]}: stop (as {@code vm stop}) if running, then start. */
@Command(name = "restart", description = "Stop a VM (as 'vm stop') if it runs, then start it again.")
final class RestartCommand extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Mixin
    ShutdownOptions shutdown;

    @Override
    int execute() throws IOException, InterruptedException {
        VmName vm = name(name);
        VmStore store = store();
        if (runtime().status(vm).state().active()) {
            try (VmLock lock = store.lock(vm)) {
                runtime().stop(lock, vm, shutdown.force, shutdown.timeout(), this::note);
            }
        }
        StartCommand.start(this, store, vm, StartCommand.START_TIMEOUT);
        return 0;
    }
}
