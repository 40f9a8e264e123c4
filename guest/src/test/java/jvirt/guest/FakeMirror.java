package jvirt.guest;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import jvirt.guest.debian.DebBuilder;
import jvirt.guest.debian.MirrorLocator;
import jvirt.guest.debian.Sha256;
import jvirt.guest.debian.TestHttpServer;
import jvirt.guest.kernel.RiscvImageTest;
import jvirt.guest.kernel.TinyElf;
import jvirt.guest.rootfs.TinyProgram;

/**
 * A Debian mirror in miniature, on the loopback interface: a trixie Release file, riscv64 and all
 * Packages indexes, and small but well-formed kernel, busybox-static and opensbi packages whose
 * modules carry the dependencies Debian's do, and e2fsprogs with the library packages it needs,
 * their ELF files asking for loader and libraries as Debian's do.
 */
final class FakeMirror implements AutoCloseable {
    static final String KERNEL_VERSION = "6.12.99+deb13-riscv64";
    static final byte[] FIRMWARE = "opensbi fw_dynamic for riscv64".getBytes(StandardCharsets.US_ASCII);
    static final String E2FSPROGS_VERSION = "1.47.2-3+b12";
    private static final String LOADER = "/lib/ld-linux-riscv64-lp64d.so.1";
    private static final String MULTIARCH = "./usr/lib/riscv64-linux-gnu/";

    private final TestHttpServer server = new TestHttpServer();
    private final List<String> riscv64 = new ArrayList<>();
    private final List<String> all = new ArrayList<>();
    private String busyboxVersion = "1:1.37.0-6+b9";

    FakeMirror() throws IOException {
        publish();
    }

    URI root() {
        return server.uri("/debian/");
    }

    MirrorLocator locator() {
        return this::root;
    }

    List<String> requests() {
        return server.requests();
    }

    static byte[] kernelImage() {
        byte[] image = Arrays.copyOf(RiscvImageTest.header(), 4096);
        Arrays.fill(image, 64, image.length, (byte) 0x13); // riscv "nop"s
        return image;
    }

    /** Publishes a new busybox-static, as a point release would, and drops the old one from the pool. */
    void updateBusybox(String version) throws IOException {
        server.remove("/debian/" + poolPath("busybox-static", busyboxVersion, "riscv64"));
        busyboxVersion = version;
        publish();
    }

    /** Serves {@code content} in place of the kernel package, keeping the index as it is. */
    void damageKernelPackage(byte[] content) {
        server.put("/debian/" + poolPath("linux-image-" + KERNEL_VERSION, "6.12.99-1", "riscv64"), content);
    }

    private void publish() throws IOException {
        riscv64.clear();
        all.clear();
        pool(riscv64, "linux-image-riscv64", "6.12.99-1", "riscv64",
                "linux-image-" + KERNEL_VERSION + " (= 6.12.99-1)", DebBuilder.deb().file("./usr/share/doc/x", "meta").build());
        pool(riscv64, "linux-image-" + KERNEL_VERSION, "6.12.99-1", "riscv64",
                "kmod, initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool", kernelPackage(KERNEL_VERSION));
        // A newer kernel that the metapackage does not (yet) point at: it must not be chosen.
        pool(riscv64, "linux-image-6.13.1+deb13-riscv64", "6.13.1-1", "riscv64", null, kernelPackage("6.13.1+deb13-riscv64"));
        pool(riscv64, "busybox-static", busyboxVersion, "riscv64", null, DebBuilder.deb()
                .file("./usr/bin/busybox", ("busybox " + busyboxVersion).getBytes(StandardCharsets.US_ASCII), 0755)
                .file("./usr/share/initramfs-tools/hooks/zz-busybox", "#!/bin/sh\n")
                .build());
        byte[] opensbi = DebBuilder.deb()
                .file("./usr/lib/riscv32-linux-gnu/opensbi/generic/fw_dynamic.bin", "riscv32".getBytes(StandardCharsets.US_ASCII))
                .file("./usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin", FIRMWARE)
                .build();
        pool(all, "opensbi", "1.6-1", "all", null, opensbi);
        pool(riscv64, "opensbi", "1.6-1", "all", null, opensbi);
        e2fsprogs();

        byte[] riscv64Index = DebBuilder.xz(String.join("\n", riscv64).getBytes(StandardCharsets.UTF_8));
        byte[] allIndex = DebBuilder.xz(String.join("\n", all).getBytes(StandardCharsets.UTF_8));
        server.put("/debian/dists/trixie/main/binary-riscv64/Packages.xz", riscv64Index);
        server.put("/debian/dists/trixie/main/binary-all/Packages.xz", allIndex);
        server.put("/debian/dists/trixie/Release", ("""
                Origin: Debian
                Codename: trixie
                SHA256:
                 %s %d main/binary-riscv64/Packages.xz
                 %s %d main/binary-all/Packages.xz
                """.formatted(Sha256.of(riscv64Index), riscv64Index.length, Sha256.of(allIndex), allIndex.length))
                .getBytes(StandardCharsets.UTF_8));
    }

    /** e2fsprogs as trixie has it, less what the recipe does not take; logsave and gcc-14-base are not published. */
    private void e2fsprogs() {
        pool(riscv64, "e2fsprogs", E2FSPROGS_VERSION, "riscv64",
                "libc6 (>= 2.38), libext2fs2t64 (= " + E2FSPROGS_VERSION + ")", "logsave", DebBuilder.deb()
                        .file("./etc/mke2fs.conf", "[defaults]\n\tblocksize = 4096\n")
                        .file("./usr/sbin/mke2fs",
                                TinyProgram.program(LOADER, "libext2fs.so.2", "libc.so.6", "ld-linux-riscv64-lp64d.so.1"), 0755)
                        .file("./usr/sbin/e2fsck", TinyProgram.program(LOADER, "libext2fs.so.2", "libc.so.6"), 0755)
                        .file("./usr/sbin/debugfs", TinyProgram.program(LOADER, "libss.so.2", "libc.so.6"), 0755)
                        .file("./usr/share/doc/e2fsprogs/changelog.gz", "changes")
                        .symlink("./usr/sbin/mkfs.ext2", "mke2fs")
                        .symlink("./usr/sbin/mkfs.ext3", "mke2fs")
                        .symlink("./usr/sbin/mkfs.ext4", "mke2fs")
                        .symlink("./usr/sbin/fsck.ext2", "e2fsck")
                        .symlink("./usr/sbin/fsck.ext3", "e2fsck")
                        .symlink("./usr/sbin/fsck.ext4", "e2fsck")
                        .build());
        pool(riscv64, "libext2fs2t64", E2FSPROGS_VERSION, "riscv64", "libc6 (>= 2.38)", DebBuilder.deb()
                .file(MULTIARCH + "libext2fs.so.2.4", TinyProgram.library("libc.so.6", "ld-linux-riscv64-lp64d.so.1"))
                .symlink(MULTIARCH + "libext2fs.so.2", "libext2fs.so.2.4")
                .build());
        pool(riscv64, "libc6", "2.41-12", "riscv64", "libgcc-s1", DebBuilder.deb()
                .file("./etc/ld.so.conf.d/riscv64-linux-gnu.conf", "/usr/lib/riscv64-linux-gnu\n")
                .file(MULTIARCH + "ld-linux-riscv64-lp64d.so.1", TinyProgram.library(), 0755)
                .file(MULTIARCH + "libc.so.6", TinyProgram.program(LOADER, "ld-linux-riscv64-lp64d.so.1"), 0755)
                .file(MULTIARCH + "libm.so.6", TinyProgram.library("libc.so.6"))
                .file(MULTIARCH + "gconv/BIG5.so", TinyProgram.library("libc.so.6"))
                .symlink("./usr/lib/ld-linux-riscv64-lp64d.so.1", "riscv64-linux-gnu/ld-linux-riscv64-lp64d.so.1")
                .build());
        pool(riscv64, "libgcc-s1", "14.2.0-19", "riscv64", "gcc-14-base (= 14.2.0-19), libc6 (>= 2.35)", DebBuilder.deb()
                .file(MULTIARCH + "libgcc_s.so.1", TinyProgram.library("libc.so.6"))
                .build());
    }

    private void pool(List<String> index, String name, String version, String architecture, String depends, byte[] deb) {
        pool(index, name, version, architecture, null, depends, deb);
    }

    private void pool(List<String> index, String name, String version, String architecture, String preDepends,
            String depends, byte[] deb) {
        String filename = poolPath(name, version, architecture);
        server.put("/debian/" + filename, deb);
        index.add("""
                Package: %s
                Version: %s
                Architecture: %s
                %s%sFilename: %s
                Size: %d
                SHA256: %s
                """.formatted(name, version, architecture, preDepends == null ? "" : "Pre-Depends: " + preDepends + "\n",
                depends == null ? "" : "Depends: " + depends + "\n", filename, deb.length, Sha256.of(deb)));
    }

    private static String poolPath(String name, String version, String architecture) {
        return "pool/main/" + name.charAt(0) + "/" + name + "/" + name + "_"
                + version.substring(version.indexOf(':') + 1) + "_" + architecture + ".deb";
    }

    private static byte[] kernelPackage(String version) {
        String modules = "./usr/lib/modules/" + version + "/";
        DebBuilder deb = DebBuilder.deb()
                .mtime(1_756_000_000L)
                .file("./boot/config-" + version, "CONFIG_VIRTIO_CONSOLE=y\n")
                .file("./boot/vmlinux-" + version, kernelImage())
                .file(modules + "modules.builtin", "kernel/drivers/char/virtio_console.ko\nkernel/drivers/virtio/virtio.ko\n")
                .file(modules + "modules.order", "kernel/fs/ext4/ext4.ko\n");
        module(deb, modules + "kernel/crypto/crc32c_generic.ko.xz", "alias=crypto-crc32c", "depends=");
        module(deb, modules + "kernel/drivers/net/net_failover.ko.xz", "depends=failover");
        module(deb, modules + "kernel/drivers/net/virtio_net.ko.xz", "depends=net_failover");
        module(deb, modules + "kernel/drivers/virtio/virtio_mmio.ko.xz", "depends=virtio");
        module(deb, modules + "kernel/drivers/block/virtio_blk.ko.xz", "depends=");
        module(deb, modules + "kernel/drivers/char/hw_random/virtio-rng.ko.xz", "depends=");
        module(deb, modules + "kernel/fs/ext4/ext4.ko.xz", "softdep=pre: crypto-crc32c", "depends=jbd2,mbcache,crc16");
        module(deb, modules + "kernel/fs/isofs/isofs.ko.xz", "depends=");
        module(deb, modules + "kernel/fs/jbd2/jbd2.ko.xz", "depends=");
        module(deb, modules + "kernel/fs/mbcache.ko.xz", "depends=");
        module(deb, modules + "kernel/lib/crc16.ko.xz", "depends=");
        module(deb, modules + "kernel/net/core/failover.ko.xz", "depends=");
        module(deb, modules + "kernel/sound/virtio/virtio_snd.ko.xz", "depends=");
        return deb.build();
    }

    private static void module(DebBuilder deb, String path, String... modinfo) {
        try {
            deb.file(path, DebBuilder.xz(TinyElf.module(modinfo)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
