package jvirt.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The image read back by hand, field by field, as ECMA-119, Joliet, SUSP and RRIP lay it out. */
class IsoImageTest {
    static final Instant T = Instant.parse("2025-06-07T08:09:10Z");
    private static final int S = IsoImage.SECTOR_SIZE;

    private static byte[] sample() {
        return new IsoImage("cidata", T)
                .add("user-data", "#cloud-config\nhostname: a\n".getBytes(StandardCharsets.US_ASCII))
                .add("meta-data", "instance-id: iid-1\n".getBytes(StandardCharsets.US_ASCII))
                .add("network-config", "version: 2\n".repeat(400).getBytes(StandardCharsets.US_ASCII))
                .toByteArray();
    }

    static int le32(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    static int be32(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).order(ByteOrder.BIG_ENDIAN).getInt();
    }

    /** A both-endian field, checked to say the same in both halves. */
    static int both32(byte[] b, int at) {
        assertThat(be32(b, at + 4)).as("both-endian field at %d", at).isEqualTo(le32(b, at));
        return le32(b, at);
    }

    static String ascii(byte[] b, int at, int length) {
        return new String(b, at, length, StandardCharsets.US_ASCII);
    }

    record Record(int at, int length, int extent, int dataLength, boolean directory, byte[] identifier, byte[] systemUse) {}

    /** The directory records of the directory whose record is at {@code at}. */
    static List<Record> directory(byte[] image, int recordAt) {
        int extent = both32(image, recordAt + 2);
        int length = both32(image, recordAt + 10);
        assertThat(length % S).isZero();
        List<Record> records = new ArrayList<>();
        for (int at = extent * S; at < extent * S + length; ) {
            int size = image[at] & 0xff;
            if (size == 0) {
                at = (at / S + 1) * S;
                continue;
            }
            assertThat(at % S + size).as("a record does not cross a sector").isLessThanOrEqualTo(S);
            int idLength = image[at + 32] & 0xff;
            byte[] id = java.util.Arrays.copyOfRange(image, at + 33, at + 33 + idLength);
            int su = 33 + idLength + ((idLength & 1) == 0 ? 1 : 0);
            records.add(new Record(at, size, both32(image, at + 2), both32(image, at + 10), (image[at + 25] & 2) != 0,
                    id, java.util.Arrays.copyOfRange(image, at + su, at + size)));
            at += size;
        }
        return records;
    }

    /** SUSP entries by signature (the last of each), following no continuation. */
    static Map<String, byte[]> susp(byte[] area) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int at = 0; at + 4 <= area.length && area[at] != 0; at += area[at + 2] & 0xff) {
            assertThat(area[at + 3]).as("entry version").isEqualTo((byte) 1);
            entries.put(ascii(area, at, 2), java.util.Arrays.copyOfRange(area, at, at + (area[at + 2] & 0xff)));
        }
        return entries;
    }

    @Test
    void volumeDescriptors() {
        byte[] image = sample();
        assertThat(image.length % S).isZero();
        for (int i = 0; i < 16 * S; i++) {
            assertThat(image[i]).as("system area").isZero();
        }
        int pvd = 16 * S;
        assertThat(image[pvd]).isEqualTo((byte) 1);
        assertThat(ascii(image, pvd + 1, 5)).isEqualTo("CD001");
        assertThat(image[pvd + 6]).isEqualTo((byte) 1);
        assertThat(ascii(image, pvd + 40, 32)).isEqualTo(String.format("%-32s", "cidata"));
        assertThat(both32(image, pvd + 80) * S).isEqualTo(image.length);
        assertThat(image[pvd + 128] & 0xff | (image[pvd + 129] & 0xff) << 8).isEqualTo(S);
        assertThat(ascii(image, pvd + 813, 17)).isEqualTo("2025060708091000\0");
        assertThat(ascii(image, pvd + 847, 16)).isEqualTo("0000000000000000");
        assertThat(image[pvd + 881]).isEqualTo((byte) 1);

        int svd = 17 * S;
        assertThat(image[svd]).isEqualTo((byte) 2);
        assertThat(ascii(image, svd + 1, 5)).isEqualTo("CD001");
        assertThat(ascii(image, svd + 88, 3)).isEqualTo("%/E");
        assertThat(new String(image, svd + 40, 32, StandardCharsets.UTF_16BE)).isEqualTo(String.format("%-16s", "cidata"));
        assertThat(both32(image, svd + 80)).isEqualTo(both32(image, pvd + 80));

        int terminator = 18 * S;
        assertThat(image[terminator] & 0xff).isEqualTo(255);
        assertThat(ascii(image, terminator + 1, 5)).isEqualTo("CD001");
    }

    @Test
    void pathTablesPointAtEachRoot() {
        byte[] image = sample();
        for (int descriptor : new int[] {16 * S, 17 * S}) {
            int root = both32(image, descriptor + 156 + 2);
            assertThat(both32(image, descriptor + 132)).isEqualTo(10);
            int l = le32(image, descriptor + 140) * S;
            int m = be32(image, descriptor + 148) * S;
            assertThat(image[l]).isEqualTo((byte) 1);
            assertThat(le32(image, l + 2)).isEqualTo(root);
            assertThat(image[l + 6]).isEqualTo((byte) 1);
            assertThat(image[m]).isEqualTo((byte) 1);
            assertThat(be32(image, m + 2)).isEqualTo(root);
            assertThat(image[m + 7]).isEqualTo((byte) 1);
        }
    }

    @Test
    void primaryTreeHasLevel1NamesAndRockRidge() {
        byte[] image = sample();
        List<Record> root = directory(image, 16 * S + 156);
        assertThat(root).hasSize(5);
        assertThat(root.get(0).identifier()).containsExactly(0);
        assertThat(root.get(1).identifier()).containsExactly(1);
        assertThat(root.stream().skip(2).map(r -> ascii(r.identifier(), 0, r.identifier().length)))
                .containsExactly("META_DAT.;1", "NETWORK_.;1", "USER_DAT.;1");

        Map<String, byte[]> dot = susp(root.get(0).systemUse());
        assertThat(dot.keySet()).startsWith("SP").contains("RR", "PX", "TF", "CE");
        assertThat(dot.get("SP")).containsExactly('S', 'P', 7, 1, 0xBE, 0xEF, 0);
        assertThat(both32(dot.get("PX"), 4)).isEqualTo(040555);
        assertThat(both32(dot.get("PX"), 12)).isEqualTo(2);
        byte[] ce = dot.get("CE");
        int continuation = both32(ce, 4) * S + both32(ce, 12);
        Map<String, byte[]> more = susp(java.util.Arrays.copyOfRange(image, continuation, continuation + both32(ce, 20)));
        byte[] er = more.get("ER");
        assertThat(ascii(er, 8, er[4])).isEqualTo("RRIP_1991A");
        assertThat(er.length).isEqualTo(8 + (er[4] & 0xff) + (er[5] & 0xff) + (er[6] & 0xff)).isEqualTo(237);

        Record user = root.get(4);
        Map<String, byte[]> rr = susp(user.systemUse());
        assertThat(rr.keySet()).containsExactly("RR", "PX", "TF", "NM");
        assertThat(ascii(rr.get("NM"), 5, rr.get("NM").length - 5)).isEqualTo("user-data");
        assertThat(both32(rr.get("PX"), 4)).isEqualTo(0100444);
        assertThat(both32(rr.get("PX"), 12)).isEqualTo(1);
        assertThat(user.directory()).isFalse();
        assertThat(ascii(image, user.extent() * S, user.dataLength())).isEqualTo("#cloud-config\nhostname: a\n");
        assertThat(root.get(0).length() % 2).isZero();
        assertThat(user.length() % 2).isZero();
    }

    @Test
    void jolietTreeHasTheRealNamesAndTheSameExtents() {
        byte[] image = sample();
        List<Record> primary = directory(image, 16 * S + 156);
        List<Record> joliet = directory(image, 17 * S + 156);
        assertThat(joliet.stream().skip(2).map(r -> new String(r.identifier(), StandardCharsets.UTF_16BE)))
                .containsExactly("meta-data", "network-config", "user-data");
        for (int i = 2; i < 5; i++) {
            assertThat(joliet.get(i).extent()).isEqualTo(primary.get(i).extent());
            assertThat(joliet.get(i).dataLength()).isEqualTo(primary.get(i).dataLength());
            assertThat(joliet.get(i).systemUse()).isEmpty();
        }
        assertThat(joliet.get(3).dataLength()).isEqualTo(4400);
        assertThat(joliet.get(0).extent()).isNotEqualTo(primary.get(0).extent());
    }

    @Test
    void sameInputsSameBytes() {
        assertThat(sample()).isEqualTo(sample());
        byte[] later = new IsoImage("cidata", T.plusSeconds(1)).add("user-data", "#cloud-config\nhostname: a\n".getBytes())
                .add("meta-data", "instance-id: iid-1\n".getBytes())
                .add("network-config", "version: 2\n".repeat(400).getBytes()).toByteArray();
        assertThat(later).isNotEqualTo(sample());
    }

    @Test
    void level1Names() {
        Set<String> taken = new HashSet<>();
        assertThat(IsoImage.primaryName("user-data", taken)).isEqualTo("USER_DAT.;1");
        assertThat(IsoImage.primaryName("user-data2", taken)).isEqualTo("USER_DA1.;1");
        assertThat(IsoImage.primaryName("README.markdown", taken)).isEqualTo("README.MAR;1");
        assertThat(IsoImage.primaryName(".hidden", taken)).isEqualTo("_HIDDEN.;1");
    }

    @Test
    void directoriesLongerThanASectorAndEmptyFiles() {
        IsoImage iso = new IsoImage("cidata", T);
        for (int i = 0; i < 40; i++) {
            iso.add("a-file-with-a-rather-long-name-number-" + i, ("content " + i).getBytes());
        }
        iso.add("empty", new byte[0]);
        byte[] image = iso.toByteArray();
        List<Record> primary = directory(image, 16 * S + 156);
        List<Record> joliet = directory(image, 17 * S + 156);
        assertThat(primary).hasSize(43);
        assertThat(joliet).hasSize(43);
        assertThat(both32(image, 16 * S + 156 + 10)).isGreaterThan(S);
        assertThat(primary.stream().map(r -> new String(r.identifier(), StandardCharsets.US_ASCII)).distinct()).hasSize(43);
    }

    @Test
    void refusesWhatCannotBeWritten() {
        assertThatThrownBy(() -> new IsoImage("a volume id", T)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IsoImage("x".repeat(17), T)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IsoImage("cidata", Instant.parse("1899-12-31T00:00:00Z")))
                .isInstanceOf(IllegalArgumentException.class);
        IsoImage iso = new IsoImage("cidata", T).add("a", new byte[0]);
        assertThatThrownBy(() -> iso.add("a", new byte[0])).hasMessageContaining("already");
        for (String bad : List.of("", ".", "..", "a/b", "a;1", "x".repeat(65), "tab\t", "é")) {
            assertThatThrownBy(() -> iso.add(bad, new byte[0])).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
