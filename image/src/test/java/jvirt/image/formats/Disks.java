package jvirt.image.formats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;

/** Disk contents for the format tests: random data with holes, and checks of what a backend reads back. */
public final class Disks {
    public static final int KIB = 1 << 10;
    public static final int MIB = 1 << 20;

    private Disks() {
    }

    /**
     * {@code size} bytes of zeros with random runs written over them: some block-aligned, some
     * not, one at the very end, one of zeros that were "written" (convert skips them anyway).
     */
    public static byte[] randomWithHoles(int size, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[size];
        fill(b, r, 0, Math.min(size, 70 * KIB));
        int runs = Math.max(2, size / (3 * MIB));
        for (int i = 0; i < runs; i++) {
            int at = r.nextInt(size);
            fill(b, r, at, Math.min(size - at, 1 + r.nextInt(200 * KIB)));
        }
        int tail = Math.min(size, 5000);
        fill(b, r, size - tail, tail);
        return b;
    }

    private static void fill(byte[] b, Random r, int at, int length) {
        byte[] chunk = new byte[length];
        r.nextBytes(chunk);
        System.arraycopy(chunk, 0, b, at, length);
    }

    public static Path writeRaw(Path path, byte[] content) throws IOException {
        return Files.write(path, content);
    }

    /** Reads the whole disk in pieces of several sizes (scattered over two segments too) and compares it to {@code expected}. */
    public static void assertContent(BlockDevice disk, byte[] expected) throws IOException {
        assertThat(disk.size()).isEqualTo(expected.length);
        try (Arena arena = Arena.ofConfined()) {
            int chunk = 3 * MIB + 512;
            MemorySegment buf = arena.allocate(chunk);
            for (long at = 0; at < expected.length; at += chunk) {
                int n = (int) Math.min(chunk, expected.length - at);
                MemorySegment part = buf.asSlice(0, n);
                disk.read(at, part);
                compare(part, expected, at);
            }
            Random r = new Random(expected.length);
            for (int i = 0; i < 40 && expected.length > 0; i++) {
                long at = r.nextInt(expected.length);
                int n = (int) Math.min(expected.length - at, 1 + r.nextInt(300 * KIB));
                int split = r.nextInt(n + 1);
                MemorySegment a = arena.allocate(Math.max(split, 1)).asSlice(0, split);
                MemorySegment b = arena.allocate(n - split + 1).asSlice(0, n - split);
                disk.read(at, List.of(a, b));
                compare(a, expected, at);
                compare(b, expected, at + split);
            }
        }
    }

    private static void compare(MemorySegment got, byte[] expected, long at) {
        byte[] g = got.toArray(ValueLayout.JAVA_BYTE);
        byte[] want = Arrays.copyOfRange(expected, (int) at, (int) at + g.length);
        if (!Arrays.equals(g, want)) {
            int i = Arrays.mismatch(g, want);
            throw new AssertionError("disk byte " + (at + i) + " reads " + g[i] + ", expected " + want[i]);
        }
    }

    /** Every run of the disk by status(), merged where consecutive runs are of one kind. */
    public static List<Extent> extents(BlockDevice disk) throws IOException {
        List<Extent> out = new java.util.ArrayList<>();
        for (long at = 0; at < disk.size(); ) {
            Extent e = disk.status(at, disk.size() - at);
            assertThat(e.length()).isPositive().isLessThanOrEqualTo(disk.size() - at);
            out.add(e);
            at += e.length();
        }
        return out;
    }

    /** Whether {@code kind} means the image stores bytes for the run (qemu-img map's "data": true). */
    public static boolean isData(Extent.Kind kind) {
        return kind == Extent.Kind.DATA || kind == Extent.Kind.COMPRESSED;
    }

    /**
     * Checks status() against qemu-img map: where qemu reports no data jvirt must not either, and
     * with {@code exact} where qemu reports data jvirt must too; and whatever jvirt reports as
     * not data must read as zeros.
     */
    public static void assertStatusAgrees(BlockDevice disk, List<QemuImg.MapEntry> map, byte[] content, boolean exact)
            throws IOException {
        List<Extent> mine = extents(disk);
        long at = 0;
        for (Extent e : mine) {
            if (!isData(e.kind())) {
                for (long i = at; i < at + e.length(); i++) {
                    if (content[(int) i] != 0) {
                        throw new AssertionError("status says " + e.kind() + " at " + at + "+" + e.length()
                                + " but byte " + i + " is " + content[(int) i]);
                    }
                }
            }
            at += e.length();
        }
        for (QemuImg.MapEntry q : map) {
            for (long[] r : runsOf(mine, q.start(), q.end())) {
                boolean data = r[2] == 1;
                if (!q.data() && data) {
                    throw new AssertionError("qemu-img map says no data at " + q.start() + "+" + q.length()
                            + " but status() says data at " + r[0] + "+" + (r[1] - r[0]));
                }
                if (exact && q.data() && !data) {
                    throw new AssertionError("qemu-img map says data at " + q.start() + "+" + q.length()
                            + " but status() says none at " + r[0] + "+" + (r[1] - r[0]));
                }
            }
        }
    }

    /** The pieces of {@code extents} inside [from, to): {start, end, isData ? 1 : 0}. */
    private static List<long[]> runsOf(List<Extent> extents, long from, long to) {
        List<long[]> out = new java.util.ArrayList<>();
        long at = 0;
        for (Extent e : extents) {
            long s = Math.max(at, from);
            long end = Math.min(at + e.length(), to);
            if (s < end) {
                out.add(new long[] {s, end, isData(e.kind()) ? 1 : 0});
            }
            at += e.length();
        }
        return out;
    }

    /**
     * Writes random runs (aligned, unaligned, across blocks, overlapping, some as two segments)
     * to {@code disk} and the same to {@code expected}.
     */
    public static void randomWrites(BlockDevice disk, byte[] expected, long seed, int count) throws IOException {
        Random r = new Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < count; i++) {
                int n = 1 + r.nextInt(i % 5 == 0 ? 3 * MIB : 70 * KIB);
                n = Math.min(n, expected.length);
                int at = r.nextBoolean() ? r.nextInt(expected.length - n + 1) : r.nextInt((expected.length - n) / 4096 + 1) * 4096;
                byte[] data = new byte[n];
                r.nextBytes(data);
                if (i % 7 == 3) {
                    Arrays.fill(data, 0, n / 2, (byte) 0);
                }
                System.arraycopy(data, 0, expected, at, n);
                if (i % 3 == 0 && n > 1) {
                    int split = 1 + r.nextInt(n - 1);
                    MemorySegment a = arena.allocate(split);
                    MemorySegment b = arena.allocate(n - split);
                    MemorySegment.copy(data, 0, a, ValueLayout.JAVA_BYTE, 0, split);
                    MemorySegment.copy(data, split, b, ValueLayout.JAVA_BYTE, 0, n - split);
                    disk.write(at, List.of(a, b));
                } else {
                    disk.write(at, MemorySegment.ofArray(data));
                }
            }
        }
    }
}
