package jvirt.image.vhd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import jvirt.image.InvalidImageException;

/**
 * The 512-byte hard disk footer that ends every VHD (and, for dynamic disks, also starts it):
 * cookie {@code conectix}, disk type, sizes, CHS geometry and a one's-complement checksum. All
 * fields are big-endian.
 */
final class VhdFooter {
    static final int SIZE = 512;
    static final int TYPE_FIXED = 2;
    static final int TYPE_DYNAMIC = 3;
    static final int TYPE_DIFFERENCING = 4;
    static final long MAX_GEOMETRY = 65535L * 16 * 255;
    /** QEMU's limit, 2040 GiB in sectors. */
    static final long MAX_SECTORS = 0xff000000L;
    /** Seconds from the Unix epoch to VHD's, 2000-01-01 00:00:00 UTC. */
    private static final long EPOCH_2000 = 946684800L;

    static final int OFF_FEATURES = 8;
    static final int OFF_VERSION = 12;
    static final int OFF_DATA_OFFSET = 16;
    static final int OFF_TIMESTAMP = 24;
    static final int OFF_CREATOR_APP = 28;
    static final int OFF_CREATOR_VERSION = 32;
    static final int OFF_CREATOR_OS = 36;
    static final int OFF_ORIGINAL_SIZE = 40;
    static final int OFF_CURRENT_SIZE = 48;
    static final int OFF_CYLINDERS = 56;
    static final int OFF_HEADS = 58;
    static final int OFF_SECTORS = 59;
    static final int OFF_TYPE = 60;
    static final int OFF_CHECKSUM = 64;
    static final int OFF_UUID = 68;

    /** Creator applications that size the disk by {@code current_size}, not by the geometry (QEMU's table). */
    private static final String[] CURRENT_SIZE_CREATORS = {"win ", "qem2", "d2v ", "CTXS", "tap\0"};

    private final byte[] raw;
    final int type;
    final long dataOffset;
    final long currentSize;
    final long geometrySectors;
    final String creatorApp;

    private VhdFooter(byte[] raw) {
        this.raw = raw;
        ByteBuffer b = ByteBuffer.wrap(raw);
        type = b.getInt(OFF_TYPE);
        dataOffset = b.getLong(OFF_DATA_OFFSET);
        currentSize = b.getLong(OFF_CURRENT_SIZE);
        geometrySectors = (long) Short.toUnsignedInt(b.getShort(OFF_CYLINDERS)) * Byte.toUnsignedInt(raw[OFF_HEADS])
                * Byte.toUnsignedInt(raw[OFF_SECTORS]);
        creatorApp = new String(raw, OFF_CREATOR_APP, 4, StandardCharsets.ISO_8859_1);
    }

    static boolean hasCookie(byte[] raw) {
        return raw.length >= 8 && new String(raw, 0, 8, StandardCharsets.ISO_8859_1).equals("conectix");
    }

    /** Checks the cookie and checksum of a footer read from {@code path}. */
    static VhdFooter parse(Path path, byte[] raw) throws InvalidImageException {
        if (!hasCookie(raw)) {
            throw new InvalidImageException(path, "not a VHD image (no conectix footer)");
        }
        int stored = ByteBuffer.wrap(raw).getInt(OFF_CHECKSUM);
        if (checksum(raw, OFF_CHECKSUM) != stored) {
            throw new InvalidImageException(path, "VHD footer checksum is wrong (the footer is damaged)");
        }
        return new VhdFooter(raw.clone());
    }

    /**
     * The disk's size as QEMU reckons it: Virtual PC sizes a disk by its CHS geometry, Hyper-V and
     * others by {@code current_size}; the creator application tells which, and a maximal geometry
     * always means {@code current_size}.
     */
    long virtualSize(Path path) throws InvalidImageException {
        boolean useGeometry = true;
        for (String app : CURRENT_SIZE_CREATORS) {
            if (app.equals(creatorApp)) {
                useGeometry = false;
            }
        }
        long sectors = useGeometry && geometrySectors != MAX_GEOMETRY ? geometrySectors
                : Long.divideUnsigned(currentSize, 512);
        if (Long.compareUnsigned(sectors, MAX_SECTORS) > 0) {
            throw new InvalidImageException(path, "VHD disk of " + Long.toUnsignedString(sectors)
                    + " sectors is larger than 2040 GiB, the most VHD allows");
        }
        return sectors * 512;
    }

    byte[] toBytes() {
        return raw.clone();
    }

    /** One's complement of the sum of every byte but the four at {@code checksumOffset}. */
    static int checksum(byte[] raw, int checksumOffset) {
        int sum = 0;
        for (int i = 0; i < raw.length; i++) {
            if (i < checksumOffset || i >= checksumOffset + 4) {
                sum += raw[i] & 0xff;
            }
        }
        return ~sum;
    }

    /** CHS geometry for a disk of {@code totalSectors}, by the algorithm of the VHD specification (with up to 255 sectors per track). */
    static int[] geometry(long totalSectors) {
        long total = Math.min(totalSectors, MAX_GEOMETRY);
        int spt;
        int heads;
        long cylTimesHeads;
        if (total >= 65535L * 16 * 63) {
            spt = 255;
            heads = 16;
            cylTimesHeads = total / spt;
        } else {
            spt = 17;
            cylTimesHeads = total / spt;
            heads = (int) Math.max(4, (cylTimesHeads + 1023) / 1024);
            if (cylTimesHeads >= heads * 1024L || heads > 16) {
                spt = 31;
                heads = 16;
                cylTimesHeads = total / spt;
            }
            if (cylTimesHeads >= heads * 1024L) {
                spt = 63;
                heads = 16;
                cylTimesHeads = total / spt;
            }
        }
        return new int[] {(int) (cylTimesHeads / heads), heads, spt};
    }

    /**
     * The geometry and size a new disk of {@code size} bytes gets: the smallest geometry that
     * holds it (the size rounds up to it), or with {@code forceSize} (or past what CHS can say) the
     * maximal geometry and the exact size.
     */
    static long[] sizeFor(long size, boolean forceSize) {
        long sectors = size / 512;
        int[] chs = {65535, 16, 255};
        if (!forceSize) {
            long want = Math.min(MAX_GEOMETRY, sectors);
            chs = new int[] {0, 0, 0};
            for (int i = 0; want > (long) chs[0] * chs[1] * chs[2]; i++) {
                chs = geometry(want + i);
            }
        }
        long g = (long) chs[0] * chs[1] * chs[2];
        long total = g == MAX_GEOMETRY ? sectors : g;
        return new long[] {total * 512, chs[0], chs[1], chs[2]};
    }

    /** A new footer; {@code dataOffset} is the dynamic header's offset, or -1 (all ones) for a fixed disk. */
    static VhdFooter create(int type, long size, long[] chs, long dataOffset, long nowSeconds) {
        byte[] raw = new byte[SIZE];
        ByteBuffer b = ByteBuffer.wrap(raw);
        b.put(0, "conectix".getBytes(StandardCharsets.ISO_8859_1));
        b.putInt(OFF_FEATURES, 2);
        b.putInt(OFF_VERSION, 0x00010000);
        b.putLong(OFF_DATA_OFFSET, dataOffset);
        b.putInt(OFF_TIMESTAMP, (int) (nowSeconds - EPOCH_2000));
        b.put(OFF_CREATOR_APP, "jvrt".getBytes(StandardCharsets.ISO_8859_1));
        b.putInt(OFF_CREATOR_VERSION, 0x00000001);
        b.put(OFF_CREATOR_OS, "Lnux".getBytes(StandardCharsets.ISO_8859_1));
        b.putLong(OFF_ORIGINAL_SIZE, size);
        b.putLong(OFF_CURRENT_SIZE, size);
        b.putShort(OFF_CYLINDERS, (short) chs[1]);
        raw[OFF_HEADS] = (byte) chs[2];
        raw[OFF_SECTORS] = (byte) chs[3];
        b.putInt(OFF_TYPE, type);
        UUID u = UUID.randomUUID();
        b.putLong(OFF_UUID, u.getMostSignificantBits());
        b.putLong(OFF_UUID + 8, u.getLeastSignificantBits());
        b.putInt(OFF_CHECKSUM, checksum(raw, OFF_CHECKSUM));
        return new VhdFooter(raw);
    }
}
