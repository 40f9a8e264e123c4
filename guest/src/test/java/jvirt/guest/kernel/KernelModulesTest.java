package jvirt.guest.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import jvirt.guest.debian.DebBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KernelModulesTest {
    private final KernelModules modules = new KernelModules();

    private void add(String path, String... modinfo) throws IOException {
        byte[] elf = TinyElf.module(modinfo);
        modules.addFile(path, path.endsWith(".xz") ? DebBuilder.xz(elf) : elf);
    }

    @BeforeEach
    void debianLikeKernel() throws IOException {
        add("kernel/drivers/net/net_failover.ko.xz", "depends=failover");
        add("kernel/drivers/net/virtio_net.ko.xz", "depends=net_failover");
        add("kernel/net/core/failover.ko.xz", "depends=");
        add("kernel/drivers/char/hw_random/virtio-rng.ko.xz", "depends=");
        add("kernel/fs/ext4/ext4.ko.xz", "depends=jbd2,mbcache,crc16");
        add("kernel/fs/jbd2/jbd2.ko.xz", "depends=");
        add("kernel/fs/mbcache.ko", "depends=");
        add("kernel/lib/crc16.ko.xz", "depends=");
        add("kernel/sound/unrelated.ko.xz", "depends=");
        modules.addBuiltin("kernel/drivers/char/virtio_console.ko\nkernel/drivers/virtio/virtio.ko\n");
    }

    @Test
    void selectsWhatIsWantedWithItsDependenciesInLoadOrder() throws IOException {
        ModuleSelection selection = modules.select(List.of("virtio_net", "virtio-rng", "virtio_console", "ext4"));

        assertThat(selection.names()).containsExactly(
                "failover", "net_failover", "virtio_net", "virtio_rng", "jbd2", "mbcache", "crc16", "ext4");
        KernelModule rng = selection.loadOrder().get(3);
        assertThat(rng.path()).isEqualTo("kernel/drivers/char/hw_random/virtio-rng.ko");
        assertThat(rng.image()).startsWith(0x7f, 'E', 'L', 'F'); // decompressed
        assertThat(selection.modulesDep()).isEqualTo("""
                kernel/net/core/failover.ko:
                kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
                kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko
                kernel/drivers/char/hw_random/virtio-rng.ko:
                kernel/fs/jbd2/jbd2.ko:
                kernel/fs/mbcache.ko:
                kernel/lib/crc16.ko:
                kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko
                """);
    }

    @Test
    void aBuiltInDependencyNeedsNoFile() throws IOException {
        add("kernel/drivers/virtio/virtio_mmio.ko.xz", "depends=virtio");

        ModuleSelection selection = modules.select(List.of("virtio_mmio"));

        assertThat(selection.loadOrder()).singleElement().satisfies(m -> assertThat(m.depends()).isEmpty());
    }

    @Test
    void namesTheModuleThatNeedsAMissingOne() throws IOException {
        add("kernel/drivers/block/virtio_blk.ko.xz", "depends=missing_thing");

        assertThatThrownBy(() -> modules.select(List.of("virtio_blk")))
                .hasMessage("the kernel package has no module missing_thing (needed by virtio_blk) and does not list it as built in");
    }

    @Test
    void reportsADamagedModule() {
        modules.addFile("kernel/bad.ko.xz", new byte[] {1, 2, 3});

        assertThatThrownBy(() -> modules.select(List.of("bad"))).hasMessageStartingWith("the module kernel/bad.ko.xz is damaged");
    }
}
