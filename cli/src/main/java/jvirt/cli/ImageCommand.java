package jvirt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import jvirt.guest.GuestImage;
import jvirt.guest.GuestImages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code jvirt image}: the guest images in the local cache, and pulling them there. */
@Command(name = "image",
        description = "Pull guest images into the local cache and list them.",
        subcommands = {ImageCommand.Pull.class, ImageCommand.ListImages.class})
public final class ImageCommand {
    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT,
            description = "Show this help message and exit.")
    private boolean help;

    /** {@code jvirt image pull [--refresh] [NAME]} */
    @Command(name = "pull",
            description = {"Download an image's packages from the Debian mirror in this host's apt sources"
                    + " (or $JVIRT_DEBIAN_MIRROR) and build the image; a cached image is used as it is.",
                "The cache is $JVIRT_CACHE, else $XDG_CACHE_HOME/jvirt, else ~/.cache/jvirt."})
    static final class Pull implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--refresh", description = "Choose the packages afresh from the mirror's current indexes"
                + " and rebuild the image if they changed.")
        private boolean refresh;

        @Parameters(arity = "0..1", paramLabel = "NAME", defaultValue = GuestImages.DEFAULT_IMAGE,
                description = "The image. Default: ${DEFAULT-VALUE}.")
        private String name;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                GuestImage image = GuestImages.pull(name, GuestImages.cacheRoot(), refresh, TerminalProgress.onStderr());
                out.println(image.name() + " (kernel " + image.kernelVersion() + ")");
                out.println("  kernel    " + image.kernel());
                out.println("  initrd    " + image.initrd());
                out.println("  firmware  " + image.firmware());
                out.println("  append    " + image.defaultAppend());
                image.baseDisk().ifPresent(disk -> out.println("  disk      " + disk + " (qcow2 base; VMs overlay it)"));
                out.flush();
                return 0;
            } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("jvirt: " + Main.oneLine(e));
                return 1;
            }
        }
    }

    /** {@code jvirt image list} */
    @Command(name = "list",
            description = "List the images that can be pulled and whether each is in the cache.")
    static final class ListImages implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Path cacheRoot = GuestImages.cacheRoot();
            for (String name : GuestImages.available()) {
                Optional<GuestImage> cached = GuestImages.cached(name, cacheRoot);
                out.println(cached
                        .map(image -> name + "  cached (kernel " + image.kernelVersion() + ")  " + image.kernel().getParent())
                        .orElse(name + "  not cached (jvirt image pull " + name + ")"));
            }
            out.flush();
            return 0;
        }
    }
}
