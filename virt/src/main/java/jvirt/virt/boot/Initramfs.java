package jvirt.virt.boot;

import java.nio.charset.StandardCharsets;

/** Recognizes what Linux accepts as an initrd: a cpio archive, compressed or not, or a filesystem image. */
public final class Initramfs {
    /** Bytes {@link #check} needs from the start of the file. */
    public static final int HEADER_SIZE = 2048;

    private Initramfs() {
    }

    private static final byte[][] SIGNATURES = {
        ascii("070701"), ascii("070702"), ascii("070707"), // cpio newc, crc, odc
        {0x1F, (byte) 0x8B}, {0x1F, (byte) 0x9E}, // gzip
        {(byte) 0xFD, '7', 'z', 'X', 'Z', 0}, // xz
        {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD}, // zstd
        ascii("BZh"), // bzip2
        {0x5D, 0x00, 0x00}, // lzma
        {0x02, 0x21, 0x4C, 0x18}, // lz4
        {(byte) 0x89, 'L', 'Z', 'O'}, // lzo
    };

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** Throws unless the file's first bytes look like an initramfs or an ext2/3/4 ramdisk image. */
    public static void check(byte[] bytes, String what) throws BootException {
        for (byte[] signature : SIGNATURES) {
            if (startsWith(bytes, signature)) {
                return;
            }
        }
        boolean ext = bytes.length > 1081 && (bytes[1080] & 0xFF) == 0x53 && (bytes[1081] & 0xFF) == 0xEF;
        if (!ext) {
            throw new BootException(what + " is not an initramfs (a cpio archive, plain or compressed) or a ramdisk image");
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
