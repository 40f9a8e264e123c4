package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device tree jvirt writes is one the reference compiler, dtc, reads without complaint. */
class DeviceTreeIT {
    @TempDir
    Path dir;

    @Test
    void dtcDecompilesTheBoardsDeviceTreeCleanly() throws Exception {
        Path firmware = Files.write(dir.resolve("fw.bin"), new byte[] {0x6f, 0, 0, 0});
        Path dtb = dir.resolve("virt.dtb");
        try (Console console = Console.start(List.of("run", "--smp", "2", "-m", "256M", "--bios", firmware.toString(),
                "--dump-dtb", dtb.toString()))) {
            assertThat(console.exitCode(Duration.ofSeconds(60))).as(console.output()).isZero();
        }
        Process dtc = new ProcessBuilder("dtc", "-I", "dtb", "-O", "dts", dtb.toString()).start();
        String dts = new String(dtc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String warnings = new String(dtc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(dtc.waitFor()).as(warnings).isZero();
        assertThat(warnings).as("dtc's warnings").isEmpty();
        assertThat(dts).contains("cpu@0", "cpu@1", "riscv,isa = \"rv64imafdc_", "mmu-type = \"riscv,sv48\"",
                "compatible = \"sifive,plic-1.0.0\\0riscv,plic0\"", "compatible = \"ns16550a\"",
                "reg = <0x00 0x80000000 0x00 0x10000000>", "timebase-frequency = <0x989680>",
                "stdout-path = \"/soc/serial@10000000\"");
    }
}
