package jvirt.guest.debian;

import java.time.Instant;

/**
 * A file, directory or symbolic link in a package's data archive. {@code path} is relative to the
 * root of the installed system, without a leading {@code ./} and never escaping the root.
 */
public record DataEntry(String path, Type type, int mode, long size, String linkTarget, Instant modified) {
    public enum Type { FILE, DIRECTORY, SYMLINK }
}
