package jvirt.image.qcow2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jvirt.image.InvalidImageException;

/**
 * The qcow2 header (QEMU's {@code docs/interop/qcow2.rst}): the fixed fields, the header
 * extensions and the backing file name, all of which live in the image's first cluster. Parsing
 * checks every field against the limits QEMU itself enforces, so that nothing a hostile file says
 * can make later code allocate or address without bound.
 */
final class Qcow2Header {
    static final int MAGIC = 0x514649fb; // "QFI\xfb"
    static final int V2_LENGTH = 72;
    static final int V3_LENGTH = 104;
    /** The v3 header with the compression type byte, padded to 8: what QEMU writes. */
    static final int V3_COMPRESSION_LENGTH = 112;
    static final int MIN_CLUSTER_BITS = 9;
    /** QEMU opens clusters of at most 2 MiB. */
    static final int MAX_CLUSTER_BITS = 21;
    /** QEMU's limits on the L1 table (32 MiB) and the refcount table (8 MiB). */
    static final long MAX_L1_BYTES = 32L << 20;
    static final long MAX_REFTABLE_BYTES = 8L << 20;
    static final int MAX_SNAPSHOTS = 65536;
    static final int MAX_BACKING_NAME = 1023;
    /** qemu-img writes the feature name table only in clusters of 8 KiB and more (it is 384 bytes). */
    static final int FEATURE_TABLE_MIN_CLUSTER_BITS = 13;

    static final long INCOMPAT_DIRTY = 1;
    static final long INCOMPAT_CORRUPT = 1 << 1;
    static final long INCOMPAT_DATA_FILE = 1 << 2;
    static final long INCOMPAT_COMPRESSION = 1 << 3;
    static final long INCOMPAT_EXTL2 = 1 << 4;
    static final long INCOMPAT_KNOWN = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_DATA_FILE
            | INCOMPAT_COMPRESSION | INCOMPAT_EXTL2;
    static final long COMPAT_LAZY_REFCOUNTS = 1;
    static final long AUTOCLEAR_BITMAPS = 1;

    static final int EXT_END = 0;
    static final int EXT_BACKING_FORMAT = 0xe2792aca;
    static final int EXT_FEATURE_TABLE = 0x6803f857;
    static final int EXT_BITMAPS = 0x23852875;
    static final int EXT_CRYPTO = 0x0537be77;
    static final int EXT_DATA_FILE = 0x44415441;

    int version;
    int clusterBits;
    long size;
    int cryptMethod;
    int l1Size;
    long l1TableOffset;
    long refcountTableOffset;
    int refcountTableClusters;
    int nbSnapshots;
    long snapshotsOffset;
    long incompatibleFeatures;
    long compatibleFeatures;
    long autoclearFeatures;
    int refcountOrder = 4;
    int headerLength = V2_LENGTH;
    int compressionType;
    String backingFile;
    String backingFormat;
    /** Header extensions jvirt does not interpret, kept as they are (type, then data). */
    final List<Extension> otherExtensions = new ArrayList<>();
    /** The bitmaps extension's data, when present. */
    byte[] bitmaps;

    record Extension(int type, byte[] data) {
    }

    long clusterSize() {
        return 1L << clusterBits;
    }

    /** Parses and checks the header in {@code cluster0} (the file's first bytes, up to one cluster). */
    static Qcow2Header parse(Path path, ByteBuffer cluster0, long fileSize) throws InvalidImageException {
        ByteBuffer b = cluster0.duplicate();
        if (b.remaining() < V2_LENGTH || b.getInt(0) != MAGIC) {
            throw new InvalidImageException(path, "not a qcow2 image (bad magic or truncated header)");
        }
        Qcow2Header h = new Qcow2Header();
        h.version = b.getInt(4);
        if (h.version != 2 && h.version != 3) {
            throw new InvalidImageException(path, h.version == 1
                    ? "qcow version 1 images are not supported; convert with 'qemu-img convert -O qcow2'"
                    : "unsupported qcow2 version " + Integer.toUnsignedString(h.version));
        }
        long backingOffset = b.getLong(8);
        int backingSize = b.getInt(16);
        h.clusterBits = b.getInt(20);
        if (h.clusterBits < MIN_CLUSTER_BITS || h.clusterBits > MAX_CLUSTER_BITS) {
            throw new InvalidImageException(path, "cluster size 2^" + Integer.toUnsignedString(h.clusterBits)
                    + " is outside 512 bytes to 2 MiB");
        }
        long clusterSize = h.clusterSize();
        h.size = b.getLong(24);
        h.cryptMethod = b.getInt(32);
        h.l1Size = b.getInt(36);
        h.l1TableOffset = b.getLong(40);
        h.refcountTableOffset = b.getLong(48);
        h.refcountTableClusters = b.getInt(56);
        h.nbSnapshots = b.getInt(60);
        h.snapshotsOffset = b.getLong(64);
        if (h.version == 3) {
            if (b.remaining() < V3_LENGTH) {
                throw new InvalidImageException(path, "truncated qcow2 v3 header");
            }
            h.incompatibleFeatures = b.getLong(72);
            h.compatibleFeatures = b.getLong(80);
            h.autoclearFeatures = b.getLong(88);
            h.refcountOrder = b.getInt(96);
            h.headerLength = b.getInt(100);
            if (h.headerLength < V3_LENGTH || (h.headerLength & 7) != 0 || h.headerLength > clusterSize
                    || h.headerLength > b.remaining()) {
                throw new InvalidImageException(path, "invalid header length " + Integer.toUnsignedString(h.headerLength));
            }
            if (h.headerLength > V3_LENGTH) {
                h.compressionType = b.get(104) & 0xff;
            }
        }
        if (h.refcountOrder < 0 || h.refcountOrder > 6) {
            throw new InvalidImageException(path, "refcount order " + Integer.toUnsignedString(h.refcountOrder)
                    + " is outside 0..6");
        }
        long unknown = h.incompatibleFeatures & ~INCOMPAT_KNOWN;
        if (unknown != 0) {
            throw new InvalidImageException(path, "unsupported incompatible features 0x" + Long.toHexString(unknown));
        }
        if ((h.incompatibleFeatures & INCOMPAT_COMPRESSION) != 0) {
            if (h.compressionType != Compression.ZSTD) {
                throw new InvalidImageException(path, "unknown compression type " + h.compressionType);
            }
        } else if (h.compressionType != Compression.DEFLATE) {
            throw new InvalidImageException(path, "compression type " + h.compressionType
                    + " set without its incompatible feature bit");
        }
        if (h.size < 0) {
            throw new InvalidImageException(path, "virtual size " + Long.toUnsignedString(h.size) + " is too large");
        }
        checkTable(path, "L1 table", h.l1TableOffset, Integer.toUnsignedLong(h.l1Size) * 8, MAX_L1_BYTES, clusterSize);
        long l2Entries = clusterSize / 8;
        long neededL1 = ceilDiv(ceilDiv(h.size, clusterSize), l2Entries);
        if (Integer.toUnsignedLong(h.l1Size) < neededL1) {
            throw new InvalidImageException(path, "L1 table of " + Integer.toUnsignedString(h.l1Size)
                    + " entries is too small for a " + h.size + "-byte disk");
        }
        if (h.refcountTableClusters == 0) {
            throw new InvalidImageException(path, "image has no refcount table");
        }
        checkTable(path, "refcount table", h.refcountTableOffset,
                Integer.toUnsignedLong(h.refcountTableClusters) * clusterSize, MAX_REFTABLE_BYTES, clusterSize);
        if (Integer.toUnsignedLong(h.nbSnapshots) > MAX_SNAPSHOTS) {
            throw new InvalidImageException(path, "too many snapshots (" + Integer.toUnsignedString(h.nbSnapshots) + ")");
        }
        if (h.nbSnapshots != 0) {
            checkTable(path, "snapshot table", h.snapshotsOffset, 0, Long.MAX_VALUE, clusterSize);
        }
        if (h.cryptMethod != 0) {
            throw new InvalidImageException(path, "encrypted qcow2 images are not supported; decrypt with"
                    + " 'qemu-img convert --object secret,… -O qcow2'");
        }
        if ((h.incompatibleFeatures & INCOMPAT_DATA_FILE) != 0) {
            throw new InvalidImageException(path, "qcow2 images with an external data file are not supported");
        }
        if ((h.incompatibleFeatures & INCOMPAT_EXTL2) != 0) {
            throw new InvalidImageException(path, "qcow2 images with extended L2 entries (subclusters) are not supported;"
                    + " convert with 'qemu-img convert -O qcow2 -o extended_l2=off'");
        }
        h.readExtensions(path, b, clusterSize);
        if (backingOffset != 0) {
            if (Integer.toUnsignedLong(backingSize) > MAX_BACKING_NAME || backingSize == 0
                    || backingOffset < 0 || backingOffset > Math.min(clusterSize, b.remaining()) - backingSize) {
                throw new InvalidImageException(path, "backing file name is outside the header cluster or too long");
            }
            byte[] name = new byte[backingSize];
            b.get((int) backingOffset, name);
            h.backingFile = new String(name, StandardCharsets.UTF_8);
            if (h.backingFile.indexOf('\0') >= 0) {
                throw new InvalidImageException(path, "backing file name contains a NUL byte");
            }
        }
        return h;
    }

    private void readExtensions(Path path, ByteBuffer b, long clusterSize) throws InvalidImageException {
        int at = headerLength;
        int end = (int) Math.min(clusterSize, b.remaining());
        boolean[] seen = new boolean[4];
        while (true) {
            if (at + 8 > end) {
                throw new InvalidImageException(path, "header extensions run past the first cluster");
            }
            int type = b.getInt(at);
            long length = Integer.toUnsignedLong(b.getInt(at + 4));
            if (type == EXT_END) {
                return;
            }
            if (length > end - at - 8) {
                throw new InvalidImageException(path, "header extension 0x" + Integer.toHexString(type)
                        + " runs past the first cluster");
            }
            byte[] data = new byte[(int) length];
            b.get(at + 8, data);
            switch (type) {
                case EXT_BACKING_FORMAT -> {
                    once(path, seen, 0, "backing format");
                    backingFormat = new String(data, StandardCharsets.UTF_8);
                }
                case EXT_FEATURE_TABLE -> once(path, seen, 1, "feature table"); // rewritten as jvirt's own
                case EXT_BITMAPS -> {
                    once(path, seen, 2, "bitmaps");
                    bitmaps = data;
                }
                case EXT_CRYPTO, EXT_DATA_FILE -> {
                    once(path, seen, 3, "crypto/data file");
                    otherExtensions.add(new Extension(type, data));
                }
                default -> otherExtensions.add(new Extension(type, data));
            }
            at += 8 + (int) ((length + 7) & ~7L);
        }
    }

    private static void once(Path path, boolean[] seen, int which, String name) throws InvalidImageException {
        if (seen[which]) {
            throw new InvalidImageException(path, "the " + name + " header extension appears twice");
        }
        seen[which] = true;
    }

    /** A table must start on a cluster, not in the header, and fit QEMU's size limit. */
    private static void checkTable(Path path, String what, long offset, long bytes, long maxBytes, long clusterSize)
            throws InvalidImageException {
        if (bytes > maxBytes) {
            throw new InvalidImageException(path, what + " of " + bytes + " bytes is too large");
        }
        if (bytes == 0 && offset == 0) {
            return;
        }
        if (offset <= 0 || (offset & (clusterSize - 1)) != 0 || offset > Long.MAX_VALUE - bytes
                || offset + bytes > Qcow2Image.MAX_HOST_OFFSET) {
            throw new InvalidImageException(path, what + " offset 0x" + Long.toHexString(offset) + " is invalid");
        }
    }

    static long ceilDiv(long a, long b) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }

    /** The header and its extensions and backing name as they are laid out in the first cluster. */
    ByteBuffer encode() {
        int length = version == 2 ? V2_LENGTH : headerLength;
        ByteBuffer b = ByteBuffer.allocate((int) clusterSize());
        b.putInt(0, MAGIC).putInt(4, version);
        b.putInt(20, clusterBits).putLong(24, size).putInt(32, cryptMethod).putInt(36, l1Size)
                .putLong(40, l1TableOffset).putLong(48, refcountTableOffset).putInt(56, refcountTableClusters)
                .putInt(60, nbSnapshots).putLong(64, snapshotsOffset);
        if (version == 3) {
            b.putLong(72, incompatibleFeatures).putLong(80, compatibleFeatures).putLong(88, autoclearFeatures)
                    .putInt(96, refcountOrder).putInt(100, headerLength);
            if (headerLength > V3_LENGTH) {
                b.put(104, (byte) compressionType);
            }
        }
        b.position(length);
        if (backingFormat != null) {
            putExtension(b, EXT_BACKING_FORMAT, backingFormat.getBytes(StandardCharsets.UTF_8));
        }
        if (version == 3 && clusterBits >= FEATURE_TABLE_MIN_CLUSTER_BITS) {
            putExtension(b, EXT_FEATURE_TABLE, FeatureNames.TABLE);
        }
        if (bitmaps != null) {
            putExtension(b, EXT_BITMAPS, bitmaps);
        }
        for (Extension e : otherExtensions) {
            putExtension(b, e.type(), e.data());
        }
        putExtension(b, EXT_END, new byte[0]);
        if (backingFile != null) {
            byte[] name = backingFile.getBytes(StandardCharsets.UTF_8);
            b.putLong(8, b.position()).putInt(16, name.length);
            b.put(name);
        }
        return b.flip();
    }

    private static void putExtension(ByteBuffer b, int type, byte[] data) {
        int padded = (data.length + 7) & ~7;
        if (b.remaining() < 8 + padded) {
            throw new java.nio.BufferOverflowException();
        }
        b.putInt(type).putInt(data.length).put(data);
        b.position(b.position() + padded - data.length);
    }

    /** Whether the header, its extensions and the backing name fit in the first cluster. */
    boolean fits() {
        try {
            encode();
            return true;
        } catch (java.nio.BufferOverflowException e) {
            return false;
        }
    }

    boolean backingNameTooLong() {
        return backingFile != null && backingFile.getBytes(StandardCharsets.UTF_8).length > MAX_BACKING_NAME;
    }
}
