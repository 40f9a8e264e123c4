package jvirt.manager.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A VM's control socket, in the spirit of QEMU's QMP: one JSON object per line,
 * {@code {"execute":NAME,"arguments":{…}}}, answered by one line, {@code {"return":…}} or
 * {@code {"error":{"class":…,"desc":…}}}. Each connection is served on its own virtual thread;
 * lines are bounded, and a malformed one gets an error reply, not a closed connection.
 */
public final class ControlServer implements AutoCloseable {
    static final int MAX_LINE = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers one command; throws for an error reply. */
    public interface Handler {
        JsonNode handle(String command, JsonNode arguments) throws ControlException;
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final Handler handler;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    private ControlServer(Path path, ServerSocketChannel server, Handler handler) {
        this.path = path;
        this.server = server;
        this.handler = handler;
        this.acceptor = Thread.ofPlatform().daemon().name("jvirt-control").start(this::accept);
    }

    /** Listens on {@code path} (a stale socket file there is replaced), readable by its owner only. */
    public static ControlServer open(Path path, Handler handler) throws IOException {
        return new ControlServer(path, listen(path), handler);
    }

    /** A Unix socket server at {@code path}, with a one-line error when the path cannot hold one. */
    public static ServerSocketChannel listen(Path path) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | IllegalArgumentException e) {
            server.close();
            throw new IOException("cannot listen on " + path + " (" + e.getMessage() + "); a Unix socket's path must be"
                    + " under 108 bytes: set JVIRT_HOME to a shorter directory", e);
        }
        return server;
    }

    private void accept() {
        try {
            while (true) {
                SocketChannel client = server.accept();
                clients.add(client);
                Thread.ofVirtual().name("jvirt-control-client").start(() -> serve(client));
            }
        } catch (IOException e) {
            // Closed: the VM is going away.
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(client));
            OutputStream out = Channels.newOutputStream(client);
            String line;
            while ((line = Lines.read(in, MAX_LINE)) != null) {
                if (line.isBlank()) {
                    continue;
                }
                out.write((JSON.writeValueAsString(answer(line)) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (ClosedChannelException e) {
            // The server closed it.
        } catch (IOException e) {
            // The client went away, or sent an over-long line: nothing more to say to it.
        } finally {
            clients.remove(client);
        }
    }

    private JsonNode answer(String line) {
        ObjectNode reply = JSON.createObjectNode();
        try {
            JsonNode request = JSON.readTree(line);
            if (!request.isObject() || !request.path("execute").isTextual()) {
                throw new ControlException("GenericError", "a command is an object with \"execute\": NAME");
            }
            JsonNode arguments = request.path("arguments");
            if (!arguments.isMissingNode() && !arguments.isObject()) {
                throw new ControlException("GenericError", "\"arguments\" must be an object");
            }
            JsonNode result = handler.handle(request.get("execute").asText(),
                    arguments.isObject() ? arguments : JSON.createObjectNode());
            reply.set("return", result == null ? JSON.createObjectNode() : result);
            if (request.has("id")) {
                reply.set("id", request.get("id"));
            }
        } catch (JsonProcessingException e) {
            reply.set("error", error("GenericError", "not JSON: " + e.getOriginalMessage()));
        } catch (ControlException e) {
            reply.set("error", error(e.errorClass(), e.getMessage()));
        } catch (RuntimeException e) {
            reply.set("error", error("GenericError", String.valueOf(e.getMessage())));
        }
        return reply;
    }

    private static ObjectNode error(String errorClass, String desc) {
        return JSON.createObjectNode().put("class", errorClass).put("desc", desc);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel client : clients) {
            client.close();
        }
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(path);
    }
}
