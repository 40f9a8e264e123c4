package jvirt.manager.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The host's agent client against both agents it meets: Debian's qemu-ga (the host's own build,
 * listening on a Unix socket, as in a full Debian guest) and the default guest's jvirt-agent
 * (under the host's busybox). The same commands get the same answers from both.
 */
class AgentPeersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** An agent process and the streams that reach it. */
    private record Peer(Process process, InputStream in, OutputStream out, SocketChannel channel) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
            process.destroyForcibly().onExit().join();
        }
    }

    private Peer start(String agent) throws Exception {
        return agent.equals("qemu-ga") ? qemuGa() : jvirtAgent();
    }

    private Peer qemuGa() throws Exception {
        Path binary = Path.of("/usr/sbin/qemu-ga");
        if (!Files.isExecutable(binary)) {
            fail("qemu-ga is not installed (Debian's qemu-guest-agent is this test's peer); run scripts/setup");
        }
        Path socket = dir.resolve("qga.sock");
        Process process = new ProcessBuilder(binary.toString(), "-m", "unix-listen", "-p", socket.toString(),
                "-f", dir.resolve("qga.pid").toString(), "-t", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("qga.log").toFile()).start();
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                break;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    fail("qemu-ga did not listen: " + Files.readString(dir.resolve("qga.log")));
                }
                Thread.sleep(50);
            }
        }
        return new Peer(process, Channels.newInputStream(channel), Channels.newOutputStream(channel), channel);
    }

    private Peer jvirtAgent() throws Exception {
        Path busybox = Stream.of("/usr/bin/busybox", "/bin/busybox").map(Path::of).filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("busybox is not installed; run scripts/setup"));
        Path applets = Files.createDirectories(dir.resolve("applets"));
        Process list = new ProcessBuilder(busybox.toString(), "--list").start();
        for (String applet : new String(list.getInputStream().readAllBytes()).split("\n")) {
            if (!applet.isBlank()) {
                Files.createSymbolicLink(applets.resolve(applet.strip()), busybox);
            }
        }
        Path script = dir.resolve("jvirt-agent");
        try (InputStream resource = getClass().getResourceAsStream("/jvirt/guest/initramfs/jvirt-agent")) {
            Files.copy(resource, script);
        }
        ProcessBuilder builder = new ProcessBuilder(busybox.toString(), "sh", script.toString());
        builder.environment().clear();
        builder.environment().put("PATH", applets.toString());
        builder.environment().put("JVIRT_AGENT_STATE", dir.resolve("state").toString());
        builder.redirectError(dir.resolve("agent.log").toFile());
        Process process = builder.start();
        return new Peer(process, process.getInputStream(), process.getOutputStream(), null);
    }

    /** The applet links go before JUnit's cleanup, which warns about every link that leads out of the directory. */
    @AfterEach
    void removeAppletLinks() throws IOException {
        Path applets = dir.resolve("applets");
        if (Files.isDirectory(applets)) {
            try (Stream<Path> links = Files.list(applets)) {
                for (Path link : links.toList()) {
                    Files.delete(link);
                }
            }
        }
    }

    private static ObjectNode command(String name) {
        return JSON.createObjectNode().put("execute", name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qemu-ga", "jvirt-agent"})
    void theSameCommandsGetTheSameAnswers(String which) throws Exception {
        try (Peer peer = start(which); GuestAgent agent = new GuestAgent(peer.in(), peer.out(), () -> true)) {
            assertThat(agent.execute(command("guest-ping"), WAIT)).isEmpty();

            List<String> supported = agent.execute(command("guest-info"), WAIT).path("supported_commands")
                    .findValuesAsText("name");
            assertThat(supported).contains("guest-ping", "guest-exec", "guest-exec-status", "guest-shutdown",
                    "guest-sync-delimited");

            ObjectNode exec = command("guest-exec");
            exec.putObject("arguments").put("path", "sh").put("capture-output", true).putArray("arg")
                    .add("-c").add("echo out; echo err >&2; exit 3");
            long pid = agent.execute(exec, WAIT).path("pid").asLong();
            assertThat(pid).isPositive();
            ObjectNode status = command("guest-exec-status");
            status.putObject("arguments").put("pid", pid);
            JsonNode done = agent.execute(status, WAIT);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.path("exited").asBoolean() && System.nanoTime() < deadline) {
                Thread.sleep(20);
                done = agent.execute(status, WAIT);
            }
            assertThat(done.path("exited").asBoolean()).isTrue();
            assertThat(done.path("exitcode").asInt()).isEqualTo(3);
            assertThat(new String(Base64.getDecoder().decode(done.path("out-data").asText()))).isEqualTo("out\n");
            assertThat(new String(Base64.getDecoder().decode(done.path("err-data").asText()))).isEqualTo("err\n");

            // The pid is forgotten once its exit was told, and an unknown command keeps its class.
            assertThatThrownBy(() -> agent.execute(status, WAIT)).isInstanceOf(AgentException.class)
                    .extracting(e -> ((AgentException) e).errorClass()).isEqualTo("GenericError");
            assertThatThrownBy(() -> agent.execute(command("guest-frobnicate"), WAIT)).isInstanceOf(AgentException.class)
                    .extracting(e -> ((AgentException) e).errorClass()).isEqualTo("CommandNotFound");
        }
    }
}
