package jvirt.guest.debian;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Reads the files of a binary package straight from its {@code .deb}, nothing written to disk: an
 * ar archive whose first member is {@code debian-binary} ("2.0") and which holds a
 * {@code data.tar}, {@code data.tar.xz} or {@code data.tar.gz} member. Paths that would leave the
 * root ({@code ..}, absolute) make the whole package unacceptable; so does a truncated archive,
 * noticed even where tar itself would not notice it.
 */
public final class DebPackage {
    private DebPackage() {
    }

    /** Hears about one entry of the data archive; {@code content} reads a file's bytes during the call. */
    @FunctionalInterface
    public interface DataVisitor {
        void visit(DataEntry entry, InputStream content) throws IOException;
    }

    /**
     * Walks the data archive of the package read from {@code deb}, calling {@code visitor} for each
     * file, directory and symbolic link (other entry types are passed over). {@code name} names the
     * package in messages.
     */
    public static void readData(InputStream deb, String name, DataVisitor visitor) throws IOException {
        ArArchiveInputStream ar = new ArArchiveInputStream(deb);
        ArArchiveEntry first = nextMember(ar, name);
        if (first == null || !first.getName().equals("debian-binary")) {
            throw new DebFormatException(name + " is not a Debian package (no debian-binary member first)");
        }
        String formatVersion = new String(ar.readNBytes(16), StandardCharsets.US_ASCII).strip();
        if (!formatVersion.startsWith("2.")) {
            throw new DebFormatException(name + " has package format " + formatVersion + ", not 2.x");
        }
        for (ArArchiveEntry member; (member = nextMember(ar, name)) != null; ) {
            if (member.getName().startsWith("data.tar")) {
                readDataMember(ar, member, name, visitor);
                return;
            }
        }
        throw new DebFormatException(name + " has no data.tar member (truncated?)");
    }

    private static void readDataMember(InputStream ar, ArArchiveEntry member, String name, DataVisitor visitor)
            throws IOException {
        CountingInputStream counted = new CountingInputStream(ar, n -> { });
        InputStream tarBytes = new Damage(decompressor(member.getName(), counted, name), name);
        TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes);
        InputStream content = new Damage(tar, name);
        for (TarArchiveEntry entry; (entry = nextEntry(tar, name)) != null; ) {
            DataEntry data = dataEntry(entry, name);
            if (data != null) {
                visitor.visit(data, content);
            }
        }
        // Read to the member's end: this checks the compressor's own trailer and checksum, and
        // shows a member cut short even where tar saw its end-of-archive blocks (or none at all).
        tarBytes.transferTo(OutputStream.nullOutputStream());
        counted.transferTo(OutputStream.nullOutputStream());
        if (counted.count() != member.getLength()) {
            throw new DebFormatException(name + " is truncated: its " + member.getName() + " has "
                    + counted.count() + " of " + member.getLength() + " bytes");
        }
    }

    private static InputStream decompressor(String member, InputStream in, String name) throws IOException {
        try {
            return switch (member) {
                case "data.tar" -> in;
                case "data.tar.xz" -> new XZInputStream(new BufferedInputStream(in));
                case "data.tar.gz" -> new GZIPInputStream(in, 1 << 16);
                case "data.tar.zst" -> throw new DebFormatException(name + " compresses its data with zstd ("
                        + member + "), which needs native code; jvirt reads data.tar.xz, data.tar.gz and data.tar");
                default -> throw new DebFormatException(name + " has an unsupported data member " + member
                        + "; jvirt reads data.tar.xz, data.tar.gz and data.tar");
            };
        } catch (DebFormatException e) {
            throw e;
        } catch (IOException e) {
            throw damaged(name, e);
        }
    }

    /** The entry as jvirt sees it, or null for the archive root and for entry types jvirt does not use. */
    private static DataEntry dataEntry(TarArchiveEntry entry, String name) throws DebFormatException {
        String path = safePath(entry.getName(), name);
        DataEntry.Type type;
        if (entry.isSymbolicLink()) {
            type = DataEntry.Type.SYMLINK;
        } else if (entry.isDirectory()) {
            type = DataEntry.Type.DIRECTORY;
        } else if (entry.isFile()) {
            type = DataEntry.Type.FILE;
        } else {
            return null; // hard links, devices, fifos: no package jvirt reads needs them
        }
        if (path.isEmpty()) {
            return null;
        }
        return new DataEntry(path, type, entry.getMode() & 07777, type == DataEntry.Type.FILE ? entry.getSize() : 0,
                type == DataEntry.Type.SYMLINK ? entry.getLinkName() : null,
                entry.getLastModifiedTime().toInstant());
    }

    /** {@code ./usr/bin/x} → {@code usr/bin/x}; refuses anything that could name a place outside the root. */
    static String safePath(String archivePath, String name) throws DebFormatException {
        String path = archivePath;
        while (path.startsWith("./")) {
            path = path.substring(2);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.equals(".")) {
            return "";
        }
        if (path.startsWith("/") || path.indexOf('\0') >= 0 || Arrays.asList(path.split("/")).contains("..")) {
            throw new DebFormatException(name + " contains the unsafe path '" + archivePath + "'; refusing the package");
        }
        return path;
    }

    private static ArArchiveEntry nextMember(ArArchiveInputStream ar, String name) throws IOException {
        try {
            return ar.getNextEntry();
        } catch (IOException | IllegalArgumentException e) {
            throw damaged(name, e);
        }
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar, String name) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (DebFormatException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw damaged(name, e);
        }
    }

    private static DebFormatException damaged(String name, Exception cause) {
        return new DebFormatException(name + " is truncated or corrupt: " + DebianMirror.describe(cause), cause);
    }

    /**
     * Turns read failures below it into one clear "damaged package" error and keeps visitors from
     * closing the archive they are handed.
     */
    private static final class Damage extends FilterInputStream {
        private final String name;

        Damage(InputStream in, String name) {
            super(in);
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (DebFormatException e) {
                throw e;
            } catch (IOException e) {
                throw damaged(name, e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return super.read(buffer, offset, length);
            } catch (DebFormatException e) {
                throw e;
            } catch (IOException e) {
                throw damaged(name, e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return super.skip(n);
            } catch (DebFormatException e) {
                throw e;
            } catch (IOException e) {
                throw damaged(name, e);
            }
        }

        @Override
        public void close() {
            // the package's stream belongs to the caller of readData
        }
    }
}
