package jvirt.cli.vm;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jvirt.cli.Main;
import jvirt.cli.TerminalProgress;
import jvirt.guest.GuestImages;
import jvirt.manager.VmDefinition;
import jvirt.manager.VmLock;
import jvirt.manager.VmName;
import jvirt.manager.VmStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt vm start NAME [--timeout S]}: returns once the guest runs; a crashed VM starts afresh. */
@Command(name = "start", description = "Start a VM in the background; returns once its guest is running.")
final class StartCommand extends VmSubcommand {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the VM to come up. Default: ${DEFAULT-VALUE}.")
    int timeout;

    @Override
    int execute() throws IOException, InterruptedException {
        VmName vm = name(name);
        start(this, store(), vm, seconds(timeout, "--timeout"));
        return 0;
    }

    /** Starts a VM under its lock, pulling its image first if it boots the image's files and the cache lost them. */
    static void start(VmSubcommand command, VmStore store, VmName vm, Duration timeout) throws IOException, InterruptedException {
        VmDefinition definition = store.load(vm);
        if (definition.boot().usesImageFiles()) {
            GuestImages.pull(definition.image(), GuestImages.cacheRoot(), false, TerminalProgress.onStderr());
        }
        try (VmLock lock = store.lock(vm)) {
            long pid = command.runtime().start(lock, vm, serveCommand(vm), timeout);
            command.out().println("VM '" + vm + "' is running (pid " + pid + "); 'jvirt vm console " + vm
                    + "' attaches to its console");
            command.out().flush();
        }
    }

    /** This same JVM, with its options and class path, running the hidden {@code vm serve NAME}. */
    private static List<String> serveCommand(VmName vm) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "vm", "serve", vm.value()));
        return command;
    }
}
