package jvirt.manager;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import jvirt.core.ConsoleInput;
import jvirt.manager.control.ControlServer;

/**
 * The serial console of a VM that runs in the background: what the guest prints goes to
 * {@code console.log} (rotated to {@code console.log.1} past {@value #LOG_LIMIT} bytes) and to
 * the one client attached on {@code console.sock}, whose keys go to the guest. The guest's side
 * never waits for the log or the client: its bytes wait in a bounded buffer that a thread of its
 * own drains to the log, and hands on to the client's own sender; what a stalled client leaves
 * past its bound is dropped for it, never for the log.
 */
final class ConsoleHub implements AutoCloseable {
    static final long LOG_LIMIT = 4 << 20;
    private static final int PENDING_LIMIT = 1 << 20;

    private final Path logFile;
    private final ServerSocketChannel server;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final Thread drainer;
    private final Thread acceptor;
    private OutputStream log;
    private long logged;
    private volatile ConsoleInput input;
    private volatile Watcher client;
    private boolean closed;

    private ConsoleHub(Path socket, Path logFile) throws IOException {
        this.logFile = logFile;
        this.logged = Files.exists(logFile) ? Files.size(logFile) : 0;
        this.log = new FileOutputStream(logFile.toFile(), true);
        this.server = ControlServer.listen(socket);
        this.drainer = Thread.ofPlatform().daemon().name("jvirt-console-log").start(this::drain);
        this.acceptor = Thread.ofPlatform().daemon().name("jvirt-console").start(this::accept);
    }

    static ConsoleHub open(Path socket, Path logFile) throws IOException {
        return new ConsoleHub(socket, logFile);
    }

    /** The stream the board's console writes to. */
    OutputStream output() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (pending) {
                    int room = PENDING_LIMIT - pending.size();
                    pending.write(b, off, Math.min(len, Math.max(room, 0)));
                    pending.notifyAll();
                }
            }
        };
    }

    /** Where typed keys go: the console of the board now running (a new one after each reboot). */
    void attach(ConsoleInput device) {
        input = device;
    }

    private void drain() {
        while (true) {
            byte[] bytes;
            synchronized (pending) {
                while (pending.size() == 0 && !closed) {
                    try {
                        pending.wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (pending.size() == 0) {
                    return;
                }
                bytes = pending.toByteArray();
                pending.reset();
            }
            writeLog(bytes);
            Watcher watcher = client;
            if (watcher != null) {
                watcher.offer(bytes);
            }
        }
    }

    private void writeLog(byte[] bytes) {
        try {
            if (logged + bytes.length > LOG_LIMIT) {
                log.close();
                Files.move(logFile, logFile.resolveSibling(logFile.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
                log = new FileOutputStream(logFile.toFile(), true);
                logged = 0;
            }
            log.write(bytes);
            log.flush();
            logged += bytes.length;
        } catch (IOException e) {
            // A full disk loses the log, not the VM.
        }
    }

    private void accept() {
        try {
            while (true) {
                SocketChannel next = server.accept();
                if (client != null) {
                    next.write(ByteBuffer.wrap(("jvirt: this console is in use by another 'jvirt vm console';"
                            + " detach that one first (Ctrl-])\r\n").getBytes(StandardCharsets.UTF_8)));
                    next.close();
                    continue;
                }
                Watcher watcher = new Watcher(next);
                client = watcher;
                Thread.ofVirtual().name("jvirt-console-keys").start(() -> type(watcher));
            }
        } catch (IOException e) {
            // Closed with the VM.
        }
    }

    /** Passes the client's keys to the guest until it detaches. */
    private void type(Watcher from) {
        try (InputStream keys = Channels.newInputStream(from.channel)) {
            byte[] buffer = new byte[256];
            int n;
            while ((n = keys.read(buffer)) > 0) {
                ConsoleInput device = input;
                for (int i = 0; i < n && device != null; i++) {
                    device.receive(buffer[i]);
                }
            }
        } catch (IOException | InterruptedException e) {
            // Detached.
        } finally {
            detach(from);
        }
    }

    private void detach(Watcher which) {
        if (client == which) {
            client = null;
        }
        which.close();
    }

    /** The attached client's side of the output: a sender of its own behind a bounded queue. */
    private final class Watcher {
        private static final int QUEUED_WRITES = 256;
        final SocketChannel channel;
        private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUED_WRITES);
        private final Thread sender;

        Watcher(SocketChannel channel) {
            this.channel = channel;
            this.sender = Thread.ofVirtual().name("jvirt-console-screen").start(this::send);
        }

        /** Queues output for the client; a client this far behind misses it. */
        void offer(byte[] bytes) {
            queue.offer(bytes);
        }

        private void send() {
            try {
                while (true) {
                    ByteBuffer buffer = ByteBuffer.wrap(queue.take());
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }
            } catch (IOException | InterruptedException e) {
                detach(this);
            }
        }

        void close() {
            sender.interrupt();
            try {
                channel.close();
            } catch (IOException e) {
                // Gone either way.
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Watcher watcher = client;
        synchronized (pending) {
            closed = true;
            pending.notifyAll();
        }
        try {
            drainer.join(2000);
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (watcher != null) {
            detach(watcher);
        }
        log.close();
    }
}
