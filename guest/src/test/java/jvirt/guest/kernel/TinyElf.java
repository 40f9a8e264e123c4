package jvirt.guest.kernel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Hand-built ELF relocatable objects with three sections (null, .modinfo, .shstrtab): the least
 * a kernel module's .modinfo reader must handle.
 */
public final class TinyElf {
    private TinyElf() {
    }

    /** A 64-bit little-endian RISC-V object whose .modinfo holds {@code entries} ("key=value"). */
    public static byte[] module(String... entries) {
        return build(true, ByteOrder.LITTLE_ENDIAN, entries);
    }

    public static byte[] build(boolean is64, ByteOrder order, String... entries) {
        StringBuilder modinfo = new StringBuilder();
        for (String entry : entries) {
            modinfo.append(entry).append('\0');
        }
        byte[] info = modinfo.toString().getBytes(StandardCharsets.UTF_8);
        byte[] names = "\0.modinfo\0.shstrtab\0".getBytes(StandardCharsets.US_ASCII);
        int headerSize = is64 ? 64 : 52;
        int entrySize = is64 ? 64 : 40;
        int infoOffset = headerSize;
        int namesOffset = infoOffset + info.length;
        int tableOffset = (namesOffset + names.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(tableOffset + 3 * entrySize).order(order);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1), (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2), 1});
        b.putShort(16, (short) 1); // ET_REL
        b.putShort(18, (short) 243); // EM_RISCV
        if (is64) {
            b.putLong(0x28, tableOffset);
            b.putShort(0x34, (short) headerSize);
            b.putShort(0x3a, (short) entrySize);
            b.putShort(0x3c, (short) 3);
            b.putShort(0x3e, (short) 2);
        } else {
            b.putInt(0x20, tableOffset);
            b.putShort(0x28, (short) headerSize);
            b.putShort(0x2e, (short) entrySize);
            b.putShort(0x30, (short) 3);
            b.putShort(0x32, (short) 2);
        }
        b.put(infoOffset, info);
        b.put(namesOffset, names);
        section(b, is64, tableOffset + entrySize, 1, 1, infoOffset, info.length);
        section(b, is64, tableOffset + 2 * entrySize, 10, 3, namesOffset, names.length);
        return b.array();
    }

    private static void section(ByteBuffer b, boolean is64, int at, int name, int type, long offset, long size) {
        b.putInt(at, name);
        b.putInt(at + 4, type);
        if (is64) {
            b.putLong(at + 0x18, offset);
            b.putLong(at + 0x20, size);
        } else {
            b.putInt(at + 0x10, (int) offset);
            b.putInt(at + 0x14, (int) size);
        }
    }
}
