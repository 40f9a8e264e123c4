package jvirt.cloudinit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An ISO 9660 volume (ECMA-119) holding a few files in its root directory, readable under their
 * real names through both Joliet and Rock Ridge (RRIP 1991A over SUSP), as {@code genisoimage -J -r}
 * writes them. The primary names are level-1 8.3 names, the only ones every reader accepts.
 *
 * <p>The layout, in 2048-byte sectors: the system area (0-15), the primary volume descriptor (16),
 * the Joliet supplementary volume descriptor (17), the set terminator (18), the L and M path tables
 * of the primary tree then of the Joliet tree (19-22), the Rock Ridge continuation area holding
 * the {@code ER} entry (23), the primary root directory, the Joliet root directory, then each
 * file's extent. The same files, names and timestamp give the same bytes.
 */
public final class IsoImage {
    public static final int SECTOR_SIZE = 2048;
    /** Joliet's limit on a name, in UCS-2 characters. */
    public static final int MAX_NAME_LENGTH = 64;
    /** A volume identifier must fit the Joliet descriptor's 32 bytes of UCS-2. */
    public static final int MAX_VOLUME_ID_LENGTH = 16;

    private static final int PVD = 16;
    private static final int SVD = 17;
    private static final int TERMINATOR = 18;
    private static final int PATH_TABLES = 19;
    private static final int CONTINUATION = 23;
    private static final int ROOT = 24;
    /** Directory records: the fixed part before the file identifier (ECMA-119 9.1). */
    private static final int RECORD_HEADER = 33;

    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    // RRIP 1991A "RR" flags: which Rock Ridge entries a record carries.
    private static final int RR_PX = 1;
    private static final int RR_NM = 8;
    private static final int RR_TF = 128;
    // TF flags: modify, access and attribute-change times, in the 7-byte form.
    private static final int TF_MODIFY_ACCESS_ATTRIBUTES = 0x0E;

    private static final String ER_ID = "RRIP_1991A";
    private static final String ER_DESCRIPTOR = "THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS";
    private static final String ER_SOURCE = "PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER"
            + " IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.";
    private static final String APPLICATION_ID = "JVIRT";

    private final String volumeId;
    private final LocalDateTime recorded;
    private final Map<String, byte[]> files = new LinkedHashMap<>();

    /**
     * @param volumeId the volume identifier (for a NoCloud seed {@code cidata}), letters, digits, '_', '-', '.'
     * @param recorded the time recorded in the descriptors and directory records (UTC, whole seconds)
     */
    public IsoImage(String volumeId, Instant recorded) {
        if (volumeId.isEmpty() || volumeId.length() > MAX_VOLUME_ID_LENGTH || !volumeId.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("volume identifier '" + volumeId + "': 1 to " + MAX_VOLUME_ID_LENGTH
                    + " letters, digits, '_', '-' or '.'");
        }
        LocalDateTime t = LocalDateTime.ofInstant(recorded, ZoneOffset.UTC);
        // The directory record's date counts years from 1900 in one byte.
        if (t.getYear() < 1900 || t.getYear() > 2155) {
            throw new IllegalArgumentException("timestamp " + recorded + " is outside ISO 9660's years 1900-2155");
        }
        this.volumeId = volumeId;
        this.recorded = t.withNano(0);
    }

    /** Adds a file to the root directory under {@code name}, its real (Joliet and Rock Ridge) name. */
    public IsoImage add(String name, byte[] content) {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.equals(".") || name.equals("..")
                || !name.chars().allMatch(c -> c >= 0x20 && c < 0x7f && "/\\*:;?".indexOf(c) < 0)) {
            throw new IllegalArgumentException("file name '" + name + "': 1 to " + MAX_NAME_LENGTH
                    + " printable ASCII characters other than / \\ * : ; ?");
        }
        if (files.containsKey(name)) {
            throw new IllegalArgumentException("file name '" + name + "' is already in the image");
        }
        files.put(name, content.clone());
        return this;
    }

    /** A file of the root directory: its names in the two trees and where its extent starts. */
    private record Entry(String name, String primaryName, byte[] content, int extent) {
        int sectors() {
            return sectorsFor(content.length);
        }
    }

    /** The whole image. */
    public byte[] toByteArray() {
        List<Entry> entries = entries(0);
        int primarySectors = sectorsFor(packedLength(primaryRecords(entries, 0, 0)));
        int jolietRoot = ROOT + primarySectors;
        int jolietSectors = sectorsFor(packedLength(jolietRecords(entries, 0, 0)));
        int firstExtent = jolietRoot + jolietSectors;
        entries = entries(firstExtent);
        long total = firstExtent + entries.stream().mapToLong(Entry::sectors).sum();
        if (total * SECTOR_SIZE > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the files do not fit a 2 GiB image");
        }
        byte[] image = new byte[(int) total * SECTOR_SIZE];
        byte[] primaryRoot = rootRecord(ROOT, primarySectors);
        byte[] jolietRootRecord = rootRecord(jolietRoot, jolietSectors);
        volumeDescriptor(image, PVD, 1, (int) total, PATH_TABLES, primaryRoot);
        volumeDescriptor(image, SVD, 2, (int) total, PATH_TABLES + 2, jolietRootRecord);
        descriptorHeader(image, TERMINATOR, 255);
        pathTables(image, PATH_TABLES, ROOT);
        pathTables(image, PATH_TABLES + 2, jolietRoot);
        extensionReference(image, CONTINUATION * SECTOR_SIZE);
        pack(image, ROOT, primaryRecords(entries, ROOT, primarySectors));
        pack(image, jolietRoot, jolietRecords(entries, jolietRoot, jolietSectors));
        for (Entry e : entries) {
            System.arraycopy(e.content(), 0, image, e.extent() * SECTOR_SIZE, e.content().length);
        }
        return image;
    }

    /** Writes the image to {@code file} through a temporary file beside it, so no half image is left. */
    public void writeTo(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.write(temp, toByteArray());
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The files with their primary names, extents laid out one after another from {@code firstExtent}. */
    private List<Entry> entries(int firstExtent) {
        List<Entry> entries = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        int extent = firstExtent;
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            // An empty file has no extent; sector 0 (the system area) is a location inside the image.
            Entry e = new Entry(f.getKey(), primaryName(f.getKey(), taken), f.getValue(),
                    f.getValue().length == 0 ? 0 : extent);
            entries.add(e);
            extent += e.sectors();
        }
        return entries;
    }

    /**
     * The level-1 name: d-characters only (A-Z, 0-9, '_'), 8 before the dot and 3 after, version 1;
     * a name already taken gets digits at the end of its first part.
     */
    static String primaryName(String name, Set<String> taken) {
        int dot = name.lastIndexOf('.');
        String base = dChars(dot > 0 ? name.substring(0, dot) : name);
        String ext = dChars(dot > 0 ? name.substring(dot + 1) : "");
        base = base.isEmpty() ? "_" : base.substring(0, Math.min(8, base.length()));
        ext = ext.substring(0, Math.min(3, ext.length()));
        String candidate = base + "." + ext;
        for (int n = 1; !taken.add(candidate); n++) {
            String digits = Integer.toString(n);
            candidate = base.substring(0, Math.min(base.length(), 8 - digits.length())) + digits + "." + ext;
        }
        return candidate + ";1";
    }

    private static String dChars(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toUpperCase(Locale.ROOT).toCharArray()) {
            b.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
        }
        return b.toString();
    }

    /** ECMA-119 9.3: records in order of name, then extension (shorter first, as if padded with spaces). */
    private static final Comparator<String> IDENTIFIER_ORDER = Comparator
            .comparing((String s) -> s.lastIndexOf('.') > 0 ? s.substring(0, s.lastIndexOf('.')) : s)
            .thenComparing(s -> s.lastIndexOf('.') > 0 ? s.substring(s.lastIndexOf('.') + 1) : "");

    private List<byte[]> primaryRecords(List<Entry> entries, int self, int selfSectors) {
        List<byte[]> records = new ArrayList<>();
        byte[] dirAttributes = concat(rr(RR_PX | RR_TF), px(S_IFDIR | 0555, 2), tf());
        // SUSP: SP opens the root's "." record; CE points at the ER entry, which is too long for a record.
        records.add(record(self, selfSectors * SECTOR_SIZE, true, new byte[] {0},
                concat(sp(), dirAttributes, ce(CONTINUATION, erLength()))));
        records.add(record(self, selfSectors * SECTOR_SIZE, true, new byte[] {1}, dirAttributes));
        entries.stream().sorted(Comparator.comparing(e -> e.primaryName().replace(";1", ""), IDENTIFIER_ORDER))
                .forEach(e -> records.add(record(e.extent(), e.content().length, false,
                        e.primaryName().getBytes(StandardCharsets.US_ASCII),
                        concat(rr(RR_PX | RR_TF | RR_NM), px(S_IFREG | 0444, 1), tf(), nm(e.name())))));
        return records;
    }

    /** Joliet names without the ";1" version, as genisoimage writes them (Linux takes either). */
    private List<byte[]> jolietRecords(List<Entry> entries, int self, int selfSectors) {
        List<byte[]> records = new ArrayList<>();
        records.add(record(self, selfSectors * SECTOR_SIZE, true, new byte[] {0}, new byte[0]));
        records.add(record(self, selfSectors * SECTOR_SIZE, true, new byte[] {1}, new byte[0]));
        entries.stream().sorted(Comparator.comparing(Entry::name, IDENTIFIER_ORDER))
                .forEach(e -> records.add(record(e.extent(), e.content().length, false,
                        e.name().getBytes(StandardCharsets.UTF_16BE), new byte[0])));
        return records;
    }

    private byte[] rootRecord(int extent, int sectors) {
        return record(extent, sectors * SECTOR_SIZE, true, new byte[] {0}, new byte[0]);
    }

    /** ECMA-119 9.1: a directory record, its system use area after the identifier's padding to even. */
    private byte[] record(int extent, int length, boolean directory, byte[] identifier, byte[] systemUse) {
        int padded = RECORD_HEADER + identifier.length + ((identifier.length & 1) == 0 ? 1 : 0);
        // Records of even length, as genisoimage and libisofs write them: entries stay 2-byte aligned.
        int size = padded + systemUse.length + ((systemUse.length & 1) == 1 ? 1 : 0);
        if (size > 255) {
            throw new IllegalStateException("directory record of " + size + " bytes");
        }
        byte[] r = new byte[size];
        r[0] = (byte) size;
        both32(r, 2, extent);
        both32(r, 10, length);
        System.arraycopy(recordingDate(), 0, r, 18, 7);
        r[25] = (byte) (directory ? 2 : 0);
        both16(r, 28, 1);
        r[32] = (byte) identifier.length;
        System.arraycopy(identifier, 0, r, RECORD_HEADER, identifier.length);
        System.arraycopy(systemUse, 0, r, padded, systemUse.length);
        return r;
    }

    /** The bytes a directory takes with its records packed so that none crosses a sector boundary. */
    private static int packedLength(List<byte[]> records) {
        int at = 0;
        for (byte[] r : records) {
            at = fitsInSector(at, r.length) ? at + r.length : roundUp(at) + r.length;
        }
        return at;
    }

    private static void pack(byte[] image, int sector, List<byte[]> records) {
        int at = 0;
        for (byte[] r : records) {
            at = fitsInSector(at, r.length) ? at : roundUp(at);
            System.arraycopy(r, 0, image, sector * SECTOR_SIZE + at, r.length);
            at += r.length;
        }
    }

    private static boolean fitsInSector(int at, int length) {
        return at % SECTOR_SIZE + length <= SECTOR_SIZE;
    }

    private static int roundUp(int bytes) {
        return (bytes + SECTOR_SIZE - 1) / SECTOR_SIZE * SECTOR_SIZE;
    }

    private static int sectorsFor(long bytes) {
        return (int) ((bytes + SECTOR_SIZE - 1) / SECTOR_SIZE);
    }

    private static void descriptorHeader(byte[] image, int sector, int type) {
        int at = sector * SECTOR_SIZE;
        image[at] = (byte) type;
        System.arraycopy("CD001".getBytes(StandardCharsets.US_ASCII), 0, image, at + 1, 5);
        image[at + 6] = 1;
    }

    /**
     * ECMA-119 8.4 (type 1) and the Joliet supplementary descriptor (type 2, escape sequence "%/E":
     * UCS-2 level 3, identifiers in big-endian UCS-2 padded with UCS-2 spaces).
     */
    private void volumeDescriptor(byte[] image, int sector, int type, int totalSectors, int pathTableSector, byte[] root) {
        boolean joliet = type == 2;
        int at = sector * SECTOR_SIZE;
        descriptorHeader(image, sector, type);
        identifier(image, at + 8, 32, "", joliet);             // system identifier
        identifier(image, at + 40, 32, volumeId, joliet);
        both32(image, at + 80, totalSectors);                 // volume space size
        if (joliet) {
            image[at + 88] = '%';
            image[at + 89] = '/';
            image[at + 90] = 'E';
        }
        both16(image, at + 120, 1);                            // volume set size
        both16(image, at + 124, 1);                            // volume sequence number
        both16(image, at + 128, SECTOR_SIZE);                  // logical block size
        both32(image, at + 132, pathTableLength());
        le32(image, at + 140, pathTableSector);                // type L path table
        be32(image, at + 148, pathTableSector + 1);            // type M path table
        System.arraycopy(root, 0, image, at + 156, root.length);
        identifier(image, at + 190, 128, "", joliet);          // volume set
        identifier(image, at + 318, 128, "", joliet);          // publisher
        identifier(image, at + 446, 128, "", joliet);          // data preparer
        identifier(image, at + 574, 128, APPLICATION_ID, joliet);
        identifier(image, at + 702, 37, "", joliet);           // copyright file
        identifier(image, at + 739, 37, "", joliet);           // abstract file
        identifier(image, at + 776, 37, "", joliet);           // bibliographic file
        volumeDate(image, at + 813, true);                     // creation
        volumeDate(image, at + 830, true);                     // modification
        volumeDate(image, at + 847, false);                    // expiration: none
        volumeDate(image, at + 864, false);                    // effective: not specified
        image[at + 881] = 1;                                   // file structure version
    }

    /** A descriptor's text field: ASCII padded with spaces, or for Joliet UCS-2 padded with UCS-2 spaces. */
    private static void identifier(byte[] image, int at, int length, String text, boolean joliet) {
        byte[] bytes = text.getBytes(joliet ? StandardCharsets.UTF_16BE : StandardCharsets.US_ASCII);
        Arrays.fill(image, at, at + length, (byte) ' ');
        if (joliet) {
            for (int i = 0; i + 1 < length; i += 2) {
                image[at + i] = 0;
            }
        }
        System.arraycopy(bytes, 0, image, at, bytes.length);
    }

    /** ECMA-119 8.4.26.1: "YYYYMMDDHHMMSScc" in digits and the offset from GMT; all zeros for none. */
    private void volumeDate(byte[] image, int at, boolean set) {
        String digits = set
                ? String.format(Locale.ROOT, "%04d%02d%02d%02d%02d%02d00", recorded.getYear(), recorded.getMonthValue(),
                        recorded.getDayOfMonth(), recorded.getHour(), recorded.getMinute(), recorded.getSecond())
                : "0000000000000000";
        System.arraycopy(digits.getBytes(StandardCharsets.US_ASCII), 0, image, at, 16);
        image[at + 16] = 0;
    }

    /** ECMA-119 9.1.5: years since 1900, month, day, hour, minute, second, offset from GMT (UTC here). */
    private byte[] recordingDate() {
        return new byte[] {(byte) (recorded.getYear() - 1900), (byte) recorded.getMonthValue(),
            (byte) recorded.getDayOfMonth(), (byte) recorded.getHour(), (byte) recorded.getMinute(),
            (byte) recorded.getSecond(), 0};
    }

    /** One directory, the root: its identifier is a single zero byte and it is its own parent. */
    private static int pathTableLength() {
        return 8 + 1 + 1;
    }

    /** ECMA-119 9.4: the L table (little-endian) in {@code sector}, the M table (big-endian) in the next. */
    private static void pathTables(byte[] image, int sector, int rootExtent) {
        int l = sector * SECTOR_SIZE;
        int m = l + SECTOR_SIZE;
        image[l] = 1;
        image[m] = 1;
        le32(image, l + 2, rootExtent);
        be32(image, m + 2, rootExtent);
        image[l + 6] = 1;
        image[m + 7] = 1;
    }

    // SUSP (IEEE P1281) and RRIP (IEEE P1282) system use entries: signature, length, version 1, data.

    private static byte[] entry(char a, char b, byte[] data) {
        byte[] e = new byte[4 + data.length];
        e[0] = (byte) a;
        e[1] = (byte) b;
        e[2] = (byte) e.length;
        e[3] = 1;
        System.arraycopy(data, 0, e, 4, data.length);
        return e;
    }

    /** SP: SUSP is in use, check bytes BE EF, no bytes skipped before each record's entries. */
    private static byte[] sp() {
        return entry('S', 'P', new byte[] {(byte) 0xBE, (byte) 0xEF, 0});
    }

    private static byte[] rr(int flags) {
        return entry('R', 'R', new byte[] {(byte) flags});
    }

    /** PX in its RRIP 1991A form: mode, links, uid, gid (root owns everything). */
    private static byte[] px(int mode, int links) {
        byte[] d = new byte[32];
        both32(d, 0, mode);
        both32(d, 8, links);
        return entry('P', 'X', d);
    }

    private byte[] tf() {
        byte[] date = recordingDate();
        byte[] d = new byte[1 + 3 * date.length];
        d[0] = TF_MODIFY_ACCESS_ATTRIBUTES;
        for (int i = 0; i < 3; i++) {
            System.arraycopy(date, 0, d, 1 + i * date.length, date.length);
        }
        return entry('T', 'F', d);
    }

    private static byte[] nm(String name) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] d = new byte[1 + n.length];
        System.arraycopy(n, 0, d, 1, n.length);
        return entry('N', 'M', d);
    }

    /** CE: the rest of the system use area is {@code length} bytes at the start of {@code sector}. */
    private static byte[] ce(int sector, int length) {
        byte[] d = new byte[24];
        both32(d, 0, sector);
        both32(d, 16, length);
        return entry('C', 'E', d);
    }

    private static int erLength() {
        return 8 + ER_ID.length() + ER_DESCRIPTOR.length() + ER_SOURCE.length();
    }

    /** ER: the extension in use is RRIP_1991A, which is what makes Linux read the Rock Ridge entries. */
    private static void extensionReference(byte[] image, int at) {
        byte[] text = (ER_ID + ER_DESCRIPTOR + ER_SOURCE).getBytes(StandardCharsets.US_ASCII);
        byte[] d = new byte[4 + text.length];
        d[0] = (byte) ER_ID.length();
        d[1] = (byte) ER_DESCRIPTOR.length();
        d[2] = (byte) ER_SOURCE.length();
        d[3] = 1;
        System.arraycopy(text, 0, d, 4, text.length);
        byte[] er = entry('E', 'R', d);
        System.arraycopy(er, 0, image, at, er.length);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    // ECMA-119 7.2 and 7.3: 16- and 32-bit numbers little-endian, big-endian, or both (LE then BE).

    private static void le32(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static void be32(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    private static void both32(byte[] b, int at, int v) {
        le32(b, at, v);
        be32(b, at + 4, v);
    }

    private static void both16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
