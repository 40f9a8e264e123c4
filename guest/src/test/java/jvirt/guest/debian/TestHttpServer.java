package jvirt.guest.debian;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** A web server on the loopback interface serving files from memory, recording every request. */
public final class TestHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, Function<Integer, byte[]>> files = new ConcurrentHashMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    public TestHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.add(path);
            int attempt = (int) requests.stream().filter(path::equals).count();
            Function<Integer, byte[]> file = files.get(path);
            byte[] body = file == null ? null : file.apply(attempt);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    /** The server's root, e.g. {@code http://127.0.0.1:40000/debian/}. */
    public URI uri(String path) {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + path);
    }

    public void put(String path, byte[] content) {
        files.put(path, attempt -> content);
    }

    /** Serves what {@code content} gives for the n-th request (from 1) of {@code path}; null is a 404. */
    public void put(String path, Function<Integer, byte[]> content) {
        files.put(path, content);
    }

    public void remove(String path) {
        files.remove(path);
    }

    public List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
