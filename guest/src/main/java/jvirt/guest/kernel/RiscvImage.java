package jvirt.guest.kernel;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The 64-byte header of a flat RISC-V Linux {@code Image} (Documentation/arch/riscv/boot-image-header.rst):
 * the deprecated magic {@code "RISCV\0\0\0"} at offset 48 and the current magic {@code "RSC\x05"}
 * at offset 56. Debian ships this file as {@code boot/vmlinux-<version>}.
 */
public final class RiscvImage {
    public static final int HEADER_SIZE = 64;

    private static final byte[] MAGIC = "RISCV\0\0\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC2 = {'R', 'S', 'C', 0x05};

    private RiscvImage() {
    }

    /** Whether {@code header} (the file's first bytes) starts a RISC-V Image. */
    public static boolean isImage(byte[] header) {
        return header.length >= HEADER_SIZE
                && Arrays.equals(header, 48, 56, MAGIC, 0, MAGIC.length)
                && Arrays.equals(header, 56, 60, MAGIC2, 0, MAGIC2.length);
    }
}
