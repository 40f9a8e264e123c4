package jvirt.virt.isa;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jvirt.core.MachineExit;
import jvirt.riscv.Isa;
import jvirt.virt.testing.BareMetal;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Assembles every {@code src/test/asm/*.S} with the RISC-V cross binutils and runs it on jvirt,
 * expecting it to power off with status 0; then runs it on QEMU's {@code virt} machine as a check
 * of the program itself. A program whose check fails reports the case number (see {@code test.inc}).
 *
 * <p>Comment lines in a program's source steer its runs: {@code # @satp sv39} (or {@code sv48})
 * runs it on harts whose widest paging mode is that one, {@code # @cpus N} on N harts, and
 * {@code # @qemu-skip <reason>} skips it on QEMU where QEMU 7.2 departs from the RISC-V spec.
 */
class InstructionSuiteTest {
    private static final Path SOURCES = Path.of("src/test/asm");
    private static final Path BUILD = Path.of("target/isa");
    private static final String AS = "riscv64-linux-gnu-as";
    private static final String LD = "riscv64-linux-gnu-ld";
    private static final String QEMU = "qemu-system-riscv64";
    private static final Duration JVIRT_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration QEMU_TIMEOUT = Duration.ofSeconds(30);
    /** test.inc: an unexpected trap fails with this bit set in the code, the case number below it. */
    private static final int UNEXPECTED_TRAP = 0x4000;

    /** The ELF of each program, built once for both runs. */
    private static final Map<String, Path> BUILT = new HashMap<>();

    @TestFactory
    Stream<DynamicTest> onJvirt() throws IOException {
        return programs().map(p -> DynamicTest.dynamicTest("jvirt: " + p.name(), p.source().toUri(),
                () -> runOnJvirt(p, 0)));
    }

    /** The same programs with every block translated on its first run: traps, CSRs and paging from translated code. */
    @TestFactory
    Stream<DynamicTest> onJvirtTranslated() throws IOException {
        return programs().map(p -> DynamicTest.dynamicTest("jvirt translated: " + p.name(), p.source().toUri(),
                () -> runOnJvirt(p, 1)));
    }

    @TestFactory
    Stream<DynamicTest> onQemu() throws IOException {
        return programs().map(p -> DynamicTest.dynamicTest("qemu: " + p.name(), p.source().toUri(),
                () -> runOnQemu(p)));
    }

    private static void runOnJvirt(Program p, int translateThreshold) throws Exception {
        Path elf = build(p);
        BareMetal.Result result = BareMetal.run(elf, JVIRT_TIMEOUT, p.cpus(), p.satpMode(), 64L << 20, translateThreshold);
        if (!result.passed()) {
            fail("%s on jvirt: %s%n--- UART ---%n%s", p.name(), describe(result.exit()), result.console());
        }
    }

    private static void runOnQemu(Program p) throws Exception {
        assumeTrue(p.qemuSkip().isEmpty(), () -> "skipped on QEMU: " + p.qemuSkip().orElseThrow());
        Path elf = build(p);
        Path log = BUILD.resolve(p.name() + ".qemu.log");
        Process qemu = start(List.of(QEMU, "-M", "virt", "-m", "64M", "-smp", String.valueOf(p.cpus()), "-nographic", "-bios",
                elf.toString()), "QEMU (" + QEMU + ")", log);
        boolean ended = qemu.waitFor(QEMU_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!ended) {
            qemu.destroyForcibly().waitFor();
        }
        String console = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        if (!ended) {
            fail("%s on QEMU: did not finish within %s%n--- UART ---%n%s", p.name(), QEMU_TIMEOUT, console);
        }
        // QEMU exits with the low 8 bits of the failure code: a pass also needs the program's PASS line.
        if (qemu.exitValue() != 0 || !console.contains("PASS")) {
            fail("%s on QEMU: exit status %d%n--- UART ---%n%s", p.name(), qemu.exitValue(), console);
        }
    }

    private static String describe(MachineExit exit) {
        if (exit instanceof MachineExit.PowerOff(int code)) {
            return (code & UNEXPECTED_TRAP) != 0
                    ? "unexpected trap in case " + (code & ~UNEXPECTED_TRAP)
                    : "case " + code + " failed";
        }
        if (exit instanceof MachineExit.Quit) {
            return "did not finish within " + JVIRT_TIMEOUT;
        }
        return "ended with " + exit;
    }

    // ---- the programs ----

    private record Program(String name, Path source, int satpMode, int cpus, Optional<String> qemuSkip) {
    }

    private static Stream<Program> programs() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            List<Path> sources = files.filter(f -> f.getFileName().toString().endsWith(".S")).sorted().toList();
            assertThat(sources).as("assembly sources in %s", SOURCES.toAbsolutePath()).isNotEmpty();
            return sources.stream().map(InstructionSuiteTest::program);
        }
    }

    private static Program program(Path source) {
        String name = source.getFileName().toString().replaceFirst("\\.S$", "");
        int satp = Isa.SATP_SV57;
        int cpus = 1;
        Optional<String> skip = Optional.empty();
        try {
            for (String line : Files.readAllLines(source)) {
                String l = line.strip();
                if (l.startsWith("# @satp ")) {
                    satp = switch (l.substring(8).strip()) {
                        case "sv39" -> Isa.SATP_SV39;
                        case "sv48" -> Isa.SATP_SV48;
                        case "sv57" -> Isa.SATP_SV57;
                        default -> throw new IllegalArgumentException(source + ": unknown paging mode in " + l);
                    };
                } else if (l.startsWith("# @cpus ")) {
                    cpus = Integer.parseInt(l.substring(8).strip());
                } else if (l.startsWith("# @qemu-skip ")) {
                    skip = Optional.of(l.substring(13).strip());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + source, e);
        }
        return new Program(name, source, satp, cpus, skip);
    }

    /** Assembles and links a program (once), failing with the tools' messages if that fails. */
    private static synchronized Path build(Program p) throws Exception {
        Path elf = BUILT.get(p.name());
        if (elf != null) {
            return elf;
        }
        Files.createDirectories(BUILD);
        Path object = BUILD.resolve(p.name() + ".o");
        elf = BUILD.resolve(p.name() + ".elf");
        tool(List.of(AS, "-march=rv64gc_zba_zbb_zbc_zbs", "-mabi=lp64d", "-I", SOURCES.toString(), "-o",
                object.toString(), p.source().toString()), "the assembler (" + AS + ")");
        tool(List.of(LD, "-static", "-nostdlib", "--build-id=none", "--no-relax", "--no-warn-rwx-segments", "-T",
                SOURCES.resolve("link.ld").toString(), "-o", elf.toString(), object.toString()), "the linker (" + LD + ")");
        BUILT.put(p.name(), elf);
        return elf;
    }

    private static void tool(List<String> command, String what) throws Exception {
        Process process = start(command, what, null);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            fail("%s failed: %s%n%s", what, String.join(" ", command), output);
        }
    }

    /** Starts a tool with no input; its output goes to {@code output}, or to a pipe when that is null. */
    private static Process start(List<String> command, String what, Path output) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (output != null) {
            builder.redirectOutput(output.toFile());
        }
        try {
            return builder.start();
        } catch (IOException e) {
            return fail("%s is missing (%s): run scripts/setup, which installs binutils-riscv64-linux-gnu and"
                    + " qemu-system-misc", what, e.getMessage());
        }
    }
}
