package jvirt.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import jvirt.image.qcow2.Qcow2Format;
import jvirt.image.raw.RawFormat;
import jvirt.image.vdi.VdiFormat;
import jvirt.image.vhd.VhdFormat;
import jvirt.image.vhdx.VhdxFormat;
import jvirt.image.vmdk.VmdkFormat;

/** The formats jvirt knows: found by name, recognized from a file's first bytes as QEMU does, opened. */
public final class ImageFormats {
    /** Bytes of a file's start that {@link ImageFormat#probe} sees. */
    public static final int PROBE_BYTES = 2048;

    public static final ImageFormat RAW = new RawFormat();
    public static final ImageFormat QCOW2 = new Qcow2Format();
    public static final ImageFormat VDI = new VdiFormat();
    public static final ImageFormat VPC = new VhdFormat();
    public static final ImageFormat VMDK = new VmdkFormat();
    public static final ImageFormat VHDX = new VhdxFormat();

    private static final List<ImageFormat> ALL = List.of(RAW, QCOW2, VDI, VMDK, VPC, VHDX);

    private ImageFormats() {
    }

    /** Every format, raw first. */
    public static List<ImageFormat> all() {
        return ALL;
    }

    /** The format called {@code name} (any case); a one-line error naming the known ones otherwise. */
    public static ImageFormat byName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return find(lower).orElseThrow(() -> new IllegalArgumentException("unknown image format '" + name
                + "' (supported: " + String.join(", ", ALL.stream().map(ImageFormat::name).toList()) + ")"));
    }

    private static Optional<ImageFormat> find(String name) {
        return ALL.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The format a file's contents announce; raw when none claims it, as QEMU probes. */
    public static ImageFormat probe(Path path) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(PROBE_BYTES);
        } catch (NoSuchFileException e) {
            throw new IOException(path + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(path + ": permission denied", e);
        }
        List<ImageFormat> candidates = new ArrayList<>(ALL);
        candidates.sort(Comparator.comparingInt((ImageFormat f) -> f.probe(head)).reversed());
        ImageFormat best = candidates.getFirst();
        return best.probe(head) > 0 ? best : RAW;
    }

    /**
     * Opens {@code path} as {@code format}, or as the probed format when {@code format} is
     * {@code null}; missing and unreadable files are one-line errors.
     */
    public static BlockDevice open(Path path, ImageFormat format, OpenOptions options) throws IOException {
        ImageFormat f = format != null ? format : probe(path);
        try {
            return f.open(path, options);
        } catch (NoSuchFileException e) {
            throw new IOException(path + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException(path + ": permission denied" + (options.readOnly() ? "" : "; open it read-only"), e);
        }
    }
}
