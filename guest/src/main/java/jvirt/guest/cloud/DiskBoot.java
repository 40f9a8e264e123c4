package jvirt.guest.cloud;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import jvirt.guest.ext4.Ext4Exception;
import jvirt.guest.ext4.Ext4Volume;
import jvirt.image.BlockDevice;

/**
 * Finds the kernel and initramfs a Debian root disk boots, as a boot loader would: the ones the
 * links {@value #KERNEL_LINK} and {@value #INITRD_LINK} name, which Debian's
 * {@code linux-update-symlinks} moves to each kernel that {@code apt} installs. A VM of the cloud
 * image boots them, so a kernel upgraded in the guest is the one its next boot runs.
 */
public final class DiskBoot {
    public static final String KERNEL_LINK = "/vmlinuz";
    public static final String INITRD_LINK = "/initrd.img";

    /** The files booted, as paths on the guest's file system ({@code /boot/vmlinux-6.12.…}). */
    public record Found(String kernel, String initrd) {
    }

    private DiskBoot() {
    }

    /**
     * Copies the disk's kernel and initramfs to {@code kernel} and {@code initrd}, replacing both
     * only once both were read; files longer than {@code maxBytes} are refused. A file system whose
     * journal needs recovery is refused too: read without the journal, its newest metadata may
     * point at blocks that hold something else by now.
     */
    public static Found extract(BlockDevice disk, Path kernel, Path initrd, long maxBytes) throws IOException {
        Ext4Volume volume = Ext4Volume.open(disk);
        if (volume.needsRecovery()) {
            throw new Ext4Exception("the file system was not unmounted cleanly (its journal needs recovery)");
        }
        Ext4Volume.Resolved image = regularFile(volume, KERNEL_LINK);
        Ext4Volume.Resolved ramdisk = regularFile(volume, INITRD_LINK);
        Path newKernel = partial(kernel);
        Path newInitrd = partial(initrd);
        try {
            copy(volume, image, newKernel, maxBytes);
            copy(volume, ramdisk, newInitrd, maxBytes);
            Files.move(newKernel, kernel, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(newInitrd, initrd, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(newKernel);
            Files.deleteIfExists(newInitrd);
        }
        return new Found(image.path(), ramdisk.path());
    }

    private static Ext4Volume.Resolved regularFile(Ext4Volume volume, String link) throws IOException {
        Ext4Volume.Resolved found = volume.resolve(link);
        if (!found.inode().isRegularFile()) {
            throw new Ext4Exception(link + " leads to " + found.path() + ", which is not a regular file");
        }
        return found;
    }

    private static Path partial(Path target) {
        return target.resolveSibling(target.getFileName() + ".partial");
    }

    private static void copy(Ext4Volume volume, Ext4Volume.Resolved file, Path target, long maxBytes) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 20)) {
            volume.copy(file.inode(), maxBytes, out);
        }
    }
}
