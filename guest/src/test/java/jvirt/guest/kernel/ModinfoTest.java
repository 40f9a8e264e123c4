package jvirt.guest.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModinfoTest {
    @Test
    void readsDependsFromAHandBuiltModule() throws IOException {
        Modinfo modinfo = Modinfo.read(TinyElf.module("license=GPL", "softdep=pre: crypto-crc32c",
                "depends=jbd2,mbcache,crc16", "alias=fs-ext4", "alias=ext3", "name=ext4"));

        assertThat(modinfo.depends()).containsExactly("jbd2", "mbcache", "crc16");
        assertThat(modinfo.fields().get("alias")).containsExactly("fs-ext4", "ext3");
        assertThat(modinfo.fields().get("name")).containsExactly("ext4");
    }

    @Test
    void anEmptyDependsMeansNone() throws IOException {
        assertThat(Modinfo.read(TinyElf.module("depends=", "name=virtio_mmio")).depends()).isEmpty();
        assertThat(Modinfo.read(TinyElf.module("name=crc16")).depends()).isEmpty();
    }

    @Test
    void readsThirtyTwoBitBigEndianObjectsToo() throws IOException {
        byte[] elf = TinyElf.build(false, ByteOrder.BIG_ENDIAN, "depends=failover");

        assertThat(Modinfo.read(elf).depends()).containsExactly("failover");
    }

    @Test
    void toleratesThePaddingBetweenEntries() {
        assertThat(Modinfo.parse("depends=a,b\0\0\0\0name=x\0".getBytes()).depends()).containsExactly("a", "b");
    }

    @Test
    void refusesWhatIsNotAModule() {
        assertThatThrownBy(() -> Modinfo.read("not an elf file at all, just some text....................................".getBytes()))
                .isInstanceOf(IOException.class).hasMessage("not an ELF object");
        byte[] noModinfo = TinyElf.module("depends=x");
        int at = indexOf(noModinfo, ".modinfo");
        noModinfo[at + 1] = 'X';
        assertThatThrownBy(() -> Modinfo.read(noModinfo)).hasMessage("no .modinfo section");
    }

    @Test
    void refusesSectionsThatPointOutsideTheFile() {
        byte[] elf = TinyElf.module("depends=x");
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        int table = (int) b.getLong(0x28);
        b.putLong(table + 64 + 0x20, Long.MAX_VALUE); // .modinfo's size

        assertThatThrownBy(() -> Modinfo.read(elf)).hasMessage("ELF section extends past the end of the file");
        b.putLong(0x28, Long.MAX_VALUE - 10); // the section header table's offset
        assertThatThrownBy(() -> Modinfo.read(elf)).hasMessage("bad ELF section header table");
    }

    private static int indexOf(byte[] haystack, String needle) {
        for (int i = 0; i + needle.length() <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length(), needle.getBytes(), 0, needle.length())) {
                return i;
            }
        }
        throw new AssertionError(needle + " not found");
    }

    @Test
    void normalizesModuleNames() {
        assertThat(KernelModules.moduleName("kernel/drivers/char/hw_random/virtio-rng.ko.xz")).isEqualTo("virtio_rng");
        assertThat(KernelModules.moduleName("kernel/fs/ext4/ext4.ko")).isEqualTo("ext4");
        assertThat(List.of("virtio-rng", "virtio_rng").stream().map(KernelModules::normalize).distinct()).hasSize(1);
    }
}
