package jvirt.manager.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SECOND = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private final CountDownLatch never = new CountDownLatch(1);

    private ControlServer server() throws Exception {
        return ControlServer.open(dir.resolve("control.sock"), (command, arguments) -> switch (command) {
            case "echo" -> arguments;
            case "nothing" -> null;
            case "hang" -> {
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield null;
            }
            default -> throw new ControlException("CommandNotFound", "the command " + command + " has not been found");
        });
    }

    @Test
    void answersCommandsAndErrorsInQmpShape() throws Exception {
        try (ControlServer server = server(); ControlClient client = ControlClient.connect(dir.resolve("control.sock"))) {
            ObjectNode args = JSON.createObjectNode().put("word", "hello");
            assertThat(client.call("echo", args, SECOND)).isEqualTo(args);
            assertThat(client.call("nothing", null, SECOND)).isEqualTo(JSON.createObjectNode());
            assertThatThrownBy(() -> client.call("frobnicate", null, SECOND)).isInstanceOf(ControlException.class)
                    .hasMessage("the command frobnicate has not been found")
                    .extracting(e -> ((ControlException) e).errorClass()).isEqualTo("CommandNotFound");
        }
    }

    @Test
    void theSocketIsTheOwnersAndGoesAwayWithTheServer() throws Exception {
        Path socket = dir.resolve("control.sock");
        Files.writeString(socket, "stale");
        try (ControlServer server = server()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void malformedLinesGetErrorRepliesAndTheConnectionStays() throws Exception {
        try (ControlServer server = server();
                SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            raw.connect(UnixDomainSocketAddress.of(dir.resolve("control.sock")));
            BufferedReader replies = new BufferedReader(new InputStreamReader(Channels.newInputStream(raw), StandardCharsets.UTF_8));
            for (String bad : new String[] {"{not json", "[1,2]", "{\"execute\": 3}", "{\"execute\":\"echo\",\"arguments\":[]}"}) {
                raw.write(ByteBuffer.wrap((bad + "\n").getBytes(StandardCharsets.UTF_8)));
                assertThat(JSON.readTree(replies.readLine()).path("error").path("class").asText()).as(bad).isEqualTo("GenericError");
            }
            raw.write(ByteBuffer.wrap("{\"execute\":\"echo\",\"arguments\":{\"a\":1},\"id\":7}\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(replies.readLine()).isEqualTo("{\"return\":{\"a\":1},\"id\":7}");
        }
    }

    @Test
    void anOverlongLineEndsTheConnectionNotTheServer() throws Exception {
        try (ControlServer server = server()) {
            try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                raw.connect(UnixDomainSocketAddress.of(dir.resolve("control.sock")));
                ByteBuffer junk = ByteBuffer.allocate(ControlServer.MAX_LINE + 10);
                try {
                    while (junk.hasRemaining()) {
                        raw.write(junk);
                    }
                } catch (java.io.IOException e) {
                    // The server hung up mid-line: that is the point.
                }
                assertThat(Channels.newInputStream(raw).read()).isEqualTo(-1);
            }
            try (ControlClient client = ControlClient.connect(dir.resolve("control.sock"))) {
                assertThat(client.call("nothing", null, SECOND)).isEmpty();
            }
        }
    }

    @Test
    void aCallThatGetsNoAnswerTimesOut() throws Exception {
        try (ControlServer server = server(); ControlClient client = ControlClient.connect(dir.resolve("control.sock"))) {
            assertThatThrownBy(() -> client.call("hang", null, Duration.ofMillis(200)))
                    .hasMessageContaining("no answer to 'hang'");
        } finally {
            never.countDown();
        }
    }

    @Test
    void connectingWhereNothingListensIsOneLine() {
        assertThatThrownBy(() -> ControlClient.connect(dir.resolve("none.sock"))).hasMessageStartingWith("cannot reach ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
