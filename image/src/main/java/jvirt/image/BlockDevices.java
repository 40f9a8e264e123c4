package jvirt.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import jvirt.image.raw.RawImage;

/** Opens disk images by format, and recognizes a format from a file's first bytes as QEMU does. */
public final class BlockDevices {
    /** The formats jvirt reads today. */
    public enum Format {
        RAW;

        /** {@code raw} → {@link #RAW}; a clear error for anything else. */
        public static Format parse(String name) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("raw")) {
                return RAW;
            }
            if (KNOWN_LATER.contains(lower)) {
                throw new IllegalArgumentException("image format '" + name + "' is not supported yet; convert it to raw with"
                        + " 'qemu-img convert -O raw'");
            }
            throw new IllegalArgumentException("unknown image format '" + name + "' (supported: raw)");
        }
    }

    private static final Set<String> KNOWN_LATER = Set.of("qcow2", "qcow", "vdi", "vmdk", "vpc", "vhdx");
    private static final byte[] QCOW_MAGIC = {'Q', 'F', 'I', (byte) 0xFB};

    private BlockDevices() {
    }

    /** Opens {@code path} as {@code format}; missing and unreadable files are one-line errors. */
    public static BlockDevice open(Path path, Format format, boolean readOnly) throws IOException {
        try {
            return switch (format) {
                case RAW -> RawImage.open(path, readOnly);
            };
        } catch (NoSuchFileException e) {
            throw new IOException(path + ": no such file; create one with 'truncate -s 1G " + path.getFileName() + "'", e);
        } catch (AccessDeniedException e) {
            throw new IOException(path + ": permission denied" + (readOnly ? "" : "; add readonly=on to open it read-only"), e);
        }
    }

    /**
     * The format a file's contents announce, as QEMU probes it. A qcow2 file is recognized so that
     * it is never mistaken for (and written as) a raw disk.
     */
    public static Format probe(Path path) throws IOException {
        byte[] head = new byte[QCOW_MAGIC.length];
        int n;
        try (InputStream in = Files.newInputStream(path)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new IOException(path + ": no such file", e);
        }
        if (n == head.length && Arrays.equals(head, QCOW_MAGIC)) {
            return Format.parse("qcow2");
        }
        return Format.RAW;
    }
}
