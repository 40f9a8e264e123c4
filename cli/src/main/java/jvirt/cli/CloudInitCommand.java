package jvirt.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code jvirt cloud-init}: provisioning guests that run cloud-init. */
@Command(name = "cloud-init",
        description = "Make cloud-init seeds for guests that run cloud-init.",
        subcommands = {CloudInitCommand.Seed.class})
public final class CloudInitCommand {
    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT,
            description = "Show this help message and exit.")
    private boolean help;

    /** {@code jvirt cloud-init seed --user-data F [...] -o seed.iso} */
    @Command(name = "seed",
            description = {"Check user-data and write a NoCloud seed: an ISO 9660 image labelled cidata that cloud-init"
                    + " reads when it is attached as a drive (--drive file=seed.iso,format=raw,readonly=on).",
                "Problems are printed one a line and no image is written."})
    static final class Seed implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--user-data", required = true, paramLabel = "FILE",
                description = "#cloud-config YAML (checked), or a script, MIME multipart or other cloud-init format.")
        private Path userData;

        @Option(names = "--meta-data", paramLabel = "FILE",
                description = "meta-data to use as it is; by default it is made from --instance-id and --hostname.")
        private Path metaData;

        @Option(names = "--network-config", paramLabel = "FILE", description = "Network configuration, version 2 or 1.")
        private Path networkConfig;

        @Option(names = "--vendor-data", paramLabel = "FILE", description = "vendor-data, in user-data's formats.")
        private Path vendorData;

        @Option(names = "--hostname", paramLabel = "NAME", description = "local-hostname in the made meta-data.")
        private String hostname;

        @Option(names = "--instance-id", paramLabel = "ID",
                description = "instance-id in the made meta-data. Default: a fresh iid-<uuid>, so cloud-init runs again.")
        private String instanceId;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "The image to write.")
        private Path output;

        @Override
        public Integer call() {
            try {
                new SeedSpec(userData, metaData, networkConfig, vendorData, hostname, instanceId).seed()
                        .image(Instant.now()).writeTo(output);
                spec.commandLine().getOut().println(output);
                spec.commandLine().getOut().flush();
                return 0;
            } catch (IOException | IllegalArgumentException e) {
                Main.report(spec.commandLine().getErr(), e);
                return 1;
            }
        }
    }
}
