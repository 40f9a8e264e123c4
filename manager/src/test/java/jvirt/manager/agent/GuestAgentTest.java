package jvirt.manager.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The host end of QGA against a scripted agent on the other end of two pipes. */
class GuestAgentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PipedInputStream agentIn = new PipedInputStream(1 << 16);
    private final PipedInputStream hostIn = new PipedInputStream(1 << 16);
    private final OutputStream agentOut;
    private final GuestAgent agent;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile boolean connected = true;

    GuestAgentTest() throws IOException {
        agentOut = new PipedOutputStream(hostIn);
        agent = new GuestAgent(hostIn, new PipedOutputStream(agentIn), () -> connected);
    }

    @AfterEach
    void close() throws IOException {
        agent.close();
        agentOut.close();
    }

    /** Runs a fake agent: {@code answer} says what to write back for each command line (null: nothing). */
    private void fake(java.util.function.Function<JsonNode, String> answer) {
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader commands = new BufferedReader(new InputStreamReader(agentIn, StandardCharsets.UTF_8))) {
                String line;
                while ((line = commands.readLine()) != null) {
                    seen.add(line);
                    String reply = answer.apply(JSON.readTree(line));
                    if (reply != null) {
                        agentOut.write(reply.getBytes(StandardCharsets.ISO_8859_1));
                        agentOut.flush();
                    }
                }
            } catch (IOException e) {
                // The test ended.
            }
        });
    }

    /** As qemu-ga: guest-sync-delimited answers 0xFF and the id; {@code reply} answers the rest. */
    private static String qga(JsonNode command, String reply) {
        if (command.path("execute").asText().equals("guest-sync-delimited")) {
            return "\u00ff{\"return\": " + command.path("arguments").path("id").asLong() + "}\n";
        }
        return reply;
    }

    private static ObjectNode command(String name) {
        return JSON.createObjectNode().put("execute", name);
    }

    @Test
    void synchronizesThenRunsTheCommand() throws Exception {
        fake(c -> qga(c, "{\"return\": {\"pid\": 42}}\n"));
        assertThat(agent.execute(command("guest-exec"), Duration.ofSeconds(5)).path("pid").asInt()).isEqualTo(42);
        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).contains("guest-sync-delimited");
        assertThat(seen.get(1)).isEqualTo("{\"execute\":\"guest-exec\"}");
    }

    @Test
    void whatCameBeforeTheDelimiterIsDiscarded() throws Exception {
        fake(c -> c.path("execute").asText().equals("guest-sync-delimited")
                ? "{\"return\": {\"stale\": true}}\ngarbage\n" + qga(c, null) : "{\"return\": {\"fresh\": true}}\n");
        assertThat(agent.execute(command("guest-info"), Duration.ofSeconds(5)).has("fresh")).isTrue();
    }

    @Test
    void anAgentThatStartsLateAnswersALaterSync() throws Exception {
        fake(c -> c.path("execute").asText().equals("guest-sync-delimited") && seen.size() == 1 ? null
                : qga(c, "{\"return\": {}}\n"));
        assertThat(agent.execute(command("guest-ping"), Duration.ofSeconds(10))).isEmpty();
        assertThat(seen.stream().filter(l -> l.contains("guest-sync-delimited"))).hasSize(2);
    }

    @Test
    void aLateAnswerToARepeatedSyncIsNotTheCommandsReply() throws Exception {
        List<Long> ids = new CopyOnWriteArrayList<>();
        fake(c -> {
            if (!c.path("execute").asText().equals("guest-sync-delimited")) {
                return "{\"return\": {\"pid\": 7}}\n";
            }
            ids.add(c.path("arguments").path("id").asLong());
            if (ids.size() < 2) {
                return null; // the agent was not up yet
            }
            // It comes up and answers both syncs, the first one first.
            return "\u00ff{\"return\": " + ids.get(0) + "}\n\u00ff{\"return\": " + ids.get(1) + "}\n";
        });
        assertThat(agent.execute(command("guest-exec"), Duration.ofSeconds(10)).path("pid").asInt()).isEqualTo(7);
    }

    @Test
    void shutdownExpectsNoReply() throws Exception {
        fake(c -> qga(c, null));
        assertThat(agent.execute(command("guest-shutdown"), Duration.ofSeconds(5))).isNull();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (seen.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(seen).last().asString().contains("guest-shutdown");
    }

    @Test
    void anErrorReplyKeepsItsClass() {
        fake(c -> qga(c, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command x has not been found\"}}\n"));
        assertThatThrownBy(() -> agent.execute(command("x"), Duration.ofSeconds(5))).isInstanceOf(AgentException.class)
                .hasMessageContaining("The command x has not been found")
                .extracting(e -> ((AgentException) e).errorClass()).isEqualTo("CommandNotFound");
    }

    @Test
    void noAgentIsUnavailableInTime() {
        fake(c -> null);
        assertThatThrownBy(() -> agent.execute(command("guest-ping"), Duration.ofMillis(500)))
                .isInstanceOf(AgentException.class).hasMessageContaining("did not give guest-sync in time")
                .extracting(e -> ((AgentException) e).errorClass()).isEqualTo("AgentUnavailable");
    }

    @Test
    void nothingIsSentUntilTheGuestOpensThePortSoNothingStaleWaitsThere() throws Exception {
        connected = false;
        fake(c -> qga(c, "{\"return\": {}}\n"));
        assertThatThrownBy(() -> agent.execute(command("guest-ping"), Duration.ofMillis(300)))
                .isInstanceOf(AgentException.class).hasMessageContaining("nothing in the guest has opened the agent's port");
        assertThat(seen).isEmpty();
        Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            connected = true;
        });
        assertThat(agent.execute(command("guest-ping"), Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void aGuestThatDoesNotReadItsPortCostsATimeoutNotAHang() throws Exception {
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        };
        try (GuestAgent wedged = new GuestAgent(new PipedInputStream(new PipedOutputStream()), stuck, () -> true)) {
            assertThatThrownBy(() -> wedged.execute(command("guest-ping"), Duration.ofMillis(300)))
                    .hasMessageContaining("does not read its agent port");
            long start = System.nanoTime();
            assertThatThrownBy(() -> wedged.execute(command("guest-ping"), Duration.ofSeconds(30)))
                    .hasMessageContaining("does not read its agent port");
            assertThat(System.nanoTime() - start).isLessThan(5_000_000_000L); // at once, not after 30 s
        }
    }

    @Test
    void unparsableRepliesAreSkipped() throws Exception {
        fake(c -> qga(c, "{\"return\": \n[1,\n{\"return\": 5}\n"));
        assertThat(agent.execute(command("guest-get-time"), Duration.ofSeconds(5)).asInt()).isEqualTo(5);
    }
}
