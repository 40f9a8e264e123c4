package jvirt.virt.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A RISC-V 64-bit little-endian ELF executable: its loadable segments (placed at their physical
 * addresses), its entry point and its symbol table. Every offset and size read from the file is
 * checked against the file before use.
 */
public final class ElfImage {
    private static final int EM_RISCV = 243;
    private static final int PT_LOAD = 1;
    private static final int SHT_SYMTAB = 2;

    /** A loadable segment: {@code fileSize} bytes from the file, then zeros up to {@code memorySize}. */
    public record Segment(long physicalAddress, int fileOffset, int fileSize, long memorySize) {
    }

    private final byte[] bytes;
    private final ByteBuffer buf;
    private final long entry;
    private final List<Segment> segments;
    private final String what;

    private ElfImage(byte[] bytes, String what) throws BootException {
        this.bytes = bytes;
        this.what = what;
        this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 64) {
            throw new BootException(what + " is a truncated ELF file");
        }
        if (bytes[4] != 2 || bytes[5] != 1) {
            throw new BootException(what + " is not a 64-bit little-endian ELF file");
        }
        int machine = buf.getShort(18) & 0xFFFF;
        if (machine != EM_RISCV) {
            throw new BootException(what + " is an ELF file for another architecture (e_machine " + machine
                    + "), not RISC-V");
        }
        entry = buf.getLong(24);
        segments = readSegments();
    }

    /** Whether {@code bytes} start with the ELF magic. */
    public static boolean isElf(byte[] bytes) {
        return bytes.length >= 4 && bytes[0] == 0x7F && bytes[1] == 'E' && bytes[2] == 'L' && bytes[3] == 'F';
    }

    public static ElfImage parse(byte[] bytes, String what) throws BootException {
        return new ElfImage(bytes, what);
    }

    public long entry() {
        return entry;
    }

    public List<Segment> segments() {
        return segments;
    }

    public byte[] bytes() {
        return bytes;
    }

    private List<Segment> readSegments() throws BootException {
        long phoff = buf.getLong(32);
        int phentsize = buf.getShort(54) & 0xFFFF;
        int phnum = buf.getShort(56) & 0xFFFF;
        if (phentsize < 56 || !inFile(phoff, (long) phentsize * phnum)) {
            throw new BootException(what + " has a program header table outside the file");
        }
        List<Segment> list = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (buf.getInt(at) != PT_LOAD) {
                continue;
            }
            long offset = buf.getLong(at + 8);
            long paddr = buf.getLong(at + 24);
            long filesz = buf.getLong(at + 32);
            long memsz = buf.getLong(at + 40);
            if (!inFile(offset, filesz) || memsz < filesz) {
                throw new BootException(what + " has a loadable segment outside the file");
            }
            if (memsz > 0) {
                list.add(new Segment(paddr, (int) offset, (int) filesz, memsz));
            }
        }
        if (list.isEmpty()) {
            throw new BootException(what + " has nothing to load (no PT_LOAD segment)");
        }
        return List.copyOf(list);
    }

    /** The value of symbol {@code name} in the symbol table, if the file has one with it. */
    public OptionalLong symbol(String name) {
        long shoff = buf.getLong(40);
        int shentsize = buf.getShort(58) & 0xFFFF;
        int shnum = buf.getShort(60) & 0xFFFF;
        if (shoff == 0 || shentsize < 64 || !inFile(shoff, (long) shentsize * shnum)) {
            return OptionalLong.empty();
        }
        byte[] wanted = name.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            if (buf.getInt(sh + 4) != SHT_SYMTAB) {
                continue;
            }
            long symOff = buf.getLong(sh + 24);
            long symSize = buf.getLong(sh + 32);
            int link = buf.getInt(sh + 40);
            if (!inFile(symOff, symSize) || link < 0 || link >= shnum) {
                continue;
            }
            int strSh = (int) (shoff + (long) link * shentsize);
            long strOff = buf.getLong(strSh + 24);
            long strSize = buf.getLong(strSh + 32);
            if (!inFile(strOff, strSize)) {
                continue;
            }
            for (long s = symOff; s + 24 <= symOff + symSize; s += 24) {
                long nameAt = strOff + (buf.getInt((int) s) & 0xFFFFFFFFL);
                if (nameAt < strOff + strSize && matches(nameAt, strOff + strSize, wanted)) {
                    return OptionalLong.of(buf.getLong((int) s + 8));
                }
            }
        }
        return OptionalLong.empty();
    }

    private boolean matches(long at, long limit, byte[] wanted) {
        if (at + wanted.length >= limit) {
            return false;
        }
        for (int k = 0; k < wanted.length; k++) {
            if (bytes[(int) at + k] != wanted[k]) {
                return false;
            }
        }
        return bytes[(int) at + wanted.length] == 0;
    }

    private boolean inFile(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= bytes.length && length <= bytes.length - offset;
    }
}
