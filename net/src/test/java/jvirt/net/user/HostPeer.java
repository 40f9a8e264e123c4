package jvirt.net.user;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A host TCP server on loopback that accepts one connection and runs {@code session} on it on a thread of its own. */
final class HostPeer<T> implements AutoCloseable {
    interface Session<T> {
        T run(Socket socket) throws Exception;
    }

    final ServerSocket server;
    private final CompletableFuture<T> result = new CompletableFuture<>();
    volatile Socket socket;

    HostPeer(Session<T> session) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = server.accept()) {
                socket = s;
                s.setSoTimeout(20_000);
                result.complete(session.run(s));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    T result() throws Exception {
        return result.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
