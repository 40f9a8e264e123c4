package jvirt.guest.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

public class RiscvImageTest {
    /** The first 64 bytes of a RISC-V Image as Debian ships it (an EFI stub "MZ" in front). */
    public static byte[] header() {
        byte[] header = new byte[RiscvImage.HEADER_SIZE];
        header[0] = 'M';
        header[1] = 'Z';
        System.arraycopy("RISCV\0\0\0".getBytes(StandardCharsets.US_ASCII), 0, header, 48, 8);
        System.arraycopy(new byte[] {'R', 'S', 'C', 0x05}, 0, header, 56, 4);
        return header;
    }

    @Test
    void recognisesTheImageHeader() {
        assertThat(RiscvImage.isImage(header())).isTrue();
    }

    @Test
    void refusesOtherFiles() {
        byte[] elf = header();
        elf[59] = 0x04;
        assertThat(RiscvImage.isImage(elf)).isFalse();
        byte[] old = header();
        old[48] = 'X';
        assertThat(RiscvImage.isImage(old)).isFalse();
        assertThat(RiscvImage.isImage(new byte[10])).isFalse();
    }
}
