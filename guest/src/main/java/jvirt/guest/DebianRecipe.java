package jvirt.guest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import jvirt.guest.debian.AptSources;
import jvirt.guest.debian.CountingInputStream;
import jvirt.guest.debian.DataEntry;
import jvirt.guest.debian.DebPackage;
import jvirt.guest.debian.PackageStanza;
import jvirt.guest.debian.PackagesIndex;
import jvirt.guest.debian.Relation;
import jvirt.guest.initramfs.BusyboxInitramfs;
import jvirt.guest.kernel.KernelModules;
import jvirt.guest.kernel.ModuleSelection;
import jvirt.guest.kernel.RiscvImage;
import jvirt.guest.rootfs.PackageTree;
import jvirt.guest.rootfs.RootEntry;

/**
 * How {@value #IMAGE} is made: which Debian packages, which files from them, which kernel modules,
 * and the initramfs around them. Besides busybox, the guest gets Debian's mkfs.ext4 and fsck.ext4
 * (busybox's own mke2fs makes ext2 only), which are dynamically linked, so with the loader and
 * libraries they need. {@link #VERSION} names this recipe; changing what {@link #build} produces
 * means raising it, which makes every cached image of the old recipe stale.
 */
final class DebianRecipe {
    static final String IMAGE = "debian-13-riscv64";
    static final int VERSION = 6;
    static final String SUITE = "trixie";
    static final String COMPONENT = "main";
    static final List<String> ARCHITECTURES = List.of("riscv64", "all");
    static final String APPEND = "console=ttyS0";

    /**
     * What a later disk, network and ext4 root need. virtio_console is built into Debian's kernel
     * today; were it a module, it would be taken like the others. ext4 asks for crc32c through a soft dependency (for its metadata
     * checksums) that {@code depends=} does not carry, hence crc32c_generic by name, before ext4.
     * isofs reads ISO 9660 volumes such as cloud-init's NoCloud seed.
     */
    static final List<String> MODULES = List.of("virtio_mmio", "virtio_blk", "virtio_net", "virtio-rng", "virtio_console",
            "crc32c_generic", "ext4", "isofs");

    private static final String KERNEL_METAPACKAGE = "linux-image-riscv64";
    private static final String KERNEL_PACKAGE_PREFIX = "linux-image-";
    private static final String BUSYBOX_PACKAGE = "busybox-static";
    private static final String E2FSPROGS_PACKAGE = "e2fsprogs";
    /** Debian names a shared-library package after its library (Policy 8.1): lib*. */
    private static final String LIBRARY_PACKAGE_PREFIX = "lib";
    private static final String FIRMWARE_PACKAGE = "opensbi";
    private static final List<String> BUSYBOX_PATHS = List.of("usr/bin/busybox", "bin/busybox");
    private static final List<String> FIRMWARE_PATHS = List.of("usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin");
    private static final List<String> MODULE_DIRECTORIES = List.of("usr/lib/modules/", "lib/modules/");
    /** The e2fsprogs programs the guest gets, under the names Debian gives them, and mke2fs's defaults per file system type. */
    static final List<String> E2FSPROGS_PATHS = List.of(
            "usr/sbin/mke2fs", "usr/sbin/mkfs.ext2", "usr/sbin/mkfs.ext3", "usr/sbin/mkfs.ext4",
            "usr/sbin/e2fsck", "usr/sbin/fsck.ext2", "usr/sbin/fsck.ext3", "usr/sbin/fsck.ext4",
            "etc/mke2fs.conf");
    /** Where Debian's riscv64 dynamic loader looks for libraries when there is no ld.so.cache, in its order. */
    static final List<String> LIBRARY_DIRECTORIES = List.of("usr/lib/riscv64-linux-gnu", "usr/lib");
    /** Nothing jvirt keeps in memory from a package comes near this; a file that does is not to be trusted. */
    private static final long MAX_FILE_IN_MEMORY = 256L << 20;

    private DebianRecipe() {
    }

    /** The packages an image is built from; {@code libraries} are those e2fsprogs's programs may need, by name. */
    record Packages(PackageStanza kernel, PackageStanza busybox, PackageStanza firmware, PackageStanza e2fsprogs,
            List<PackageStanza> libraries) {
        Packages {
            libraries = List.copyOf(libraries);
        }

        /** {@code linux-image-6.12.107+deb13-riscv64} → {@code 6.12.107+deb13-riscv64}, as uname -r says. */
        String kernelVersion() {
            return kernel.name().substring(KERNEL_PACKAGE_PREFIX.length());
        }

        List<PackageStanza> all() {
            return Stream.concat(Stream.of(kernel, busybox, firmware), programPackages().stream()).toList();
        }

        /** The packages that {@link #E2FSPROGS_PATHS} and what they need come from. */
        List<PackageStanza> programPackages() {
            return Stream.concat(Stream.of(e2fsprogs), libraries.stream()).toList();
        }
    }

    /** Where {@link #build} writes its three files. */
    record Outputs(Path kernel, Path initrd, Path firmware) {
    }

    /**
     * Chooses the packages: the kernel that the {@value #KERNEL_METAPACKAGE} metapackage depends on
     * (the index may hold more than one kernel), the newest busybox-static, opensbi and e2fsprogs,
     * and the library packages e2fsprogs needs.
     */
    static Packages resolve(PackagesIndex index) throws IOException {
        PackageStanza metapackage = newest(index, KERNEL_METAPACKAGE);
        PackageStanza kernel;
        try {
            kernel = metapackage.dependsRelations().stream().flatMap(List::stream)
                    .filter(r -> r.name().startsWith(KERNEL_PACKAGE_PREFIX))
                    .map(index::best).flatMap(Optional::stream).findFirst()
                    .orElseThrow(() -> new IOException(metapackage.label() + " depends on no kernel package in the index ("
                            + metapackage.depends() + "); the mirror may be midway through an update, try again later"));
        } catch (IllegalArgumentException e) {
            throw new IOException(metapackage.label() + ": " + e.getMessage(), e);
        }
        PackageStanza e2fsprogs = newest(index, E2FSPROGS_PACKAGE);
        return new Packages(kernel, newest(index, BUSYBOX_PACKAGE), newest(index, FIRMWARE_PACKAGE), e2fsprogs,
                libraries(index, e2fsprogs));
    }

    /**
     * The shared-library packages that {@code pkg} needs, directly or through one another: its
     * Pre-Depends and Depends on lib* packages, each relation satisfied as apt would, by its first
     * alternative the index has, newest version that fits. Other packages (e2fsprogs's logsave,
     * libgcc-s1's gcc-14-base) hold no library and are not followed. Which of the libraries' files
     * the guest really needs, the programs' ELF headers say at build time; by name, for a stable order.
     */
    static List<PackageStanza> libraries(PackagesIndex index, PackageStanza pkg) throws IOException {
        Map<String, PackageStanza> libraries = new TreeMap<>();
        Deque<PackageStanza> unfollowed = new ArrayDeque<>(List.of(pkg));
        while (!unfollowed.isEmpty()) {
            PackageStanza next = unfollowed.pop();
            for (List<Relation> alternatives : relations(next)) {
                Optional<PackageStanza> chosen = alternatives.stream().map(index::best).flatMap(Optional::stream).findFirst();
                if (chosen.isEmpty() && alternatives.stream().anyMatch(r -> r.name().startsWith(LIBRARY_PACKAGE_PREFIX))) {
                    throw new IOException(next.label() + " needs " + alternatives.stream().map(Relation::toString)
                            .collect(Collectors.joining(" | ")) + ", which the " + SUITE
                            + " Packages index lacks; the mirror may be midway through an update, try again later");
                }
                if (chosen.isPresent() && chosen.get().name().startsWith(LIBRARY_PACKAGE_PREFIX)
                        && libraries.putIfAbsent(chosen.get().name(), chosen.get()) == null) {
                    unfollowed.push(chosen.get());
                }
            }
        }
        return List.copyOf(libraries.values());
    }

    private static List<List<Relation>> relations(PackageStanza pkg) throws IOException {
        try {
            return Stream.concat(pkg.preDependsRelations().stream(), pkg.dependsRelations().stream()).toList();
        } catch (IllegalArgumentException e) {
            throw new IOException(pkg.label() + ": " + e.getMessage(), e);
        }
    }

    /** Builds the image's files from the downloaded packages ({@code debs} gives each package's .deb). */
    static void build(Packages packages, Function<PackageStanza, Path> debs, Outputs outputs, Progress progress)
            throws IOException {
        Files.write(outputs.firmware(), fileFrom(packages.firmware(), debs, FIRMWARE_PATHS, progress));
        byte[] busybox = fileFrom(packages.busybox(), debs, BUSYBOX_PATHS, progress);

        KernelContents kernel = new KernelContents(packages, outputs.kernel());
        unpack(packages.kernel(), debs, kernel, progress);
        kernel.requireImage();
        ModuleSelection modules = kernel.modules.select(MODULES);
        List<RootEntry> programs = programs(packages, debs, progress);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(outputs.initrd()))) {
            BusyboxInitramfs.write(out, busybox, packages.kernelVersion(), modules, kernel.modulesBuiltin, programs,
                    kernel.mtime);
        }
    }

    /** {@link #E2FSPROGS_PATHS} with the symbolic links, loader and libraries they need, and nothing else of the packages. */
    private static List<RootEntry> programs(Packages packages, Function<PackageStanza, Path> debs, Progress progress)
            throws IOException {
        PackageTree tree = new PackageTree(E2FSPROGS_PATHS, LIBRARY_DIRECTORIES);
        for (PackageStanza pkg : packages.programPackages()) {
            unpack(pkg, debs, (entry, content) -> {
                if (entry.type() == DataEntry.Type.SYMLINK) {
                    tree.addSymlink(entry.path(), entry.linkTarget());
                } else if (entry.type() == DataEntry.Type.FILE && tree.keeps(entry.path())) {
                    tree.addFile(entry.path(), entry.mode(), readSmall(pkg, entry, content));
                }
            }, progress);
        }
        try {
            return tree.select();
        } catch (IOException e) {
            throw new IOException(packages.programPackages().stream().map(PackageStanza::label)
                    .collect(Collectors.joining(", ")) + ": " + e.getMessage(), e);
        }
    }

    private static PackageStanza newest(PackagesIndex index, String name) throws IOException {
        return index.newest(name).orElseThrow(() -> new IOException("the " + SUITE + " Packages index has no " + name
                + "; set " + AptSources.MIRROR_VARIABLE + " to a complete Debian mirror"));
    }

    /** The first of {@code paths} that {@code pkg} holds, as bytes. */
    private static byte[] fileFrom(PackageStanza pkg, Function<PackageStanza, Path> debs, List<String> paths,
            Progress progress) throws IOException {
        Map<String, byte[]> found = new HashMap<>();
        unpack(pkg, debs, (entry, content) -> {
            if (entry.type() == DataEntry.Type.FILE && paths.contains(entry.path())) {
                found.put(entry.path(), readSmall(pkg, entry, content));
            }
        }, progress);
        return paths.stream().map(found::get).filter(Objects::nonNull).findFirst().orElseThrow(() ->
                new IOException(pkg.label() + " holds none of " + String.join(", ", paths)));
    }

    private static void unpack(PackageStanza pkg, Function<PackageStanza, Path> debs, DebPackage.DataVisitor visitor,
            Progress progress) throws IOException {
        Path deb = debs.apply(pkg);
        progress.begin("unpacking " + pkg.name(), Files.size(deb));
        try (InputStream in = new CountingInputStream(new BufferedInputStream(Files.newInputStream(deb), 1 << 16), progress::advance)) {
            DebPackage.readData(in, pkg.file().fileName(), visitor);
        } finally {
            progress.done();
        }
    }

    private static byte[] readSmall(PackageStanza pkg, DataEntry entry, InputStream content) throws IOException {
        if (entry.size() > MAX_FILE_IN_MEMORY) {
            throw new IOException(pkg.label() + ": " + entry.path() + " is implausibly large (" + entry.size() + " bytes)");
        }
        return content.readAllBytes();
    }

    /**
     * Takes from the kernel package, in one pass: the Image (straight to its output file), the
     * modules (kept compressed in memory until the dependencies are known; the package's tar order
     * puts some modules before the ones that need them) and {@code modules.builtin}.
     */
    private static final class KernelContents implements DebPackage.DataVisitor {
        private final PackageStanza pkg;
        private final String imagePath;
        private final List<String> moduleDirectories;
        private final Path imageOutput;
        private final KernelModules modules = new KernelModules();
        private String modulesBuiltin = "";
        private boolean imageFound;
        private long mtime;

        KernelContents(Packages packages, Path imageOutput) {
            String kernelVersion = packages.kernelVersion();
            this.pkg = packages.kernel();
            this.imagePath = "boot/vmlinux-" + kernelVersion;
            this.moduleDirectories = MODULE_DIRECTORIES.stream().map(d -> d + kernelVersion + "/").toList();
            this.imageOutput = imageOutput;
        }

        @Override
        public void visit(DataEntry entry, InputStream content) throws IOException {
            if (entry.type() != DataEntry.Type.FILE) {
                return;
            }
            if (entry.path().equals(imagePath)) {
                byte[] header = content.readNBytes(RiscvImage.HEADER_SIZE);
                if (!RiscvImage.isImage(header)) {
                    throw new IOException(pkg.label() + ": " + imagePath + " is not a RISC-V Linux Image (no RISCV/RSC magic in its header)");
                }
                try (OutputStream out = Files.newOutputStream(imageOutput)) {
                    out.write(header);
                    content.transferTo(out);
                }
                imageFound = true;
                mtime = entry.modified().getEpochSecond();
                return;
            }
            for (String directory : moduleDirectories) {
                if (entry.path().startsWith(directory)) {
                    String path = entry.path().substring(directory.length());
                    if (path.equals("modules.builtin")) {
                        modulesBuiltin = new String(readSmall(pkg, entry, content), StandardCharsets.UTF_8);
                        modules.addBuiltin(modulesBuiltin);
                    } else if (KernelModules.isModuleFile(path)) {
                        modules.addFile(path, readSmall(pkg, entry, content));
                    }
                }
            }
        }

        void requireImage() throws IOException {
            if (!imageFound) {
                throw new IOException(pkg.label() + " has no " + imagePath);
            }
        }
    }
}
