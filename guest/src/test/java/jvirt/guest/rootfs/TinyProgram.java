package jvirt.guest.rootfs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-built 64-bit little-endian RISC-V ELF files with the program headers the dynamic loader
 * reads: PT_INTERP (programs), one PT_LOAD mapping the file at {@link #BASE}, and PT_DYNAMIC whose
 * DT_STRTAB is a virtual address, so that a reader must map it back to a file offset.
 */
public final class TinyProgram {
    static final long BASE = 0x10000;
    private static final int HEADER_SIZE = 64;
    private static final int PROGRAM_HEADER_SIZE = 56;

    private TinyProgram() {
    }

    /** A program run by {@code interpreter} that needs {@code needed}. */
    public static byte[] program(String interpreter, String... needed) {
        return build(interpreter, List.of(needed));
    }

    /** A shared library (no interpreter) that needs {@code needed}. */
    public static byte[] library(String... needed) {
        return build(null, List.of(needed));
    }

    private static byte[] build(String interpreter, List<String> needed) {
        int headers = interpreter == null ? 2 : 3;
        ByteArrayOutputStream strings = new ByteArrayOutputStream();
        strings.write(0);
        List<Long> neededOffsets = new ArrayList<>();
        for (String soname : needed) {
            neededOffsets.add((long) strings.size());
            strings.writeBytes((soname + "\0").getBytes(StandardCharsets.UTF_8));
        }
        byte[] interp = interpreter == null ? new byte[0] : (interpreter + "\0").getBytes(StandardCharsets.UTF_8);
        int interpOffset = HEADER_SIZE + headers * PROGRAM_HEADER_SIZE;
        int stringsOffset = interpOffset + interp.length;
        int dynamicOffset = (stringsOffset + strings.size() + 7) & ~7;
        int dynamicSize = (neededOffsets.size() + 2) * 16;
        ByteBuffer b = ByteBuffer.allocate(dynamicOffset + dynamicSize).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(16, (short) (interpreter == null ? 3 : 2)); // ET_DYN, ET_EXEC
        b.putShort(18, (short) 243); // EM_RISCV
        b.putLong(0x20, HEADER_SIZE);
        b.putShort(0x34, (short) HEADER_SIZE);
        b.putShort(0x36, (short) PROGRAM_HEADER_SIZE);
        b.putShort(0x38, (short) headers);
        int at = HEADER_SIZE;
        if (interpreter != null) {
            segment(b, at, 3, interpOffset, interp.length);
            at += PROGRAM_HEADER_SIZE;
        }
        segment(b, at, 1, 0, b.capacity());
        segment(b, at + PROGRAM_HEADER_SIZE, 2, dynamicOffset, dynamicSize);
        b.put(interpOffset, interp);
        b.put(stringsOffset, strings.toByteArray());
        int entry = dynamicOffset;
        for (long offset : neededOffsets) {
            b.putLong(entry, 1).putLong(entry + 8, offset); // DT_NEEDED
            entry += 16;
        }
        b.putLong(entry, 5).putLong(entry + 8, BASE + stringsOffset); // DT_STRTAB, then DT_NULL
        return b.array();
    }

    private static void segment(ByteBuffer b, int at, int type, long offset, long size) {
        b.putInt(at, type);
        b.putLong(at + 8, offset);
        b.putLong(at + 16, BASE + offset);
        b.putLong(at + 24, BASE + offset);
        b.putLong(at + 32, size);
        b.putLong(at + 40, size);
    }
}
