package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jvirt.cli.VmCommands.Result;
import jvirt.guest.GuestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian cloud image with Debian's own cloud-init, end to end: a VM made from the cached
 * {@code debian-13-riscv64-cloud} (scripts/test pulls it first) with a light {@code #cloud-config}
 * boots from its qcow2 overlay, systemd starts cloud-init and qemu-guest-agent, and each effect is
 * checked from the host: the host name, a user whose SSH key logs in through a forwarded port and
 * who may sudo, a file from {@code write_files}, a {@code runcmd} marker. A second boot of the same VM
 * (same instance id) must not run the per-instance modules again: the marker is still written once.
 * Each boot takes the kernel and initrd that the disk's {@code /vmlinuz} and {@code /initrd.img}
 * name: the test moves the initrd link in the guest, as a kernel upgrade does, and the second
 * boot must take the new file.
 */
class CloudImageIT {
    private static final String IMAGE = "debian-13-riscv64-cloud";
    private static final long COMMAND_SECONDS = 300;
    /** A systemd boot with cloud-init's four stages on the emulated CPU: minutes, not seconds. */
    private static final Duration BOOT = Duration.ofMinutes(20);

    @TempDir
    Path home;

    private final List<String> created = new ArrayList<>();

    private Result vm(String... args) throws Exception {
        return new VmCommands(home, COMMAND_SECONDS).run(args);
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (String name : created) {
            vm("stop", "--force", name);
        }
    }

    @Test
    void cloudInitProvisionsOnceAndTheHostSeesEveryEffect() throws Exception {
        assertThat(GuestImages.cached(IMAGE, GuestImages.cacheRoot()))
                .as("the cloud image is in the cache ('jvirt image pull " + IMAGE + "'; scripts/test pulls it)").isPresent();
        Path key = home.resolve("id_ed25519");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "jvirt-test", "-f", key.toString()));
        String publicKey = Files.readString(Path.of(key + ".pub")).strip();
        Path userData = Files.writeString(home.resolve("user-data"), """
                #cloud-config
                hostname: cloud-ci
                users:
                  - name: tester
                    shell: /bin/bash
                    sudo: ALL=(ALL) NOPASSWD:ALL
                    ssh_authorized_keys:
                      - %s
                write_files:
                  - path: /etc/jvirt-test.txt
                    content: |
                      written by cloud-init
                    permissions: '0640'
                runcmd:
                  - [ sh, -c, 'echo runcmd ran >> /var/tmp/runcmd.log' ]
                """.formatted(publicKey));
        assertThat(vm("create", "small", "--image", IMAGE, "--disk", "1G").expect(1).err())
                .contains("--disk 1G is smaller than the image's disk");
        assertThat(home.resolve("vms/small")).doesNotExist();
        int sshPort = VmCommands.freePort();
        vm("create", "cloud", "--image", IMAGE, "--memory", "1G", "--disk", "4G", "--cloud-init", userData.toString(),
                "--forward", sshPort + ":22").expect(0);
        created.add("cloud");
        vm("start", "cloud").expect(0);

        provisioned("cloud");
        Path vmDir = home.resolve("vms/cloud");
        assertThat(Files.readString(vmDir.resolve("vm.log"))).as("the kernel and initrd came out of the VM's disk")
                .containsPattern("booting /boot/vmlinux-\\S+ and /boot/initrd.img-\\S+ from disk.qcow2");
        assertThat(exec("cloud", "hostname").strip()).isEqualTo("cloud-ci");
        assertThat(exec("cloud", "cat", "/etc/jvirt-test.txt")).isEqualTo("written by cloud-init\n");
        assertThat(exec("cloud", "stat", "-c", "%a %U", "/etc/jvirt-test.txt").strip()).isEqualTo("640 root");
        assertThat(exec("cloud", "cat", "/var/tmp/runcmd.log")).isEqualTo("runcmd ran\n");
        assertThat(exec("cloud", "sh", "-c", "df --output=size -B1M / | tail -n 1").strip())
                .as("cloud-init grew the root file system to the 4G overlay").satisfies(mb ->
                        assertThat(Long.parseLong(mb)).isGreaterThan(3500));
        String ssh = ssh(key, sshPort, "hostname; id -un; sudo -n id -u");
        assertThat(ssh.lines().toList()).containsExactly("cloud-ci", "tester", "0");

        // cloud-init marks each per-instance module done with a semaphore file in the instance's sem/.
        String semaphores = exec("cloud", "sh", "-c", "cd /var/lib/cloud/instance/sem && stat -c '%n %Y' *");
        assertThat(semaphores).contains("config_scripts_user", "config_users_groups", "config_write_files");
        // What a kernel upgrade does to the links; the next boot must take the new initrd (zeros after an initramfs are skipped).
        long initrdBytes = Files.size(vmDir.resolve("initrd.img"));
        exec("cloud", "sh", "-c", "cp /boot/initrd.img-$(uname -r) /boot/initrd.img-jvirt-test"
                + " && head -c 4096 /dev/zero >> /boot/initrd.img-jvirt-test && ln -sfn boot/initrd.img-jvirt-test /initrd.img");
        vm("restart", "cloud", "--timeout", "240").expect(0); // systemd's shutdown, emulated, may take a minute
        provisioned("cloud");
        assertThat(Files.readString(vmDir.resolve("vm.log"))).contains("and /boot/initrd.img-jvirt-test from disk.qcow2");
        assertThat(Files.size(vmDir.resolve("initrd.img"))).isEqualTo(initrdBytes + 4096);
        assertThat(exec("cloud", "cat", "/var/tmp/runcmd.log")).as("runcmd is per instance: not again on the second boot")
                .isEqualTo("runcmd ran\n");
        assertThat(exec("cloud", "sh", "-c", "cd /var/lib/cloud/instance/sem && stat -c '%n %Y' *"))
                .as("no per-instance module ran again: the same semaphores, untouched").isEqualTo(semaphores);
        assertThat(exec("cloud", "hostname").strip()).isEqualTo("cloud-ci");
        assertThat(ssh(key, sshPort, "hostname").strip()).isEqualTo("cloud-ci");

        Result stop = vm("stop", "cloud", "--timeout", "240").expect(0);
        assertThat(stop.err()).as("shut down through the agent, no fallback to power off").doesNotContain("powering it off");
        created.remove("cloud");
        vm("delete", "cloud").expect(0);
    }

    /** Waits for the guest agent, then for cloud-init to finish, which it must do without errors. */
    private void provisioned(String name) throws Exception {
        long deadline = System.nanoTime() + BOOT.toNanos();
        Result ping;
        do {
            ping = vm("exec", name, "--", "true");
            if (ping.status() == 0) {
                break;
            }
            Thread.sleep(5000);
        } while (System.nanoTime() < deadline);
        assertThat(ping.status()).as("the guest agent answered within " + BOOT + ": " + ping.err()).isZero();
        Result status = new VmCommands(home, BOOT.toSeconds()).run("exec", name, "--", "cloud-init", "status", "--wait", "--long");
        assertThat(status.out()).as(status.err()).contains("status: done");
        status.expect(0);
    }

    private String exec(String name, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("exec", name, "--"));
        args.addAll(List.of(command));
        return vm(args.toArray(String[]::new)).expect(0).out();
    }

    private static String ssh(Path key, int port, String command) throws Exception {
        return run(List.of("ssh", "-i", key.toString(), "-p", Integer.toString(port), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=60", "tester@127.0.0.1", command));
    }

    private static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = VmCommands.read(p.getInputStream());
        assertThat(p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }
}
