package jvirt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import jvirt.guest.GuestImage;
import jvirt.guest.GuestImages;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.ImageInUseException;
import jvirt.image.OpenOptions;
import jvirt.image.Sizes;
import jvirt.manager.VmDefinition;
import jvirt.manager.VmName;
import jvirt.manager.VmRuntime;
import jvirt.manager.VmStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code jvirt image}: the guest images in the local cache, and pulling them there. */
@Command(name = "image",
        description = "Pull guest images into the local cache, list them, prune what earlier builds left.",
        subcommands = {ImageCommand.Pull.class, ImageCommand.ListImages.class, ImageCommand.Prune.class})
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

    /**
     * {@code jvirt image prune [--dry-run]}: removes the cloud image's base disks that earlier
     * builds left, unless a VM's disk still overlays one. A VM that runs holds its base's lock, so
     * a base is removed only while its exclusive lock is held; a stopped VM's disk is read for its
     * backing chain.
     */
    @Command(name = "prune",
            description = "Remove the base disks earlier builds of the cloud image left in the cache, except those a VM's"
                    + " disk still overlays.")
    static final class Prune implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = {"-n", "--dry-run"}, description = "Say what would be removed, remove nothing.")
        private boolean dryRun;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                prune(GuestImages.cacheRoot(), VmStore.fromEnvironment(System.getenv()), dryRun, out);
                return 0;
            } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("jvirt: " + Main.oneLine(e));
                return 1;
            }
        }

        static void prune(Path cacheRoot, VmStore store, boolean dryRun, PrintWriter out) throws IOException {
            List<Path> bases = GuestImages.earlierCloudBases(cacheRoot);
            Map<Path, String> used = basesInUse(store);
            long freed = 0;
            for (Path base : bases) {
                String user = used.get(base.toRealPath());
                long size = Files.size(base);
                if (user != null) {
                    out.println("kept     " + base + " (VM '" + user + "' overlays it)");
                } else if (dryRun) {
                    out.println("would remove " + base + " (" + Sizes.human(size) + ")");
                } else if (remove(base)) {
                    out.println("removed  " + base + " (" + Sizes.human(size) + ")");
                    freed += size;
                } else {
                    out.println("kept     " + base + " (a running VM has it open)");
                }
            }
            if (!dryRun) {
                out.println(bases.isEmpty() ? "nothing to prune" : Sizes.human(freed) + " freed");
            }
            out.flush();
        }

        /** Every image in the backing chains of the stopped VMs' qcow2 disks, with a VM that uses it. */
        private static Map<Path, String> basesInUse(VmStore store) throws IOException {
            VmRuntime runtime = new VmRuntime(store);
            Map<Path, String> used = new HashMap<>();
            for (VmName vm : store.names()) {
                if (runtime.status(vm).state().active()) {
                    continue; // its process holds a lock on every image of its chains: remove() finds out
                }
                for (VmDefinition.Disk disk : store.load(vm).disks()) {
                    Path file = store.directory(vm).resolve(disk.file());
                    for (Set<Path> seen = new HashSet<>(); file != null && seen.add(file); ) {
                        String backing;
                        try (BlockDevice image = ImageFormats.open(file, ImageFormats.byName(disk.format()),
                                OpenOptions.forReading().withoutBacking())) {
                            backing = image.info().fullBackingFilename();
                        } catch (IOException e) {
                            throw new IOException("cannot read the disk " + file + " of VM '" + vm + "' (" + e.getMessage()
                                    + "), so nothing is removed; fix or delete the VM, then prune again", e);
                        }
                        file = backing == null || !Files.exists(Path.of(backing)) ? null : Path.of(backing).toRealPath();
                        if (file != null) {
                            used.putIfAbsent(file, vm.value());
                        }
                    }
                }
            }
            return used;
        }

        /** Deletes a base while holding its exclusive lock, so no VM can have it open; false when one has. */
        private static boolean remove(Path base) throws IOException {
            try (BlockDevice image = ImageFormats.open(base, ImageFormats.QCOW2, OpenOptions.forWriting().withoutBacking())) {
                Files.delete(base);
                return true;
            } catch (ImageInUseException e) {
                return false;
            }
        }
    }
}
