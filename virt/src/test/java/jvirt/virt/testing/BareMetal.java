package jvirt.virt.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import jvirt.core.MachineExit;
import jvirt.riscv.Hart;
import jvirt.riscv.Isa;
import jvirt.virt.BoardConfig;
import jvirt.virt.VirtBoard;
import jvirt.virt.boot.BootException;

/**
 * Runs a bare-metal program (an ELF or a flat binary, entered in M-mode like {@code jvirt run
 * --bios}) on a fresh virt board and returns how it ended and what it printed on the UART.
 * A program that has not ended within the timeout is stopped and reported as {@link MachineExit.Quit}.
 */
public final class BareMetal {
    private BareMetal() {
    }

    /** How a run ended and the console output. */
    public record Result(MachineExit exit, String console) {
        /** Whether the program ended by powering off (tohost or sifive_test) with status 0. */
        public boolean passed() {
            return exit instanceof MachineExit.PowerOff p && p.code() == 0;
        }
    }

    public static Result run(Path program, Duration timeout) throws BootException, InterruptedException {
        return run(program, timeout, 1, Isa.SATP_SV57, 64L << 20);
    }

    public static Result run(Path program, Duration timeout, int cpus, int satpMode, long memory)
            throws BootException, InterruptedException {
        return run(program, timeout, cpus, satpMode, memory, Hart.DEFAULT_TRANSLATE_THRESHOLD);
    }

    /** With a translation threshold: 0 runs the interpreter alone, 1 translates every block at once. */
    public static Result run(Path program, Duration timeout, int cpus, int satpMode, long memory, int translateThreshold)
            throws BootException, InterruptedException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        BoardConfig config = new BoardConfig(memory, cpus, satpMode, program, null, null, "", translateThreshold, List.of(), List.of(),
                BoardConfig.ConsoleDevice.SERIAL);
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
        MachineExit exit;
        try (VirtBoard board = VirtBoard.create(config, console)) {
            watchdog.schedule(board::quit, timeout.toMillis(), TimeUnit.MILLISECONDS);
            exit = board.run();
        } finally {
            watchdog.shutdownNow();
        }
        // The board is closed: its harts have stopped writing to the console.
        return new Result(exit, console.toString(StandardCharsets.UTF_8));
    }
}
