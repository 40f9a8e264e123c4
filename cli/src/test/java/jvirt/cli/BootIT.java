package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * End to end: the real {@code jvirt} command boots Debian's own riscv64 kernel and OpenSBI with the
 * default busybox initramfs, and the test types at the guest's shell.
 */
class BootIT {
    private static final Duration BOOT = Duration.ofMinutes(4);
    private static final Duration COMMAND = Duration.ofMinutes(1);
    private static final String PROMPT = "# ";

    @Test
    void bootsTheDefaultGuestToAShellAndPowersOffWithStatusZero() throws Exception {
        try (Console console = Console.start(List.of("run"))) {
            assertThat(console.await("OpenSBI v", BOOT)).isNotNull();
            assertThat(console.await("Linux version 6.", BOOT)).isNotNull();
            console.await("jvirt: init started", BOOT);
            console.await(PROMPT, BOOT);
            console.type("uname -m; grep -m1 ^isa /proc/cpuinfo; echo done-$((6*7))");
            String out = console.await("done-42", COMMAND);
            assertThat(out).contains("riscv64").contains("rv64imafdc");
            console.await(PROMPT, COMMAND);
            console.type("poweroff -f");
            assertThat(console.exitCode(COMMAND)).isZero();
        }
    }

    @Test
    void bringsTwoHartsOnlineWithSmp2() throws Exception {
        try (Console console = Console.start(List.of("run", "--smp", "2"))) {
            console.await("jvirt: init started", BOOT);
            console.await(PROMPT, BOOT);
            // The marker is computed by the shell, so the echo of the typed line does not match it.
            console.type("echo @@$((40+2))@@ cpus=$(grep -c ^processor /proc/cpuinfo) online=$(cat /sys/devices/system/cpu/online)");
            console.await("@@42@@", COMMAND);
            String out = console.await("\n", COMMAND);
            assertThat(out).contains("cpus=2").contains("online=0-1");
            console.await(PROMPT, COMMAND);
            console.type("poweroff -f");
            assertThat(console.exitCode(COMMAND)).isZero();
        }
    }

    @Test
    void aGuestRebootEndsTheRunWithNoReboot() throws Exception {
        try (Console console = Console.start(List.of("run", "--no-reboot"))) {
            console.await("jvirt: init started", BOOT);
            console.await(PROMPT, BOOT);
            console.type("reboot -f");
            assertThat(console.exitCode(COMMAND)).isZero();
            assertThat(console.output()).contains("reboot: Restarting system");
        }
    }
}
