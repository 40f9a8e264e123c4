package jvirt.image.vmdk;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;
import jvirt.image.ImageInfo;
import jvirt.image.InvalidImageException;
import jvirt.image.host.Buffers;
import jvirt.image.host.HostFile;

/**
 * A VMware disk: a descriptor (a text file of its own, or embedded in a monolithic sparse file)
 * and the extents it lists, one after the other: flat files, hosted sparse files (grain
 * directory, grain tables, zeroed-grain entries), stream-optimized files (deflated grains,
 * directory in the footer), zero extents.
 *
 * <p>Extent files named by a descriptor are resolved against the descriptor's folder; absolute
 * names and names that lead out of that folder are refused, and so are extents whose files are
 * missing or shorter than their lines say. The descriptor's CID changes on the first write after
 * opening (written at flush), as VMware and QEMU do, so that images layered on this one can tell.
 */
public final class VmdkImage implements BlockDevice {
    private static final int MAX_EXTENTS = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path path;
    private final boolean readOnly;
    /** The descriptor's own file when it has one (not embedded), else null. */
    private final HostFile descriptorFile;
    /** Where an embedded descriptor lies and how long its area is, or -1. */
    private final long embeddedAt;
    private final long embeddedSize;
    private final HostFile embeddingFile;
    private final VmdkDescriptor descriptor;
    private final String createType;
    private final long parentCid;
    private long cid;
    private boolean cidChanged;
    private boolean wroteSinceOpen;
    private final List<VmdkExtent> extents;
    private final long[] starts;
    private final long size;
    private boolean closed;

    private VmdkImage(Path path, boolean readOnly, HostFile descriptorFile, HostFile embeddingFile, long embeddedAt,
                      long embeddedSize, VmdkDescriptor descriptor, String createType, List<VmdkExtent> extents) {
        this.path = path;
        this.readOnly = readOnly;
        this.descriptorFile = descriptorFile;
        this.embeddingFile = embeddingFile;
        this.embeddedAt = embeddedAt;
        this.embeddedSize = embeddedSize;
        this.descriptor = descriptor;
        this.createType = createType;
        this.cid = descriptor == null ? VmdkDescriptor.NO_PARENT : descriptor.cid("CID", VmdkDescriptor.NO_PARENT);
        this.parentCid = descriptor == null ? VmdkDescriptor.NO_PARENT : descriptor.cid("parentCID", VmdkDescriptor.NO_PARENT);
        this.extents = extents;
        this.starts = new long[extents.size() + 1];
        for (int i = 0; i < extents.size(); i++) {
            starts[i + 1] = starts[i] + extents.get(i).sectors() * 512;
        }
        this.size = starts[extents.size()];
    }

    /** Opens {@code path}, a monolithic sparse or stream-optimized file or a descriptor; one-line errors for what is not usable. */
    public static VmdkImage open(Path path, boolean readOnly) throws IOException {
        HostFile first = HostFile.open(path, readOnly);
        List<VmdkExtent> opened = new ArrayList<>();
        try {
            long fileSize = first.size();
            byte[] head = new byte[(int) Math.min(fileSize, 4)];
            first.read(ByteBuffer.wrap(head), 0);
            int magic = SparseExtentHeader.magic(head);
            if (magic == SparseExtentHeader.COWD_MAGIC) {
                throw new InvalidImageException(path, "VMDK COWD (VMware 3 / VMFS sparse) extents are not supported");
            }
            if (magic == SparseExtentHeader.MAGIC) {
                SparseExtent extent = SparseExtent.open(path, first, "", -1, readOnly);
                opened.add(extent);
                SparseExtentHeader h = extent.header();
                VmdkDescriptor d = null;
                long at = -1;
                long areaSize = 0;
                if (h.descOffset > 0 && h.descSize > 0) {
                    if (h.descSize > VmdkDescriptor.MAX_SIZE / 512 || h.descOffset > fileSize / 512
                            || h.descSize * 512 > fileSize - h.descOffset * 512) {
                        throw new InvalidImageException(path, "VMDK embedded descriptor (" + h.descSize + " sectors at sector "
                                + h.descOffset + ") lies outside the file");
                    }
                    at = h.descOffset * 512;
                    areaSize = h.descSize * 512;
                    byte[] raw = new byte[(int) areaSize];
                    first.read(ByteBuffer.wrap(raw), at);
                    d = VmdkDescriptor.parse(path, raw, raw.length);
                    refuseParent(path, d);
                }
                return new VmdkImage(path, readOnly, null, first, at, areaSize, d,
                        h.compressed() ? "streamOptimized" : "monolithicSparse", opened);
            }
            return openDescriptor(path, first, fileSize, readOnly, opened);
        } catch (IOException | RuntimeException e) {
            for (VmdkExtent x : opened) {
                if (!(x instanceof SparseExtent s && s.file() == first)) {
                    x.close();
                }
            }
            first.close();
            throw e;
        }
    }

    private static void refuseParent(Path path, VmdkDescriptor d) throws InvalidImageException {
        if (d.values.containsKey("parentFileNameHint")) {
            throw new InvalidImageException(path, "differencing VMDK images (parentFileNameHint) are not supported");
        }
    }

    private static VmdkImage openDescriptor(Path path, HostFile file, long fileSize, boolean readOnly,
                                            List<VmdkExtent> opened) throws IOException {
        if (fileSize > VmdkDescriptor.MAX_SIZE) {
            throw new InvalidImageException(path, "not a VMDK image (no sparse extent magic, and " + fileSize
                    + " bytes is too large for a descriptor)");
        }
        byte[] raw = new byte[(int) fileSize];
        file.read(ByteBuffer.wrap(raw), 0);
        int text = 0;
        while (text < raw.length && raw[text] != 0) {
            text++;
        }
        for (int i = text; i < raw.length; i++) { // NULs may pad the text (QEMU pads to a sector), nothing else may follow
            if (raw[i] != 0) {
                throw new InvalidImageException(path, "not a VMDK image (no sparse extent magic, and binary data where a descriptor's text would be)");
            }
        }
        VmdkDescriptor d = VmdkDescriptor.parse(path, raw, raw.length);
        String type = d.createType();
        if (type == null) {
            throw new InvalidImageException(path, "not a VMDK descriptor (no createType)");
        }
        if (type.equals("seSparse") || type.equals("vmfsSparse") || type.equals("vmfsRDM") || type.equals("vmfsRaw")
                || type.equals("fullDevice") || type.equals("partitionedDevice")) {
            throw new InvalidImageException(path, "VMDK images of type " + type + " are not supported");
        }
        refuseParent(path, d);
        if (d.extents.isEmpty()) {
            throw new InvalidImageException(path, "VMDK descriptor lists no extents");
        }
        if (d.extents.size() > MAX_EXTENTS) {
            throw new InvalidImageException(path, "VMDK descriptor lists " + d.extents.size() + " extents, more than supported");
        }
        Path folder = path.toAbsolutePath().getParent();
        Set<Path> seen = new HashSet<>();
        long total = 0;
        for (VmdkDescriptor.ExtentLine line : d.extents) {
            if (line.access().equals("NOACCESS")) {
                throw new InvalidImageException(path, "VMDK extent \"" + line.file() + "\" is marked NOACCESS");
            }
            if (line.sectors() <= 0 || line.sectors() > SparseExtentHeader.MAX_CAPACITY) {
                throw new InvalidImageException(path, "VMDK extent of " + line.sectors() + " sectors is not supported");
            }
            total += line.sectors();
            if (total > SparseExtentHeader.MAX_CAPACITY) {
                throw new InvalidImageException(path, "VMDK disk of more than " + SparseExtentHeader.MAX_CAPACITY
                        + " sectors is not supported");
            }
            boolean extentReadOnly = readOnly || line.access().equals("RDONLY");
            switch (line.type()) {
                case "ZERO" -> opened.add(new ZeroExtent(line.sectors()));
                case "FLAT", "VMFS" -> {
                    Path p = extentPath(path, folder, line.file(), seen);
                    HostFile f = openExtent(path, p, extentReadOnly);
                    try {
                        long need = (line.offset() + line.sectors()) * 512;
                        if (line.offset() > SparseExtentHeader.MAX_CAPACITY || f.size() < need) {
                            throw new InvalidImageException(path, "VMDK extent file " + line.file() + " is " + f.size()
                                    + " bytes, less than the " + need + " its extent line says");
                        }
                    } catch (IOException | RuntimeException e) {
                        f.close();
                        throw e;
                    }
                    opened.add(new FlatExtent(f, line.type(), line.sectors(), line.offset(), extentReadOnly));
                }
                case "SPARSE" -> {
                    Path p = extentPath(path, folder, line.file(), seen);
                    HostFile f = openExtent(path, p, extentReadOnly);
                    try {
                        opened.add(SparseExtent.open(p, f, "SPARSE", line.sectors(), extentReadOnly));
                    } catch (IOException | RuntimeException e) {
                        f.close();
                        throw e;
                    }
                }
                default -> throw new InvalidImageException(path, "VMDK extents of type " + line.type() + " are not supported");
            }
        }
        return new VmdkImage(path, readOnly, file, null, -1, 0, d, type, opened);
    }

    /** The extent file {@code name}, which must stay inside the descriptor's folder. */
    private static Path extentPath(Path descriptor, Path folder, String name, Set<Path> seen) throws InvalidImageException {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new InvalidImageException(descriptor, "VMDK extent file name is empty");
        }
        Path p;
        try {
            p = Path.of(name);
        } catch (RuntimeException e) {
            throw new InvalidImageException(descriptor, "VMDK extent file name \"" + name + "\" is not a path");
        }
        if (p.isAbsolute()) {
            throw new InvalidImageException(descriptor, "VMDK extent file \"" + name
                    + "\" is an absolute path; only files beside the descriptor are followed");
        }
        Path resolved = folder.resolve(p).normalize();
        if (!resolved.startsWith(folder) || resolved.equals(folder)) {
            throw new InvalidImageException(descriptor, "VMDK extent file \"" + name
                    + "\" lies outside the descriptor's folder; only files beside it are followed");
        }
        if (!seen.add(resolved)) {
            throw new InvalidImageException(descriptor, "VMDK extent file \"" + name + "\" is listed twice");
        }
        return resolved;
    }

    private static HostFile openExtent(Path descriptor, Path p, boolean readOnly) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new InvalidImageException(descriptor, "VMDK extent file " + p.getFileName() + " is missing (looked for " + p + ")");
        }
        return HostFile.open(p, readOnly);
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    /** The extent that holds byte {@code pos}. */
    private int extentAt(long pos) {
        int lo = 0;
        int hi = extents.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= pos) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public void read(long offset, MemorySegment destination) throws IOException {
        read(offset, List.of(destination));
    }

    @Override
    public synchronized void read(long offset, List<MemorySegment> destinations) throws IOException {
        long length = Buffers.total(destinations);
        BlockDevice.checkRange(offset, length, size);
        checkOpen();
        for (long done = 0; done < length; ) {
            int i = extentAt(offset + done);
            long within = offset + done - starts[i];
            long n = Math.min(length - done, starts[i + 1] - offset - done);
            extents.get(i).read(within, n, destinations, done);
            done += n;
        }
    }

    @Override
    public void write(long offset, MemorySegment source) throws IOException {
        write(offset, List.of(source));
    }

    @Override
    public synchronized void write(long offset, List<MemorySegment> sources) throws IOException {
        checkWritable();
        long length = Buffers.total(sources);
        BlockDevice.checkRange(offset, length, size);
        for (long done = 0; done < length; ) {
            int i = extentAt(offset + done);
            long within = offset + done - starts[i];
            long n = Math.min(length - done, starts[i + 1] - offset - done);
            VmdkExtent e = extents.get(i);
            if (e.readOnly()) {
                throw new IOException(path + ": VMDK extent " + (e.path() == null ? i : e.path().getFileName()) + " is read-only");
            }
            e.write(within, n, sources, done);
            done += n;
        }
        changed();
    }

    private void changed() {
        if (!wroteSinceOpen) {
            wroteSinceOpen = true;
            cid = RANDOM.nextInt() & 0xffffffffL;
            cidChanged = true;
        }
    }

    private interface RangeOp {
        void apply(VmdkExtent e, long pos, long length) throws IOException;
    }

    private void forExtents(long offset, long length, RangeOp op) throws IOException {
        for (long done = 0; done < length; ) {
            int i = extentAt(offset + done);
            long within = offset + done - starts[i];
            long n = Math.min(length - done, starts[i + 1] - offset - done);
            if (!extents.get(i).readOnly()) {
                op.apply(extents.get(i), within, n);
            }
            done += n;
        }
    }

    @Override
    public synchronized void discard(long offset, long length) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, length, size);
        forExtents(offset, length, VmdkExtent::discard);
    }

    @Override
    public synchronized void writeZeroes(long offset, long length, boolean unmap) throws IOException {
        checkWritable();
        BlockDevice.checkRange(offset, length, size);
        forExtents(offset, length, (e, p, n) -> e.writeZeroes(p, n, unmap));
        changed();
    }

    /** Each extent makes its data and then its metadata durable; then the descriptor gets the new CID. */
    @Override
    public synchronized void flush() throws IOException {
        if (readOnly || closed) {
            return;
        }
        for (VmdkExtent e : extents) {
            if (!e.readOnly()) {
                e.flush();
            }
        }
        if (cidChanged && descriptor != null) {
            writeDescriptor(descriptor.withCid(cid));
            cidChanged = false;
        }
    }

    private void writeDescriptor(String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        if (descriptorFile != null) {
            descriptorFile.write(ByteBuffer.wrap(bytes), 0);
            descriptorFile.truncate(bytes.length);
            descriptorFile.sync();
        } else if (embeddingFile != null && embeddedAt > 0 && bytes.length <= embeddedSize) {
            ByteBuffer area = ByteBuffer.allocate((int) embeddedSize);
            area.put(bytes).clear();
            embeddingFile.write(area, embeddedAt);
            embeddingFile.sync();
        }
    }

    @Override
    public synchronized Extent status(long offset, long maxLength) throws IOException {
        BlockDevice.checkRange(offset, maxLength, size);
        checkOpen();
        int i = extentAt(offset);
        long within = offset - starts[i];
        return extents.get(i).status(within, Math.min(maxLength, starts[i + 1] - offset));
    }

    /** What qemu-img info prints: the cluster size when all extents share one, and cid, parent-cid, create-type, extents. */
    @Override
    public synchronized ImageInfo info() {
        long cluster = extents.getFirst().grainBytes();
        long actual = descriptorFile != null ? descriptorFile.allocatedBytes() : 0;
        List<Map<String, Object>> list = new ArrayList<>();
        for (VmdkExtent e : extents) {
            if (e.grainBytes() != extents.getFirst().grainBytes() || e.compressed() != extents.getFirst().compressed()) {
                cluster = 0;
            }
            long a = e.allocatedBytes();
            actual = actual < 0 || a < 0 ? -1 : actual + a;
            Map<String, Object> m = new LinkedHashMap<>();
            if (e.compressed()) {
                m.put("compressed", true);
            }
            m.put("virtual-size", e.sectors() * 512);
            m.put("filename", e.path() == null ? "" : relative(e.path()));
            if (e.grainBytes() > 0) {
                m.put("cluster-size", e.grainBytes());
            }
            m.put("format", e.type());
            list.add(m);
        }
        Map<String, Object> specific = new LinkedHashMap<>();
        specific.put("cid", cid);
        specific.put("parent-cid", parentCid);
        specific.put("create-type", createType);
        specific.put("extents", List.copyOf(list));
        return new ImageInfo("vmdk", size, actual, cluster, null, null, null, false, List.of(), specific);
    }

    /** An extent's file named as qemu-img names it: the descriptor's path with the extent's name in place of its own. */
    private String relative(Path extent) {
        Path parent = path.getParent();
        return parent == null ? extent.getFileName().toString() : parent.resolve(extent.getFileName()).toString();
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException(path + " is closed");
        }
    }

    private void checkWritable() throws IOException {
        checkOpen();
        if (readOnly) {
            throw new IOException(path + " is read-only");
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        IOException failure = null;
        try {
            flush();
        } catch (IOException e) {
            failure = e;
        }
        closed = true;
        for (VmdkExtent e : extents) {
            try {
                e.close();
            } catch (IOException x) {
                failure = failure == null ? x : failure;
            }
        }
        if (descriptorFile != null) {
            descriptorFile.close();
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "vmdk:" + path;
    }
}
