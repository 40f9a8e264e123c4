package jvirt.net.user;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A loopback server that accepts every connection and keeps it open, reading (and discarding or echoing), until closed. */
final class AcceptingServer implements AutoCloseable {
    final ServerSocket server;
    final List<Socket> accepted = new CopyOnWriteArrayList<>();

    AcceptingServer() throws IOException {
        this(false);
    }

    AcceptingServer(boolean echo) throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.add(s);
                    Thread.ofPlatform().daemon().start(() -> {
                        try {
                            s.getInputStream().transferTo(echo ? s.getOutputStream() : java.io.OutputStream.nullOutputStream());
                        } catch (IOException e) {
                            // The peer reset: nothing to keep.
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : accepted) {
            s.close();
        }
    }
}
