package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The machine's lifecycle as seen from the console: reboots restart it, Ctrl-A X ends it. */
class ConsoleIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Prints "B" and a newline on the UART, then asks sifive_test for a reset, then spins. */
    private static final int[] PRINT_THEN_RESET = {
        0x100002B7, // lui   t0, 0x10000      UART
        0x04200313, // li    t1, 'B'
        0x00628023, // sb    t1, 0(t0)
        0x00A00313, // li    t1, '\n'
        0x00628023, // sb    t1, 0(t0)
        0x001002B7, // lui   t0, 0x100        sifive_test
        0x00007337, // lui   t1, 0x7
        0x7773031B, // addiw t1, t1, 0x777    0x7777: reset
        0x0062A023, // sw    t1, 0(t0)
        0x0000006F, // j     .
    };

    @TempDir
    Path dir;

    private Path program() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 * PRINT_THEN_RESET.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int insn : PRINT_THEN_RESET) {
            b.putInt(insn);
        }
        return Files.write(dir.resolve("reset.bin"), b.array());
    }

    @Test
    void aGuestResetRestartsTheMachineUntilCtrlAxQuits() throws Exception {
        try (Console console = Console.start(List.of("run", "-m", "64M", "--bios", program().toString()))) {
            console.await("B\n", WAIT);
            console.await("B\n", WAIT); // the same program again: the machine was rebuilt
            console.await("B\n", WAIT);
            console.send("\u0001x");
            assertThat(console.exitCode(WAIT)).isZero();
            assertThat(console.output()).contains("terminated by Ctrl-A X");
        }
    }

    @Test
    void withNoRebootAGuestResetEndsTheRun() throws Exception {
        try (Console console = Console.start(List.of("run", "-m", "64M", "--no-reboot", "--bios", program().toString()))) {
            assertThat(console.exitCode(WAIT)).isZero();
            assertThat(console.output()).containsOnlyOnce("B\n");
        }
    }
}
