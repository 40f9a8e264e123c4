package jvirt.virt.diff;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import jvirt.core.MachineExit;
import jvirt.riscv.Isa;
import jvirt.virt.testing.BareMetal;

/** Runs a flat binary on the two peers and returns what each printed. */
final class Peers {
    private Peers() {
    }

    static final String QEMU = "qemu-system-riscv64";

    /** What a peer printed, and whether it ended by powering off with status 0. */
    record Run(String console, boolean passed, String ending) {
    }

    static boolean qemuAvailable() {
        try {
            Process p = new ProcessBuilder(QEMU, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** QEMU's virt board with the binary as its firmware; its exit status is sifive_test's. */
    static Run qemu(Path binary, Duration timeout) throws IOException, InterruptedException {
        Path out = binary.resolveSibling(binary.getFileName() + ".qemu.out");
        Path err = binary.resolveSibling(binary.getFileName() + ".qemu.err");
        Process p = new ProcessBuilder(QEMU, "-M", "virt", "-m", "64M", "-nographic", "-bios", binary.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        String ending;
        boolean passed = false;
        if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            passed = p.exitValue() == 0;
            ending = "exit status " + p.exitValue();
        } else {
            p.destroyForcibly().waitFor();
            ending = "timed out after " + timeout;
        }
        String console = Files.readString(out, StandardCharsets.ISO_8859_1);
        String errors = Files.readString(err, StandardCharsets.ISO_8859_1).strip();
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return new Run(console, passed, errors.isEmpty() ? ending : ending + ": " + errors);
    }

    /** How jvirt runs guest code: its interpreter alone, or translating every block to JVM bytecode at once. */
    enum Engine {
        INTERPRETER(0), TRANSLATOR(1);

        /** The hart's translation threshold (block executions before a page is translated; 0 never). */
        final int threshold;

        Engine(int threshold) {
            this.threshold = threshold;
        }
    }

    static Run jvirt(Path binary, Duration timeout, Engine engine) throws Exception {
        BareMetal.Result r = BareMetal.run(binary, timeout, 1, Isa.SATP_SV57, 64L << 20, engine.threshold);
        String ending = r.exit() instanceof MachineExit.PowerOff p ? "power off " + p.code() : r.exit().toString();
        return new Run(r.console(), r.passed(), ending);
    }
}
