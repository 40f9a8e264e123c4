package jvirt.image;

import java.util.List;
import java.util.Map;

/**
 * What {@code qemu-img info} says about one image, field for field.
 *
 * @param format               the format's name ({@code qcow2}, {@code raw}, …)
 * @param virtualSize          the disk's size in bytes
 * @param actualSize           bytes the file occupies on the host, or -1 when unknown
 * @param clusterSize          the allocation unit, or 0 for formats without one
 * @param backingFilename      the backing file as the image names it, or {@code null}
 * @param fullBackingFilename  the backing file resolved against the image's folder, or {@code null}
 * @param backingFormat        the backing file's format as the image names it, or {@code null}
 * @param dirty                whether the image is marked dirty (open for writing, refcounts not trusted)
 * @param snapshots            internal snapshots, oldest first
 * @param formatSpecific       the format's own fields in qemu-img's JSON names and order, or an empty map
 */
public record ImageInfo(String format, long virtualSize, long actualSize, long clusterSize,
                        String backingFilename, String fullBackingFilename, String backingFormat,
                        boolean dirty, List<SnapshotInfo> snapshots, Map<String, Object> formatSpecific) {
    public ImageInfo {
        snapshots = List.copyOf(snapshots);
        formatSpecific = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(formatSpecific));
    }

    /** An image with no backing file, snapshots or format-specific fields. */
    public static ImageInfo plain(String format, long virtualSize, long actualSize, long clusterSize) {
        return new ImageInfo(format, virtualSize, actualSize, clusterSize, null, null, null, false, List.of(), Map.of());
    }
}
