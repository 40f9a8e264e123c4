package jvirt.guest.initramfs;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Writes a cpio archive in the "newc" format (magic 070701), the one the Linux kernel unpacks as
 * an initramfs, uncompressed: directories, files, symbolic links and character devices. Every
 * entry is owned by root and stamped with one modification time, so the same inputs give the same
 * archive. A missing parent directory is added (mode 0755) before the first entry inside it,
 * because the kernel creates entries in archive order.
 */
public final class NewcWriter implements Closeable {
    private final CpioArchiveOutputStream cpio;
    private final long mtime;
    private final Set<String> written = new HashSet<>();

    /** {@code mtime} is in seconds since the epoch. */
    public NewcWriter(OutputStream out, long mtime) {
        this.cpio = new CpioArchiveOutputStream(out, CpioConstants.FORMAT_NEW);
        this.mtime = mtime;
    }

    public void directory(String path, int permissions) throws IOException {
        put(path, CpioConstants.C_ISDIR | permissions, 2, new byte[0]);
    }

    public void file(String path, int permissions, byte[] content) throws IOException {
        put(path, CpioConstants.C_ISREG | permissions, 1, content);
    }

    /** A symbolic link; the kernel stores {@code target} as it is, so a relative one is relative to the link's directory. */
    public void symlink(String path, String target) throws IOException {
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a symbolic link target: '" + target + "'");
        }
        put(path, CpioConstants.C_ISLNK | 0777, 1, target.getBytes(StandardCharsets.UTF_8));
    }

    public void characterDevice(String path, int permissions, int major, int minor) throws IOException {
        CpioArchiveEntry entry = entry(path, CpioConstants.C_ISCHR | permissions, 1, 0);
        entry.setRemoteDeviceMaj(major);
        entry.setRemoteDeviceMin(minor);
        cpio.putArchiveEntry(entry);
        cpio.closeArchiveEntry();
    }

    /** Writes the trailer and closes the stream underneath. */
    @Override
    public void close() throws IOException {
        cpio.close();
    }

    private void put(String path, int mode, int links, byte[] content) throws IOException {
        cpio.putArchiveEntry(entry(path, mode, links, content.length));
        cpio.write(content);
        cpio.closeArchiveEntry();
    }

    private CpioArchiveEntry entry(String path, int mode, int links, long size) throws IOException {
        checkPath(path);
        if (!written.add(path)) {
            throw new IllegalStateException(path + " is already in the archive");
        }
        int slash = path.lastIndexOf('/');
        if (slash > 0 && !written.contains(path.substring(0, slash))) {
            directory(path.substring(0, slash), 0755);
        }
        CpioArchiveEntry entry = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, path, size);
        entry.setMode(mode);
        entry.setNumberOfLinks(links);
        entry.setUID(0);
        entry.setGID(0);
        entry.setTime(mtime);
        return entry;
    }

    /** Archive paths are relative ({@code bin/busybox}) and plain: no empty, "." or ".." elements. */
    private static void checkPath(String path) {
        if (path.isEmpty() || Arrays.stream(path.split("/", -1)).anyMatch(e -> e.isEmpty() || e.equals(".") || e.equals(".."))) {
            throw new IllegalArgumentException("not a plain relative path: '" + path + "'");
        }
    }
}
