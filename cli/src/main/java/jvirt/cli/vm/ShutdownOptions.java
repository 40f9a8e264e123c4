package jvirt.cli.vm;

import java.time.Duration;
import picocli.CommandLine.Option;

/** How {@code vm stop} and {@code vm restart} end a guest: through its agent with a time limit, or at once. */
final class ShutdownOptions {
    @Option(names = "--force", description = "Power off at once, as pulling the plug (the guest's unwritten data is lost).")
    boolean force;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long the guest has to shut down before it is powered off. Default: ${DEFAULT-VALUE}.")
    int timeout;

    Duration timeout() {
        return VmSubcommand.seconds(timeout, "--timeout");
    }
}
