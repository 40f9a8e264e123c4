package jvirt.guest.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A kernel module's {@code .modinfo} section: NUL-separated {@code key=value} strings such as
 * {@code depends=jbd2,mbcache,crc16}, read from the module's ELF section headers (32- or 64-bit,
 * either byte order).
 */
public record Modinfo(Map<String, List<String>> fields) {
    private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};
    private static final int SHT_NOBITS = 8;

    public Modinfo {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        fields.forEach((key, values) -> copy.put(key, List.copyOf(values)));
        fields = Map.copyOf(copy);
    }

    /** The modules this one needs loaded first, as written (names may use '-' or '_'). */
    public List<String> depends() {
        List<String> names = new ArrayList<>();
        for (String value : fields.getOrDefault("depends", List.of())) {
            Arrays.stream(value.split(",")).map(String::strip).filter(n -> !n.isEmpty()).forEach(names::add);
        }
        return names;
    }

    /** Reads the {@code .modinfo} section of the ELF object {@code elf}. */
    public static Modinfo read(byte[] elf) throws IOException {
        return parse(section(elf, ".modinfo"));
    }

    /** Splits a {@code .modinfo} section into its fields; a key may repeat (alias=, firmware=). */
    public static Modinfo parse(byte[] section) {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        for (String entry : new String(section, StandardCharsets.UTF_8).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                fields.computeIfAbsent(entry.substring(0, eq), k -> new ArrayList<>()).add(entry.substring(eq + 1));
            }
        }
        return new Modinfo(fields);
    }

    private static byte[] section(byte[] elf, String wanted) throws IOException {
        if (elf.length < 0x40 || !Arrays.equals(elf, 0, 4, ELF_MAGIC, 0, 4)) {
            throw new IOException("not an ELF object");
        }
        boolean is64 = switch (elf[4]) {
            case 1 -> false;
            case 2 -> true;
            default -> throw new IOException("unknown ELF class " + elf[4]);
        };
        ByteBuffer b = ByteBuffer.wrap(elf).order(switch (elf[5]) {
            case 1 -> ByteOrder.LITTLE_ENDIAN;
            case 2 -> ByteOrder.BIG_ENDIAN;
            default -> throw new IOException("unknown ELF byte order " + elf[5]);
        });
        long tableOffset = is64 ? b.getLong(0x28) : Integer.toUnsignedLong(b.getInt(0x20));
        int entrySize = Short.toUnsignedInt(b.getShort(is64 ? 0x3a : 0x2e));
        int count = Short.toUnsignedInt(b.getShort(is64 ? 0x3c : 0x30));
        int namesIndex = Short.toUnsignedInt(b.getShort(is64 ? 0x3e : 0x32));
        if (count == 0 || namesIndex >= count || entrySize < (is64 ? 0x40 : 0x28)
                || tableOffset < 0 || tableOffset > elf.length - (long) count * entrySize) {
            throw new IOException("bad ELF section header table");
        }
        SectionHeader names = header(b, is64, (int) tableOffset + namesIndex * entrySize, elf.length);
        for (int i = 0; i < count; i++) {
            SectionHeader h = header(b, is64, (int) tableOffset + i * entrySize, elf.length);
            if (h.type != SHT_NOBITS && wanted.equals(string(elf, names, h.nameOffset))) {
                return Arrays.copyOfRange(elf, (int) h.offset, (int) (h.offset + h.size));
            }
        }
        throw new IOException("no " + wanted + " section");
    }

    private record SectionHeader(int nameOffset, int type, long offset, long size) {
    }

    private static SectionHeader header(ByteBuffer b, boolean is64, int at, int fileSize) throws IOException {
        SectionHeader h = new SectionHeader(b.getInt(at), b.getInt(at + 4),
                is64 ? b.getLong(at + 0x18) : Integer.toUnsignedLong(b.getInt(at + 0x10)),
                is64 ? b.getLong(at + 0x20) : Integer.toUnsignedLong(b.getInt(at + 0x14)));
        if (h.type != SHT_NOBITS && (h.offset < 0 || h.size < 0 || h.offset > fileSize || h.size > fileSize - h.offset)) {
            throw new IOException("ELF section extends past the end of the file");
        }
        return h;
    }

    private static String string(byte[] elf, SectionHeader table, int offset) {
        if (offset < 0 || offset >= table.size) {
            return "";
        }
        int start = (int) (table.offset + offset);
        int end = start;
        while (end < table.offset + table.size && elf[end] != 0) {
            end++;
        }
        return new String(elf, start, end - start, StandardCharsets.US_ASCII);
    }
}
