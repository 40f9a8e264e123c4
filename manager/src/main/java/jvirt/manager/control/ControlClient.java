package jvirt.manager.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** The client end of a {@link ControlServer}: one command at a time, each with a deadline. */
public final class ControlClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Replies carry a guest command's output; the agent bounds it, this bounds what the reader holds. */
    private static final int MAX_REPLY = 64 << 20;
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jvirt-control-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final SocketChannel channel;
    private final InputStream in;

    private ControlClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedInputStream(Channels.newInputStream(channel));
    }

    public static ControlClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException | IllegalArgumentException e) {
            channel.close();
            throw new IOException("cannot reach " + socket + ": " + e.getMessage(), e);
        }
        return new ControlClient(channel);
    }

    /** Runs a command and returns its {@code return} value; an error reply is a {@link ControlException}. */
    public synchronized JsonNode call(String command, ObjectNode arguments, Duration timeout)
            throws IOException, ControlException {
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> deadline = WATCHDOG.schedule(() -> {
            late.set(true);
            closeQuietly();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        String line;
        try {
            ByteBuffer bytes = ByteBuffer.wrap((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            line = Lines.read(in, MAX_REPLY);
        } catch (IOException e) {
            if (late.get()) {
                throw new IOException("no answer to '" + command + "' within " + timeout.toSeconds() + " s", e);
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
        if (line == null) {
            throw new IOException("the VM closed its control connection");
        }
        JsonNode reply;
        try {
            reply = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IOException("a reply that is not JSON: " + e.getOriginalMessage(), e);
        }
        if (reply.has("error")) {
            throw new ControlException(reply.path("error").path("class").asText("GenericError"),
                    reply.path("error").path("desc").asText("no detail"));
        }
        if (!reply.has("return")) {
            throw new IOException("a reply with neither return nor error");
        }
        return reply.get("return");
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException e) {
            // Closing is all a deadline does.
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
