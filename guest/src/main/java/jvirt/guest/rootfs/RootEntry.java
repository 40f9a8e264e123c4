package jvirt.guest.rootfs;

/** A file or symbolic link of the guest's root; {@code path} is relative to the root ({@code usr/sbin/mke2fs}). */
public sealed interface RootEntry {
    String path();

    /** {@code mode} holds the permission bits only. */
    record File(String path, int mode, byte[] content) implements RootEntry {
    }

    /** {@code target} as the package wrote it: relative to the link's directory, or absolute. */
    record Symlink(String path, String target) implements RootEntry {
    }
}
