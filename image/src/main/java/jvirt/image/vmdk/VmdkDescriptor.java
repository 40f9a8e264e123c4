package jvirt.image.vmdk;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jvirt.image.InvalidImageException;

/**
 * A VMDK text descriptor: {@code key=value} lines (version, CID, parentCID, createType,
 * parentFileNameHint), extent lines ({@code RW 2048 SPARSE "disk-s001.vmdk"}) and the disk
 * database ({@code ddb.* = "…"}). Found in a file of its own, or embedded in a sparse extent.
 */
final class VmdkDescriptor {
    /** Descriptors longer than this are refused (QEMU reads at most 1 MiB of one). */
    static final int MAX_SIZE = 1 << 20;
    static final long NO_PARENT = 0xffffffffL;
    private static final Pattern EXTENT = Pattern.compile(
            "(RW|RDONLY|NOACCESS)\\s+(\\d+)\\s+([A-Za-z]+)(?:\\s+\"([^\"]*)\"(?:\\s+(\\d+))?)?\\s*");
    private static final Pattern PAIR = Pattern.compile("([A-Za-z0-9_.:-]+)\\s*=\\s*(?:\"([^\"]*)\"|(.*))");

    /** One extent line; {@code file} is null for ZERO extents, {@code offset} is in sectors (flat extents). */
    record ExtentLine(String access, long sectors, String type, String file, long offset) {
    }

    final String text;
    final Map<String, String> values;
    final List<ExtentLine> extents;

    private VmdkDescriptor(String text, Map<String, String> values, List<ExtentLine> extents) {
        this.text = text;
        this.values = values;
        this.extents = extents;
    }

    /**
     * Parses descriptor bytes (NULs end an embedded descriptor). Every non-blank, non-comment line
     * must be a pair or an extent line: anything else means the file is not a descriptor.
     */
    static VmdkDescriptor parse(Path path, byte[] raw, int length) throws InvalidImageException {
        int end = 0;
        while (end < length && raw[end] != 0) {
            end++;
        }
        String text = new String(raw, 0, end, StandardCharsets.ISO_8859_1);
        Map<String, String> values = new LinkedHashMap<>();
        List<ExtentLine> extents = new ArrayList<>();
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            Matcher e = EXTENT.matcher(l);
            if (e.matches()) {
                long sectors = parseNumber(path, e.group(2), lineNo);
                String type = e.group(3).toUpperCase(Locale.ROOT);
                long offset = e.group(5) == null ? 0 : parseNumber(path, e.group(5), lineNo);
                if (e.group(4) == null && !type.equals("ZERO")) {
                    throw new InvalidImageException(path, "VMDK descriptor line " + lineNo + ": a " + type
                            + " extent needs a file name");
                }
                extents.add(new ExtentLine(e.group(1), sectors, type, e.group(4), offset));
                continue;
            }
            Matcher p = PAIR.matcher(l);
            if (p.matches()) {
                values.put(p.group(1), p.group(2) != null ? p.group(2) : p.group(3).strip());
                continue;
            }
            throw new InvalidImageException(path, "not a VMDK descriptor (line " + lineNo + " is neither a setting nor an extent)");
        }
        return new VmdkDescriptor(text, values, extents);
    }

    private static long parseNumber(Path path, String digits, int lineNo) throws InvalidImageException {
        if (digits.length() > 15) {
            throw new InvalidImageException(path, "VMDK descriptor line " + lineNo + ": number " + digits + " is too large");
        }
        return Long.parseLong(digits);
    }

    /** Whether {@code head} starts as QEMU's probe wants a descriptor to: comments and blank lines, then {@code version=1|2|3}. */
    static boolean probe(byte[] head) {
        int i = 0;
        int n = head.length;
        while (i < n) {
            if (head[i] == '#') {
                while (i < n && head[i] != '\n') {
                    i++;
                }
                i++;
                continue;
            }
            if (head[i] == ' ') {
                while (i < n && head[i] == ' ') {
                    i++;
                }
                if (i < n && head[i] == '\r') {
                    i++;
                }
                if (i == n || head[i] != '\n') {
                    return false;
                }
                i++;
                continue;
            }
            for (String v : new String[] {"version=1", "version=2", "version=3"}) {
                if (startsWith(head, i, v + "\n") || startsWith(head, i, v + "\r\n")) {
                    return true;
                }
            }
            return false;
        }
        return false;
    }

    private static boolean startsWith(byte[] b, int at, String s) {
        if (b.length - at < s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    String createType() {
        return values.get("createType");
    }

    /** A 32-bit content id (hex); {@code otherwise} when missing or not hex. */
    long cid(String key, long otherwise) {
        String v = values.get(key);
        if (v == null || v.isEmpty() || v.length() > 8) {
            return otherwise;
        }
        try {
            return Long.parseLong(v, 16);
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /** The text with its CID line saying {@code cid} (eight hex digits, so an embedded descriptor keeps its length). */
    String withCid(long cid) {
        return text.replaceFirst("(?m)^(\\s*CID\\s*=\\s*)[0-9A-Fa-f]*", "$1" + String.format("%08x", cid));
    }

    /** A new descriptor as jvirt writes it, in the layout VMware and QEMU use. */
    static String render(long cid, String createType, List<String> extentLines, String hwVersion, long sizeBytes,
                         String adapterType, String toolsVersion) {
        int heads = adapterType.equals("ide") ? 16 : 255;
        StringBuilder s = new StringBuilder();
        s.append("# Disk DescriptorFile\n");
        s.append("version=1\n");
        s.append(String.format("CID=%08x\n", cid));
        s.append("parentCID=ffffffff\n");
        s.append("createType=\"").append(createType).append("\"\n\n");
        s.append("# Extent description\n");
        for (String l : extentLines) {
            s.append(l).append('\n');
        }
        s.append("\n# The Disk Data Base\n#DDB\n\n");
        s.append("ddb.virtualHWVersion = \"").append(hwVersion).append("\"\n");
        s.append("ddb.geometry.cylinders = \"").append(sizeBytes / (63L * heads * 512)).append("\"\n");
        s.append("ddb.geometry.heads = \"").append(heads).append("\"\n");
        s.append("ddb.geometry.sectors = \"63\"\n");
        s.append("ddb.adapterType = \"").append(adapterType).append("\"\n");
        s.append("ddb.toolsVersion = \"").append(toolsVersion).append("\"\n");
        return s.toString();
    }
}
