package jvirt.guest.debian;

import java.util.Locale;

/**
 * A file on the mirror and what the archive's metadata promises about it. {@code path} is relative
 * to the mirror's root: {@code pool/...} for packages, {@code dists/<suite>/...} for indexes.
 */
public record RemoteFile(String path, long size, String sha256) {
    public RemoteFile {
        if (path.isEmpty() || path.startsWith("/")) {
            throw new IllegalArgumentException("not a mirror-relative path: " + path);
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative size for " + path);
        }
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!Sha256.isHex(sha256)) {
            throw new IllegalArgumentException("not a SHA256: " + sha256);
        }
    }

    /** The last path element, e.g. {@code busybox-static_1.37.0-6_riscv64.deb}. */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Throws unless {@code actualSize} and {@code actualSha256} are what was promised. */
    public void verify(long actualSize, String actualSha256) throws ChecksumMismatchException {
        if (actualSize != size) {
            throw new ChecksumMismatchException(fileName() + ": got " + actualSize + " bytes, expected " + size
                    + (actualSize < size ? " (truncated)" : ""));
        }
        if (!actualSha256.equals(sha256)) {
            throw new ChecksumMismatchException(fileName() + ": SHA256 " + actualSha256 + " does not match the expected " + sha256);
        }
    }
}
