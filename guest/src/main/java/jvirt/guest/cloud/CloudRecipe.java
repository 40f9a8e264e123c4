package jvirt.guest.cloud;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jvirt.guest.GuestImage;
import jvirt.guest.Progress;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.image.tool.Convert;

/**
 * How {@value #IMAGE} is made: a Debian 13 system with systemd, apt, cloud-init, OpenSSH's server,
 * QEMU's guest agent and Debian's kernel, whose initramfs Debian's initramfs-tools makes inside the
 * image. debootstrap's first stage runs on the host ({@link FirstStage}), its second stage in a
 * jvirt machine ({@link SecondStage}); the file system's free blocks are zeroed (zerofree), the
 * kernel and initramfs are read out of it ({@link DiskBoot}) to lie beside the image, and the disk
 * becomes a qcow2 base image that every VM of this image overlays. {@link #VERSION} names this
 * recipe: raise it when what {@link #build} produces changes.
 */
public record CloudRecipe(String name, List<String> packages, String label, long diskSize) {
    public static final String IMAGE = "debian-13-riscv64-cloud";
    public static final int VERSION = 3;
    static final String SUITE = "trixie";
    static final String ARCHITECTURE = "riscv64";
    /** The ext4 label the kernel finds its root by ({@code root=LABEL=}), as {@code /etc/fstab} does. */
    static final String LABEL = "jvirt-root";
    /** The base image's size; a VM's overlay may be larger, and cloud-init grows the file system to fill it. */
    static final long DISK_SIZE = 3L << 30;
    /**
     * Beside debootstrap's minbase: what the image is for (e2fsprogs, no longer essential in
     * Debian 13, for fsck at boot and the resize2fs cloud-init grows the root with), and python3-cffi-backend, which
     * python3-cryptography (cloud-init's) needs through a virtual package that debootstrap's own
     * resolver does not follow.
     */
    static final List<String> PACKAGES = List.of("systemd-sysv", "udev", "apt", "openssh-server", "cloud-init",
            "qemu-guest-agent", "linux-image-riscv64", "initramfs-tools", "ifupdown", "isc-dhcp-client", "sudo",
            "ca-certificates", "less", "e2fsprogs", "python3-cffi-backend");
    /** dpkg's options while the image is built (never fsync: the disk is thrown away if the build fails), and their file. */
    static final String BUILD_DPKG_OPTIONS = "force-unsafe-io";
    static final String BUILD_DPKG_CONFIG = "jvirt-build";
    /**
     * initramfs-tools' configuration, in place before the kernel's package runs update-initramfs:
     * only the modules {@link #INITRAMFS_MODULES} names, not the thousands of "most", with which
     * configuring the kernel took the emulated CPU 9.5 minutes instead of 4 (and initramfs-tools'
     * trigger runs update-initramfs once more), and every boot unpacked a larger archive. The modules file is initramfs-tools' conffile; debootstrap installs
     * with {@code --force-confold}, so this one stays (the package's goes beside it as .dpkg-dist).
     */
    static final String INITRAMFS_CONFIG = "# jvirt: the modules in /etc/initramfs-tools/modules, what the virt board's root needs\n"
            + "MODULES=list";
    /** virtio over MMIO, virtio's disk, ext4 and the crc32c it asks for by a soft dependency. */
    static final String INITRAMFS_MODULES = "# Modules the initramfs loads (MODULES=list in conf.d/jvirt.conf): the root file"
            + " system's on the virt board.\nvirtio_mmio\nvirtio_blk\ncrc32c_generic\next4";
    private static final String KERNEL_PREFIX = "vmlinux-";
    /** Far more than a kernel or an initramfs needs; a bound on what is copied out of the built disk. */
    private static final long MAX_BOOT_FILE = 512L << 20;

    /** The recipe of {@value #IMAGE}. */
    public static CloudRecipe debian13() {
        return new CloudRecipe(IMAGE, PACKAGES, LABEL, DISK_SIZE);
    }

    /** The kernel command line: root by label, the console on the UART as Debian's cloud images have it. */
    public String append() {
        return "root=LABEL=" + label + " ro console=ttyS0";
    }

    /** Where {@link #build} puts what it makes. */
    public record Outputs(Path disk, Path kernel, Path initrd, Path firmware) {
    }

    /**
     * Builds the image from {@code mirror} into {@code outputs}, booting {@code builder} (jvirt's
     * busybox guest) for the second stage, with scratch files in {@code work} and the guest's
     * console in {@code log}; the image's apt sources name {@code security} too, when there is
     * one. Returns the kernel's version.
     */
    public String build(GuestImage builder, URI mirror, Optional<URI> security, Path work, Path log, Outputs outputs,
            Progress progress)
            throws IOException {
        deleteTree(work);
        Files.createDirectories(work);
        try {
            Path raw = work.resolve("disk.raw");
            FirstStage.run(this, mirror, work, raw, progress);
            int debs = countDebs(work.resolve("root/var/cache/apt/archives"));
            deleteTree(work.resolve("root"));
            Files.writeString(log, "");
            SecondStage.run(this, builder, raw, environment(mirror, security), debs, work, log, progress);
            // Blocks the build used and freed (the .debs, the first stage's copies) hold old bytes; zeros are left out of the qcow2.
            HostTools.run(List.of(HostTools.require("zerofree", "zerofree").toString(), raw.toString()), work, line -> { });
            String kernelVersion = extractBoot(raw, outputs);
            Files.copy(builder.firmware(), outputs.firmware(), StandardCopyOption.REPLACE_EXISTING);
            toQcow2(raw, outputs.disk(), progress);
            return kernelVersion;
        } finally {
            deleteTree(work);
        }
    }

    /** The values the guest's scripts read, as shell assignments. */
    String environment(URI mirror, Optional<URI> security) {
        return "MIRROR=" + quote(mirror.toString()) + "\nSECURITY=" + quote(security.map(URI::toString).orElse(""))
                + "\nSUITE=" + SUITE + "\nLABEL=" + quote(label) + "\nBUILD_DPKG_CONFIG=" + BUILD_DPKG_CONFIG + "\n";
    }

    static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /** Copies the kernel and initramfs the image boots (its {@code /vmlinuz}, {@code /initrd.img}); returns the kernel's version. */
    private static String extractBoot(Path raw, Outputs outputs) throws IOException {
        try (BlockDevice disk = ImageFormats.open(raw, ImageFormats.RAW, OpenOptions.forReading())) {
            DiskBoot.Found found = DiskBoot.extract(disk, outputs.kernel(), outputs.initrd(), MAX_BOOT_FILE);
            String name = found.kernel().substring(found.kernel().lastIndexOf('/') + 1);
            return name.startsWith(KERNEL_PREFIX) ? name.substring(KERNEL_PREFIX.length()) : name;
        }
    }

    /** As {@code qemu-img convert -O qcow2}: zero runs of 4 KiB and more are left out. */
    private static void toQcow2(Path raw, Path target, Progress progress) throws IOException {
        Files.deleteIfExists(target);
        try (BlockDevice source = ImageFormats.open(raw, ImageFormats.RAW, OpenOptions.forReading())) {
            progress.begin("writing the qcow2 base image", source.size());
            try {
                Convert.run(source, target, new Convert.Options(ImageFormats.QCOW2, Map.of(), false, 4096, false, null, null),
                        bytes -> {
                            synchronized (progress) { // Convert reports from its worker threads
                                progress.advance(bytes);
                            }
                        });
            } finally {
                progress.done();
            }
        }
    }

    private static int countDebs(Path archives) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> debs = Files.newDirectoryStream(archives, "*.deb")) {
            for (Path ignored : debs) {
                n++;
            }
        }
        return n;
    }

    /** Removes {@code root} and everything under it, even directories debootstrap left without write permission. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                dir.toFile().setWritable(true, true);
                dir.toFile().setExecutable(true, true);
                dir.toFile().setReadable(true, true);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
