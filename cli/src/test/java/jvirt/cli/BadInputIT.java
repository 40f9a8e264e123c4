package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code jvirt run} gets one clear line and a non-zero status, never a stack trace or a hang. */
class BadInputIT {
    private static final Duration QUICK = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static String run(int expectedStatus, String... args) throws Exception {
        try (Console console = Console.start(List.of(args))) {
            int status = console.exitCode(QUICK);
            String out = console.output();
            assertThat(status).as(out).isEqualTo(expectedStatus);
            assertThat(out).doesNotContain("Exception").doesNotContain("\tat ");
            return out;
        }
    }

    private Path file(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void aMissingKernelIsNamed() throws Exception {
        String out = run(1, "run", "--kernel", dir.resolve("nope").toString(), "--bios", file("fw.bin", new byte[] {0x6f, 0, 0, 0}).toString());
        assertThat(out).contains("kernel").contains("does not exist");
    }

    @Test
    void aKernelThatIsNotAnImageIsRefused() throws Exception {
        String out = run(1, "run", "--kernel", file("kernel", new byte[4096]).toString(),
                "--bios", file("fw.bin", new byte[] {0x6f, 0, 0, 0}).toString());
        assertThat(out).contains("not a RISC-V Linux Image");
    }

    @Test
    void firmwareForAnotherArchitectureIsRefused() throws Exception {
        byte[] elf = new byte[64];
        elf[0] = 0x7f;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        elf[4] = 2;
        elf[5] = 1;
        elf[18] = 62; // EM_X86_64
        String out = run(1, "run", "--bios", file("fw.elf", elf).toString());
        assertThat(out).contains("another architecture");
    }

    @Test
    void anInitrdThatIsNotOneIsRefused() throws Exception {
        Path kernel = Path.of(System.getProperty("user.home"), ".cache/jvirt/images/debian-13-riscv64/vmlinux");
        String cache = System.getenv("JVIRT_CACHE");
        if (cache != null) {
            kernel = Path.of(cache, "images/debian-13-riscv64/vmlinux");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(kernel), "default guest not pulled");
        String out = run(1, "run", "--kernel", kernel.toString(), "--initrd", file("initrd", new byte[512]).toString(),
                "--bios", file("fw.bin", new byte[] {0x6f, 0, 0, 0}).toString());
        assertThat(out).contains("not an initramfs");
    }

    @Test
    void aBadMemorySizeIsExplained() throws Exception {
        String out = run(1, "run", "-m", "12Q", "--bios", file("fw.bin", new byte[] {0x6f, 0, 0, 0}).toString());
        assertThat(out).contains("invalid memory size '12Q'");
        out = run(1, "run", "-m", "4M", "--bios", file("fw.bin", new byte[] {0x6f, 0, 0, 0}).toString());
        assertThat(out).contains("memory size");
    }

    @Test
    void aGuestThatJumpsIntoNowhereEndsWithAFault() throws Exception {
        // jalr zero, 0(zero): jump to address 0, where nothing is mapped; mtvec is 0 too.
        String out = run(3, "run", "--bios", file("nowhere.bin", new byte[] {0x67, 0, 0, 0}).toString());
        assertThat(out).contains("instruction access fault").contains("the guest cannot continue").contains("pc ");
    }

    @Test
    void aMachineWhoseHartsHaltIsReported() throws Exception {
        // csrw mie, zero; wfi: nothing can ever wake the only hart.
        byte[] program = {0x73, 0x10, 0x40, 0x30, 0x73, 0x00, 0x50, 0x10};
        String out = run(3, "run", "--bios", file("halt.bin", program).toString());
        assertThat(out).contains("halted with interrupts disabled");
    }

    private String firmware() throws Exception {
        return file("fw.bin", new byte[] {0x6f, 0, 0, 0}).toString(); // j . : never reached by these runs
    }

    @Test
    void aMissingDriveFileIsNamed() throws Exception {
        String out = run(1, "run", "--bios", firmware(), "--drive", "file=" + dir.resolve("nope.img") + ",format=raw");
        assertThat(out).contains("nope.img").contains("no such file");
    }

    @Test
    void unknownDriveOptionsAndValuesAreRefused() throws Exception {
        String disk = file("d.img", new byte[4096]).toString();
        assertThat(run(1, "run", "--bios", firmware(), "--drive", "file=" + disk + ",cache=none"))
                .contains("unknown option 'cache'");
        assertThat(run(1, "run", "--bios", firmware(), "--drive", "file=" + disk + ",readonly=maybe"))
                .contains("must be on or off");
        assertThat(run(1, "run", "--bios", firmware(), "--drive", "file=" + disk + ",if=ide"))
                .contains("if=ide is not available");
        assertThat(run(1, "run", "--bios", firmware(), "--drive", "format=raw")).contains("needs file=PATH");
        assertThat(run(1, "run", "--bios", firmware(), "--console", "parallel")).contains("choose serial or virtio");
    }

    @Test
    void aQcow2ImageIsNeverTakenForRaw() throws Exception {
        byte[] qcow2 = new byte[4096];
        qcow2[0] = 'Q';
        qcow2[1] = 'F';
        qcow2[2] = 'I';
        qcow2[3] = (byte) 0xFB;
        String out = run(1, "run", "--bios", firmware(), "--drive", "file=" + file("d.qcow2", qcow2));
        assertThat(out).contains("unsupported qcow2 version 0");
    }

    @Test
    void oneImageAttachedTwiceForWritingIsRefused() throws Exception {
        String disk = file("d.img", new byte[4096]).toString();
        String out = run(1, "run", "--bios", firmware(), "--drive", "file=" + disk + ",format=raw",
                "--drive", "file=" + disk + ",format=raw");
        assertThat(out).contains("is in use");
    }

    @Test
    void moreDrivesThanVirtioSlotsAreRefused() throws Exception {
        String disk = "file=" + file("d.img", new byte[4096]) + ",format=raw,readonly=on";
        List<String> args = new ArrayList<>(List.of("run", "--bios", firmware()));
        for (int i = 0; i < 8; i++) {
            args.add("--drive");
            args.add(disk);
        }
        assertThat(run(1, args.toArray(String[]::new))).contains("at most 6 drives"); // beside the NIC and entropy
        args.addAll(List.of("--net", "none"));
        assertThat(run(1, args.toArray(String[]::new))).contains("at most 7 drives");
    }

    @Test
    void badNetworkOptionsAreRefusedBeforeBoot() throws Exception {
        assertThat(run(1, "run", "--bios", firmware(), "--net", "tap")).contains("--net tap is not available");
        assertThat(run(1, "run", "--bios", firmware(), "--net", "user,hostfwd=tcp::99999-:80")).contains("99999");
        assertThat(run(1, "run", "--bios", firmware(), "--net", "user,bogus=1")).contains("bogus");
        assertThat(run(1, "run", "--bios", firmware(), "--mac", "52:54:00:12:34")).contains("not a MAC address");
        assertThat(run(1, "run", "--bios", firmware(), "--mac", "01:00:5e:00:00:01")).contains("multicast");
        assertThat(run(1, "run", "--bios", firmware(), "--net", "none", "--mac", "52:54:00:12:34:57"))
                .contains("--net none has none");
    }

    @Test
    void aForwardedPortInUseIsRefusedBeforeBoot() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String out = run(1, "run", "--bios", firmware(), "--net", "user,hostfwd=tcp::" + taken.getLocalPort() + "-:80");
            assertThat(out).contains("already in use").contains(String.valueOf(taken.getLocalPort()));
            assertThat(out.strip().lines()).hasSize(1);
        }
    }

    @Test
    void userDataWithProblemsNeverBoots() throws Exception {
        Path bad = file("bad.yaml", "#cloud-config\nhostname: [a, b]\nfrobnicate: 1\nruncmd: {x: 1}\n".getBytes());
        String out = run(1, "run", "--cloud-init", "user-data=" + bad);
        assertThat(out).contains("jvirt: user-data line 2, column 1: hostname must be a string")
                .contains("jvirt: user-data line 3, column 1: unknown key 'frobnicate'")
                .contains("jvirt: user-data line 4, column 1: runcmd must be a list")
                .doesNotContain("OpenSBI").doesNotContain("Linux version");
        assertThat(run(1, "run", "--cloud-init", "user-data=" + dir.resolve("none.yaml"))).contains("none.yaml: no such file");
        assertThat(run(1, "run", "--cloud-init", "meta-data=" + bad)).contains("needs user-data");
        assertThat(run(1, "run", "--cloud-init", "user-data=" + bad + ",colour=blue")).contains("unknown option 'colour'");
    }
}
