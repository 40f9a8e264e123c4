package jvirt.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One disk image format: how to recognize, open and create it. Names are QEMU's ({@code raw},
 * {@code qcow2}, {@code vdi}, {@code vmdk}, {@code vpc}, {@code vhdx}).
 */
public interface ImageFormat {
    /** The format's name as {@code -f}/{@code -O}/{@code format=} spell it. */
    String name();

    /**
     * How sure the format is that a file starting with {@code head} is one of its images, from 0
     * (not at all) to 100, as QEMU's probes score. {@code head} holds up to
     * {@link ImageFormats#PROBE_BYTES} bytes (fewer when the file is shorter).
     */
    int probe(byte[] head);

    /** Opens an image; malformed images are an {@link InvalidImageException} with a one-line message. */
    BlockDevice open(Path path, OpenOptions options) throws IOException;

    /** The {@code -o} options {@link #create} accepts, empty when the format cannot be created. */
    List<String> createOptions();

    /**
     * Creates a new image of {@code size} bytes at {@code path}, replacing a file there, with the
     * format's {@code -o} options (qemu-img's names: {@code backing_file}, {@code backing_fmt},
     * {@code cluster_size}, …). An unknown option or value is an {@link IllegalArgumentException}.
     */
    void create(Path path, long size, Map<String, String> options) throws IOException;
}
