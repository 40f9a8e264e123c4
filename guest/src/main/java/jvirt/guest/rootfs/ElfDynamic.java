package jvirt.guest.rootfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What an ELF program or shared library asks of the dynamic loader: the loader itself
 * ({@code PT_INTERP}; programs only) and the sonames of the libraries it needs ({@code DT_NEEDED}),
 * read through the program headers as the loader reads them, not through section headers, which
 * a stripped file need not keep. 64-bit little-endian ELF only: what a riscv64 guest runs.
 */
public record ElfDynamic(Optional<String> interpreter, List<String> needed) {
    private static final byte[] MAGIC = {0x7f, 'E', 'L', 'F'};
    private static final int HEADER_SIZE = 64;
    private static final int PROGRAM_HEADER_SIZE = 56;
    private static final int DYNAMIC_ENTRY_SIZE = 16;
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;

    public ElfDynamic {
        needed = List.copyOf(needed);
    }

    public static boolean isElf(byte[] file) {
        return file.length >= MAGIC.length && Arrays.equals(file, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** Reads {@code elf}; a statically linked file asks for nothing. */
    public static ElfDynamic read(byte[] elf) throws IOException {
        if (!isElf(elf) || elf.length < HEADER_SIZE) {
            throw new IOException("not an ELF file");
        }
        if (elf[4] != 2 || elf[5] != 1) {
            throw new IOException("not a 64-bit little-endian ELF file");
        }
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long tableOffset = b.getLong(0x20);
        int entrySize = Short.toUnsignedInt(b.getShort(0x36));
        int count = Short.toUnsignedInt(b.getShort(0x38));
        if (count > 0 && (entrySize < PROGRAM_HEADER_SIZE || !within(elf, tableOffset, (long) count * entrySize))) {
            throw new IOException("bad ELF program header table");
        }
        List<Segment> loads = new ArrayList<>();
        Segment dynamic = null;
        String interpreter = null;
        for (int i = 0; i < count; i++) {
            int at = (int) tableOffset + i * entrySize;
            Segment s = new Segment(b.getInt(at), b.getLong(at + 8), b.getLong(at + 16), b.getLong(at + 32));
            if ((s.type == PT_LOAD || s.type == PT_DYNAMIC || s.type == PT_INTERP) && !within(elf, s.offset, s.size)) {
                throw new IOException("ELF segment extends past the end of the file");
            }
            switch (s.type) {
                case PT_LOAD -> loads.add(s);
                case PT_DYNAMIC -> dynamic = s;
                case PT_INTERP -> interpreter = string(elf, s.offset, s.offset + s.size);
                default -> { }
            }
        }
        if (dynamic == null) {
            return new ElfDynamic(Optional.ofNullable(interpreter), List.of());
        }
        List<Long> neededOffsets = new ArrayList<>();
        long stringTable = -1;
        for (long at = dynamic.offset; at + DYNAMIC_ENTRY_SIZE <= dynamic.offset + dynamic.size; at += DYNAMIC_ENTRY_SIZE) {
            long tag = b.getLong((int) at);
            long value = b.getLong((int) at + 8);
            if (tag == DT_NULL) {
                break;
            } else if (tag == DT_NEEDED) {
                neededOffsets.add(value);
            } else if (tag == DT_STRTAB) {
                stringTable = value;
            }
        }
        if (neededOffsets.isEmpty()) {
            return new ElfDynamic(Optional.ofNullable(interpreter), List.of());
        }
        long strings = fileOffset(loads, stringTable);
        List<String> needed = new ArrayList<>();
        for (long offset : neededOffsets) {
            if (offset < 0 || offset >= elf.length - strings) {
                throw new IOException("ELF DT_NEEDED entry points past the end of the file");
            }
            needed.add(string(elf, strings + offset, elf.length));
        }
        return new ElfDynamic(Optional.ofNullable(interpreter), needed);
    }

    private record Segment(int type, long offset, long address, long size) {
    }

    /** Where the loader finds virtual address {@code address}: in the loaded segment that holds it. */
    private static long fileOffset(List<Segment> loads, long address) throws IOException {
        for (Segment s : loads) {
            if (Long.compareUnsigned(address, s.address) >= 0 && Long.compareUnsigned(address - s.address, s.size) < 0) {
                return s.offset + (address - s.address);
            }
        }
        throw new IOException("ELF dynamic string table lies in no loaded segment");
    }

    private static boolean within(byte[] file, long offset, long size) {
        return offset >= 0 && size >= 0 && offset <= file.length && size <= file.length - offset;
    }

    /** The NUL-terminated string at {@code start}, which must end before {@code end}. */
    private static String string(byte[] elf, long start, long end) throws IOException {
        for (int i = (int) start; i < end; i++) {
            if (elf[i] == 0) {
                return new String(elf, (int) start, i - (int) start, StandardCharsets.UTF_8);
            }
        }
        throw new IOException("unterminated string in ELF file");
    }
}
