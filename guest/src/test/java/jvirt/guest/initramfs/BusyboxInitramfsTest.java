package jvirt.guest.initramfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jvirt.guest.kernel.KernelModules;
import jvirt.guest.kernel.ModuleSelection;
import jvirt.guest.kernel.TinyElf;
import jvirt.guest.rootfs.RootEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BusyboxInitramfsTest {
    @TempDir
    Path dir;

    @Test
    void laysOutTheGuestRoot() throws IOException, InterruptedException {
        KernelModules modules = new KernelModules();
        modules.addFile("kernel/drivers/net/virtio_net.ko", TinyElf.module("depends=failover"));
        modules.addFile("kernel/net/core/failover.ko", TinyElf.module("depends="));
        ModuleSelection selection = modules.select(List.of("virtio_net"));
        Path archive = dir.resolve("initrd.cpio");

        try (OutputStream out = Files.newOutputStream(archive)) {
            BusyboxInitramfs.write(out, "busybox".getBytes(StandardCharsets.UTF_8), "6.1.0-test", selection,
                    "kernel/drivers/char/virtio_console.ko\n", List.of(
                            new RootEntry.Symlink("usr/sbin/mkfs.ext4", "mke2fs"),
                            new RootEntry.File("usr/sbin/mke2fs", 0755, "mke2fs".getBytes(StandardCharsets.UTF_8)),
                            new RootEntry.File("usr/lib/riscv64-linux-gnu/libc.so.6", 0644, new byte[100])),
                    1_700_000_000L);
        }

        assertThat(Cpio.list(archive, false)).contains(
                "bin", "sbin", "lib", "usr/bin", "usr/sbin", "usr/lib", "proc", "sys", "dev", "tmp", "mnt", "root", "etc",
                "dev/console", "dev/null", "usr/bin/busybox", "etc/passwd", "etc/group", "etc/profile", "etc/udhcpc/default.script", "init",
                "usr/sbin/jvirt-agent",
                "usr/sbin/mkfs.ext4", "usr/sbin/mke2fs", "usr/lib/riscv64-linux-gnu/libc.so.6",
                "usr/lib/modules/6.1.0-test/kernel/net/core/failover.ko",
                "usr/lib/modules/6.1.0-test/kernel/drivers/net/virtio_net.ko",
                "usr/lib/modules/6.1.0-test/modules.dep",
                "usr/lib/modules/6.1.0-test/modules.builtin");
        List<String> verbose = Cpio.list(archive, true);
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("lrwxrwxrwx .* bin -> usr/bin"));
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("lrwxrwxrwx .* sbin -> usr/sbin"));
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("lrwxrwxrwx .* lib -> usr/lib"));
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("lrwxrwxrwx .* usr/sbin/mkfs.ext4 -> mke2fs"));
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("-rw-r--r-- .* 100 .* usr/lib/riscv64-linux-gnu/libc.so.6"));
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("crw------- .* 5, +1 .* dev/console"));
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("crw-rw-rw- .* 1, +3 .* dev/null"));
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("-rwxr-xr-x .* init"));
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("-rwxr-xr-x .* usr/bin/busybox"));
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("-rwxr-xr-x .* usr/sbin/mke2fs"));
        assertThat(verbose).anySatisfy(l -> assertThat(l).matches("-rwxr-xr-x .* " + BusyboxInitramfs.agent().length + " .* usr/sbin/jvirt-agent"));
    }

    @Test
    void theAgentIsAShellScript() {
        assertThat(new String(BusyboxInitramfs.agent(), StandardCharsets.UTF_8)).startsWith("#!/bin/sh\n");
    }

    @Test
    void initStartsTheAgentInTheBackgroundOnThePortNamedForIt() {
        List<String> lines = BusyboxInitramfs.initScript(List.of("virtio_console")).lines().map(String::strip).toList();

        assertThat(lines).containsSubsequence(
                "for module in virtio_console; do",
                "exec </dev/console >/dev/console 2>&1",
                "jvirt_agent() {",
                "for name in /sys/class/virtio-ports/*/name; do",
                "if read -r port 2>/dev/null <\"$name\" && [ \"$port\" = org.qemu.guest_agent.0 ]; then",
                "echo \"jvirt: guest agent on $port\"",
                "exec >/dev/null 2>&1",
                "jvirt-agent <>\"$port\" >&0",
                "jvirt_agent </dev/null &",
                "udhcpc -i eth0 -b -x hostname:jvirt",
                "exec setsid cttyhack sh -l");
        assertThat(lines).filteredOn(l -> l.contains(BusyboxInitramfs.AGENT_MARKER)).hasSize(1);
    }

    @Test
    void aTaskFromAnAppendedArchiveRunsInPlaceOfTheShellOnceTheModulesAreLoaded() {
        List<String> lines = BusyboxInitramfs.initScript(List.of("ext4")).lines().map(String::strip).toList();

        assertThat(lines).containsSubsequence("for module in ext4; do", "if [ -x /jvirt-task ]; then",
                "exec /jvirt-task", "fi", "exec setsid cttyhack sh -l");
    }

    @Test
    void initPrintsTheMarkerBeforeLoadingModulesThenTakesTheConsoleTheModulesBroughtAndEndsInAShell() {
        String init = BusyboxInitramfs.initScript(List.of("failover", "virtio_net"));
        List<String> lines = init.lines().toList();

        assertThat(lines.getFirst()).isEqualTo("#!/bin/busybox sh");
        assertThat(lines.get(1)).isEqualTo("/bin/busybox --install -s");
        assertThat(lines).containsSubsequence(
                "mount -t proc proc /proc",
                "mount -t sysfs sysfs /sys",
                "mount -t devtmpfs devtmpfs /dev",
                "echo \"jvirt: init started\"",
                "for module in failover virtio_net; do",
                "done",
                "exec </dev/console >/dev/console 2>&1",
                "hostname jvirt",
                "ifconfig lo 127.0.0.1 up",
                "if [ -e /sys/class/net/eth0 ]; then",
                "\tudhcpc -i eth0 -b -x hostname:jvirt",
                "fi",
                "echo \"jvirt: busybox shell; 'poweroff -f' to stop\"",
                "exec setsid cttyhack sh -l");
        assertThat(lines).filteredOn(l -> l.contains(BusyboxInitramfs.MARKER)).hasSize(1);
        assertThat(lines.getLast()).isEqualTo("exec setsid cttyhack sh -l");
    }

    @Test
    void theRootPromptEndsInHashSpace() {
        assertThat(BusyboxInitramfs.profile()).contains("PS1='\\u@\\h:\\w# '");
    }
}
