package jvirt.virt.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A RISC-V Linux kernel {@code Image} (Documentation/arch/riscv/boot-image-header.rst): a flat
 * binary with a 64-byte header holding the load offset from the start of RAM, the memory it needs
 * (including bss) and the magic {@code "RISCV\0\0\0"}/{@code "RSC\x05"}.
 */
public record LinuxImage(long textOffset, long imageSize) {
    /** Bytes of the header. */
    public static final int HEADER_SIZE = 64;
    private static final long MAGIC = 0x0000_0056_4353_4952L; // "RISCV\0\0\0" little-endian
    private static final int MAGIC2 = 0x0543_5352; // "RSC\x05"

    /** Reads the header ({@code head}: the file's first bytes) of a file of {@code fileSize} bytes. */
    public static LinuxImage parse(byte[] head, long fileSize, String what) throws BootException {
        if (ElfImage.isElf(head)) {
            throw new BootException(what + " is an ELF file; give the kernel as a flat Image (Debian's /boot/vmlinux-*"
                    + " in linux-image-*-riscv64), or boot an ELF with --bios");
        }
        if (head.length < HEADER_SIZE) {
            throw new BootException(what + " is too small to be a RISC-V Linux Image");
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getLong(48) != MAGIC || b.getInt(56) != MAGIC2) {
            if ((head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B) {
                throw new BootException(what + " is gzip-compressed; decompress it (gunzip) to get the Image");
            }
            throw new BootException(what + " is not a RISC-V Linux Image (no RISCV magic at offset 48)");
        }
        long textOffset = b.getLong(8);
        long imageSize = Math.max(b.getLong(16), fileSize);
        if (textOffset < 0 || (textOffset & 0xFFF) != 0 || imageSize <= 0) {
            throw new BootException(what + " has a corrupt Image header");
        }
        return new LinuxImage(textOffset, imageSize);
    }
}
