package jvirt.guest.debian;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Builds .deb files for tests: ar with debian-binary, control.tar.xz and a data.tar in the chosen compression. */
public final class DebBuilder {
    public enum Compression {
        XZ("data.tar.xz"), GZ("data.tar.gz"), NONE("data.tar"), ZST("data.tar.zst");

        final String member;

        Compression(String member) {
            this.member = member;
        }
    }

    private record Item(String name, byte type, byte[] content, int mode, String target) {
    }

    private final List<Item> items = new ArrayList<>();
    private Compression compression = Compression.XZ;
    private long mtime = 1_700_000_000L;

    public static DebBuilder deb() {
        return new DebBuilder();
    }

    public DebBuilder compression(Compression c) {
        compression = c;
        return this;
    }

    public DebBuilder mtime(long seconds) {
        mtime = seconds;
        return this;
    }

    /** {@code name} goes into the tar as written (tests use "./x", "../x", "/x" on purpose). */
    public DebBuilder file(String name, byte[] content) {
        return file(name, content, 0644);
    }

    public DebBuilder file(String name, byte[] content, int mode) {
        items.add(new Item(name, TarArchiveEntry.LF_NORMAL, content, mode, null));
        return this;
    }

    public DebBuilder file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public DebBuilder directory(String name) {
        items.add(new Item(name.endsWith("/") ? name : name + "/", TarArchiveEntry.LF_DIR, new byte[0], 0755, null));
        return this;
    }

    public DebBuilder symlink(String name, String target) {
        items.add(new Item(name, TarArchiveEntry.LF_SYMLINK, new byte[0], 0777, target));
        return this;
    }

    public byte[] build() {
        try {
            ByteArrayOutputStream deb = new ByteArrayOutputStream();
            try (ArArchiveOutputStream ar = new ArArchiveOutputStream(deb)) {
                member(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
                member(ar, "control.tar.xz", xz(tar(List.of(new Item("./control", TarArchiveEntry.LF_NORMAL,
                        "Package: test\n".getBytes(StandardCharsets.UTF_8), 0644, null)))));
                byte[] data = tar(items);
                member(ar, compression.member, switch (compression) {
                    case XZ -> xz(data);
                    case GZ -> gz(data);
                    case NONE, ZST -> data; // ZST: only the member's name matters to the reader
                });
            }
            return deb.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void member(ArArchiveOutputStream ar, String name, byte[] content) throws IOException {
        ar.putArchiveEntry(new ArArchiveEntry(name, content.length, 0, 0, 0100644, 1_700_000_000L));
        ar.write(content);
        ar.closeArchiveEntry();
    }

    private byte[] tar(List<Item> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            for (Item item : entries) {
                TarArchiveEntry entry = new TarArchiveEntry(item.name(), item.type(), true);
                entry.setMode(item.mode());
                entry.setModTime(mtime * 1000);
                if (item.target() != null) {
                    entry.setLinkName(item.target());
                }
                entry.setSize(item.content().length);
                tar.putArchiveEntry(entry);
                tar.write(item.content());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    public static byte[] xz(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream xz = new XZOutputStream(out, new LZMA2Options(1))) {
            xz.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] gz(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
