package jvirt.virt.programs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jvirt.core.MachineExit;
import jvirt.riscv.Hart;
import jvirt.riscv.Isa;
import jvirt.virt.testing.BareMetal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each program under {@code src/test/c/programs}, cross-compiled with gcc, must print the same on
 * QEMU and on jvirt with every execution engine: the interpreter alone, everything translated at
 * once, and the default translation threshold.
 */
class CompiledProgramsTest {
    private static final Path SOURCES = Path.of("src/test/c/programs");
    private static final Path BUILD = Path.of("target/c-programs");
    private static final String GCC = "riscv64-linux-gnu-gcc";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    static Stream<String> programs() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".c"))
                    .map(n -> n.substring(0, n.length() - 2)).sorted().toList().stream();
        }
    }

    @BeforeAll
    static void compile() throws Exception {
        Files.createDirectories(BUILD);
        for (String name : programs().toList()) {
            List<String> command = List.of(GCC, "-O2", "-march=rv64gc_zba_zbb_zbc_zbs", "-mabi=lp64d",
                    "-mcmodel=medany", "-static", "-fno-pie", "-no-pie", "-nostdlib", "-ffreestanding", "-fno-math-errno",
                    "-Wl,--build-id=none", "-Wl,--no-warn-rwx-segments", "-T", SOURCES.resolve("link.ld").toString(),
                    SOURCES.resolve("start.S").toString(), SOURCES.resolve(name + ".c").toString(),
                    "-o", BUILD.resolve(name + ".elf").toString());
            Process gcc;
            try {
                gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new AssertionError(GCC + " is missing: run scripts/setup (package gcc-riscv64-linux-gnu)", e);
            }
            String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(gcc.waitFor()).as("compiling %s:%n%s", name, out).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void printsTheSameAsQemuWithEveryEngine(String name) throws Exception {
        Path elf = BUILD.resolve(name + ".elf");
        String expected = qemu(elf);
        assertThat(expected).as("QEMU's output").isNotBlank();
        for (int threshold : List.of(0, 1, Hart.DEFAULT_TRANSLATE_THRESHOLD)) {
            BareMetal.Result result = BareMetal.run(elf, TIMEOUT, 1, Isa.SATP_SV57, 64L << 20, threshold);
            assertThat(result.exit()).as("%s with translation threshold %s", name, threshold)
                    .isEqualTo(new MachineExit.PowerOff(0));
            assertThat(result.console()).as("%s with translation threshold %s", name, threshold).isEqualTo(expected);
        }
    }

    private static String qemu(Path elf) throws Exception {
        List<String> command = new ArrayList<>(List.of("qemu-system-riscv64", "-M", "virt", "-m", "64M",
                "-nographic", "-bios", elf.toString()));
        Process qemu = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        byte[] out = qemu.getInputStream().readAllBytes();
        if (!qemu.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            qemu.destroyForcibly();
            throw new AssertionError("QEMU did not finish " + elf);
        }
        assertThat(qemu.exitValue()).as("QEMU's exit status for %s", elf).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
