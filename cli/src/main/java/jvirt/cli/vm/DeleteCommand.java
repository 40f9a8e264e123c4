package jvirt.cli.vm;

import java.io.IOException;
import java.time.Duration;
import jvirt.manager.VmLock;
import jvirt.manager.VmName;
import jvirt.manager.VmStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt vm delete NAME [--force]} */
@Command(name = "delete", description = "Delete a VM and its files (its disks too); refused while it runs unless --force.")
final class DeleteCommand extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--force", description = "Power a running VM off first.")
    boolean force;

    @Override
    int execute() throws IOException, InterruptedException {
        VmName vm = name(name);
        VmStore store = store();
        try (VmLock lock = store.lock(vm)) {
            if (runtime().status(vm).state().active()) {
                if (!force) {
                    throw new IOException("VM '" + vm + "' is running; stop it first ('jvirt vm stop " + vm
                            + "') or delete it with --force");
                }
                runtime().stop(lock, vm, true, Duration.ofSeconds(1), this::note);
            }
            store.delete(lock, vm);
        }
        out().println("VM '" + vm + "' deleted");
        out().flush();
        return 0;
    }
}
