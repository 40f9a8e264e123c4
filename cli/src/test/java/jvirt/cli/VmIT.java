package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jvirt.cli.VmCommands.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Managed VMs end to end, each {@code jvirt vm …} its own process as a user would run it: two VMs
 * of the default guest created, started, listed, a command run in one through the guest agent,
 * one killed and found crashed, then recovered, one shut down through the agent and the other
 * powered off, both deleted, and nothing left on disk or in the process table.
 */
class VmIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long COMMAND_SECONDS = 240;

    @TempDir
    Path home;

    private final List<Long> pids = new ArrayList<>();

    private Result vm(String... args) throws Exception {
        return new VmCommands(home, COMMAND_SECONDS).run(args);
    }

    private ProcessBuilder jvirtVm(String... args) throws IOException {
        return new VmCommands(home, COMMAND_SECONDS).process(args);
    }

    /** {@code vm console NAME}: types a line, waits for what it prints, detaches with Ctrl-]. */
    private void console(String name, String line, String expected) throws Exception {
        Process p = jvirtVm("console", name).redirectErrorStream(true).start();
        Thread.ofVirtual().start(() -> { // a console that never shows the text fails the read below, not the build
            try {
                if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        });
        try {
            p.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().flush();
            StringBuilder seen = new StringBuilder();
            byte[] buffer = new byte[4096];
            while (seen.indexOf(expected) < 0) {
                int n = p.getInputStream().read(buffer);
                assertThat(n).as("console output so far: " + seen).isPositive();
                seen.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
            }
            p.getOutputStream().write(0x1D);
            p.getOutputStream().flush();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)).contains("detached from");
        } finally {
            p.destroyForcibly();
        }
    }

    private JsonNode list() throws Exception {
        return JSON.readTree(vm("list", "--output=json").expect(0).out());
    }

    private static String state(JsonNode list, String name) {
        for (JsonNode vm : list) {
            if (vm.path("name").asText().equals(name)) {
                return vm.path("state").asText();
            }
        }
        throw new AssertionError("no VM " + name + " in " + list);
    }

    private long pid(String name) throws Exception {
        for (JsonNode vm : list()) {
            if (vm.path("name").asText().equals(name)) {
                long pid = vm.path("pid").asLong(-1);
                pids.add(pid);
                return pid;
            }
        }
        throw new AssertionError("no VM " + name);
    }


    @AfterEach
    void nothingLeftRunning() {
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    @Test
    void twoVmsLiveTheirWholeLives() throws Exception {
        Path userData = Files.writeString(home.resolve("alpha.yaml"), "#cloud-config\nhostname: alpha\n");
        Path network = Files.writeString(home.resolve("alpha-net.yaml"), "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n");
        vm("create", "alpha", "--memory", "384M", "--disk", "64M", "--cloud-init", userData.toString(),
                "--network-config", network.toString()).expect(0);
        int port = VmCommands.freePort();
        vm("create", "beta", "--memory", "384M", "--forward", port + ":80").expect(0);
        assertThat(vm("create", "alpha").expect(1).err()).contains("already exists");
        JsonNode created = list();
        assertThat(state(created, "alpha")).isEqualTo("stopped");
        assertThat(created.get(0).path("mac").asText()).startsWith("52:54:00:").isNotEqualTo(created.get(1).path("mac").asText());

        assertThat(vm("start", "alpha").expect(0).out()).contains("VM 'alpha' is running");
        vm("start", "beta").expect(0);
        JsonNode running = list();
        assertThat(state(running, "alpha")).isEqualTo("running");
        assertThat(state(running, "beta")).isEqualTo("running");
        long alpha = pid("alpha");
        long beta = pid("beta");
        assertThat(vm("list").expect(0).out()).containsPattern("alpha +running").containsPattern("beta +running");
        assertThat(vm("start", "alpha").expect(1).err()).contains("VM 'alpha' is already running");
        assertThat(vm("delete", "alpha").expect(1).err()).contains("VM 'alpha' is running; stop it first");

        // A command in the guest, through the agent: output, error output and status come back.
        Result exec = vm("exec", "alpha", "--", "sh", "-c", "echo \"out $1\"; echo err >&2; exit 3", "sh", "it's me");
        assertThat(exec.expect(3).out()).isEqualTo("out it's me\n");
        assertThat(exec.err()).isEqualTo("err\n");
        assertThat(vm("exec", "alpha", "--", "cat", "/sys/block/vda/size").expect(0).out().strip()).isEqualTo("131072");
        // The cloud-init seed follows the disk, with the VM's name and an instance id of its own.
        assertThat(vm("exec", "alpha", "--", "sh", "-c", "mount -t iso9660 -o ro /dev/vdb /mnt && cat /mnt/meta-data")
                .expect(0).out()).matches("(?s)instance-id: iid-[0-9a-f-]{36}\nlocal-hostname: alpha\n");
        assertThat(vm("exec", "alpha", "--", "cat", "/mnt/network-config").expect(0).out()).isEqualTo(Files.readString(network));
        // The host name comes with the DHCP lease, which the agent may answer before: wait (30 s at most) for it.
        assertThat(vm("exec", "beta", "--", "sh", "-c", "for i in $(seq 300); do [ \"$(hostname)\" != jvirt ] && break;"
                + " sleep 0.1; done; hostname").expect(0).out()).isEqualTo("beta\n");

        // The forwarded port reaches a web server started in the guest by exec.
        vm("exec", "beta", "--", "sh", "-c", "mkdir -p /srv && echo hello from beta > /srv/index.html && httpd -p 80 -h /srv")
                .expect(0);
        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.body()).isEqualTo("hello from beta\n");

        console("alpha", "echo $((6 * 7)) from the console", "42 from the console");

        vm("pause", "alpha").expect(0);
        assertThat(state(list(), "alpha")).isEqualTo("paused");
        vm("resume", "alpha").expect(0);
        assertThat(state(list(), "alpha")).isEqualTo("running");
        vm("pause", "alpha").expect(0); // stopped gracefully below: it is resumed to shut down

        // A killed VM process is found out, and start recovers the VM.
        ProcessHandle.of(beta).orElseThrow().destroyForcibly();
        ProcessHandle.of(beta).ifPresent(p -> p.onExit().join());
        JsonNode afterKill = list();
        assertThat(state(afterKill, "beta")).isEqualTo("crashed");
        assertThat(vm("info", "beta").expect(0).out()).contains("state:       crashed");
        vm("start", "beta").expect(0);
        assertThat(state(list(), "beta")).isEqualTo("running");
        long beta2 = pid("beta");

        // Gracefully through the agent, and by pulling the plug.
        Result graceful = vm("stop", "alpha");
        assertThat(graceful.expect(0).out()).contains("VM 'alpha' is stopped");
        assertThat(graceful.err()).as("no fallback to power off").doesNotContain("powering it off");
        assertThat(Files.readString(home.resolve("vms/alpha/console.log"))).contains("jvirt: init started");
        vm("stop", "beta", "--force").expect(0);
        JsonNode stopped = list();
        assertThat(state(stopped, "alpha")).isEqualTo("stopped");
        assertThat(state(stopped, "beta")).isEqualTo("stopped");
        assertThat(vm("stop", "beta").expect(1).err()).contains("VM 'beta' is not running");

        vm("delete", "alpha").expect(0);
        vm("delete", "beta").expect(0);
        assertThat(list()).isEmpty();
        try (Stream<Path> left = Files.list(home.resolve("vms"))) {
            assertThat(left).isEmpty();
        }
        for (long pid : List.of(alpha, beta, beta2)) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
    }

    @Test
    void badInputIsOneLineAndExitOne() throws Exception {
        assertThat(vm("info", "ghost").expect(1).err()).contains("there is no VM named 'ghost'");
        assertThat(vm("start", "ghost").expect(1).err()).contains("there is no VM named 'ghost'");
        assertThat(vm("create", "../evil").expect(1).err()).contains("is not a VM name");
        assertThat(vm("create", "a/b").expect(1).err()).contains("is not a VM name");
        assertThat(vm("create", "big", "--memory", "100T").expect(1).err()).contains("memory size");
        assertThat(vm("create", "tiny", "--memory", "1K").expect(1).err()).contains("memory size");
        assertThat(vm("create", "many", "--cpus", "0").expect(1).err()).contains("CPUs");
        assertThat(vm("create", "disky", "--disk", "12Q").expect(1).err()).contains("12Q");
        assertThat(vm("create", "fwd", "--forward", "80").expect(1).err()).contains("--forward 80");
        assertThat(vm("create", "img", "--image", "windows-95").expect(1).err()).contains("no guest image 'windows-95'");
        assertThat(vm("create", "off", "--net", "none", "--forward", "8080:80").expect(1).err())
                .contains("port forwards need a network");
        assertThat(vm("create", "own", "--kernel", home.resolve("no-such-Image").toString()).expect(1).err())
                .contains("--kernel").contains("no such readable file");
        assertThat(vm("list", "--output=xml").expect(1).err()).contains("choose human or json");
        Path bad = Files.writeString(home.resolve("bad.yaml"), "#cloud-config\nhostname: [a]\npackages: nginx\n");
        assertThat(vm("create", "seedy", "--cloud-init", bad.toString()).expect(1).err())
                .contains("jvirt: user-data line 2, column 1: hostname must be a string")
                .contains("jvirt: user-data line 3, column 1: packages must be a list");
        assertThat(vm("create", "netty", "--network-config", bad.toString()).expect(1).err())
                .contains("--network-config goes into a cloud-init seed");
        Path good = Files.writeString(home.resolve("good.yaml"), "#cloud-config\n");
        assertThat(vm("create", "netty", "--cloud-init", good.toString(), "--network-config", "no-such.yaml").expect(1).err())
                .contains("no-such.yaml: no such file");
        assertThat(home.resolve("vms")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyDirectory());
    }
}
