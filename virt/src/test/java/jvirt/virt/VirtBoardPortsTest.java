package jvirt.virt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jvirt.image.ImageFormats;
import jvirt.riscv.Isa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Named virtio-console ports on the board: where their device goes and how the host finds a port. */
class VirtBoardPortsTest {
    private static final String AGENT = "org.qemu.guest_agent.0";

    @TempDir
    Path dir;

    /** A board that is built but never run: the firmware is one instruction. */
    private BoardConfig config() throws IOException {
        Path firmware = Files.write(dir.resolve("firmware.bin"), new byte[] {0x6f, 0, 0, 0}); // j .
        return new BoardConfig(64L << 20, 1, Isa.SATP_SV48, firmware, null, null, "");
    }

    /** The virtio-mmio nodes of the board's device tree, slot by slot. */
    private static List<String> virtioNodes(VirtBoard board) {
        String blob = new String(board.deviceTreeBlob(), StandardCharsets.ISO_8859_1);
        List<String> nodes = new ArrayList<>();
        Matcher m = Pattern.compile("virtio_mmio@[0-9a-f]+").matcher(blob);
        while (m.find()) {
            nodes.add(m.group());
        }
        return nodes;
    }

    @Test
    void withSerialConsoleThePortsGetADeviceOfTheirOwnBeforeTheEntropyDevice() throws Exception {
        try (VirtBoard board = VirtBoard.create(config().withPorts(List.of(AGENT, "other")), new ByteArrayOutputStream())) {
            assertThat(board.port(AGENT)).get().extracting(p -> p.name()).isEqualTo(AGENT);
            assertThat(board.port("other")).isPresent();
            assertThat(board.port("missing")).isEmpty();
            assertThat(virtioNodes(board)).containsExactly("virtio_mmio@10001000", "virtio_mmio@10002000");
        }
    }

    @Test
    void withVirtioConsoleThePortsShareItsDevice() throws Exception {
        BoardConfig config = config().withConsole(BoardConfig.ConsoleDevice.VIRTIO).withPorts(List.of(AGENT));
        try (VirtBoard board = VirtBoard.create(config, new ByteArrayOutputStream())) {
            assertThat(board.port(AGENT)).isPresent();
            assertThat(virtioNodes(board)).containsExactly("virtio_mmio@10001000", "virtio_mmio@10002000");
        }
    }

    @Test
    void withoutPortsTheBoardIsAsBefore() throws Exception {
        try (VirtBoard board = VirtBoard.create(config(), new ByteArrayOutputStream())) {
            assertThat(board.port(AGENT)).isEmpty();
            assertThat(virtioNodes(board)).containsExactly("virtio_mmio@10001000"); // the entropy device alone
        }
    }

    @Test
    void portNamesAreChecked() throws Exception {
        BoardConfig config = config();
        assertThat(config.ports()).isEmpty();
        assertThat(config.withPorts(List.of(AGENT)).withDrives(List.of()).ports()).containsExactly(AGENT);
        assertThatThrownBy(() -> config.withPorts(List.of(""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> config.withPorts(List.of("n".repeat(128)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> config.withPorts(List.of("new\nline"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> config.withPorts(List.of(AGENT, AGENT))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPortOnlyDeviceTakesAVirtioSlot() throws Exception {
        BoardConfig config = config();
        List<Drive> seven = Collections.nCopies(7, new Drive(dir.resolve("disk.img"), ImageFormats.RAW, true, false, null));
        assertThat(config.withDrives(seven).drives()).hasSize(7); // with the entropy device: all eight slots
        assertThatThrownBy(() -> config.withDrives(seven).withPorts(List.of(AGENT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 6 drives");
        // On the virtio console's device the ports cost no slot of their own.
        BoardConfig virtio = config.withConsole(BoardConfig.ConsoleDevice.VIRTIO);
        List<Drive> six = seven.subList(0, 6);
        assertThat(virtio.withDrives(six).withPorts(List.of(AGENT)).drives()).hasSize(6);
    }
}
