package jvirt.net.user.tcp;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import jvirt.net.user.stack.EventLoop;
import jvirt.net.user.stack.Timer;

/** A forwarded host TCP port ({@code hostfwd=tcp:}): each accepted client becomes a connection toward the guest. */
final class TcpListener implements EventLoop.Handler {
    private static final int BATCH = 64;
    /** How long accepting pauses after the host refused us a socket (out of descriptors, say). */
    private static final long BACKOFF = 1_000;
    private final TcpNat nat;
    private final ServerSocketChannel channel;
    private final int guestAddress;
    private final int guestPort;
    private final Timer resume = new Timer(now -> interest(SelectionKey.OP_ACCEPT));
    private SelectionKey selection;

    TcpListener(TcpNat nat, ServerSocketChannel channel, int guestAddress, int guestPort) {
        this.nat = nat;
        this.channel = channel;
        this.guestAddress = guestAddress;
        this.guestPort = guestPort;
    }

    void register() throws IOException {
        channel.configureBlocking(false);
        selection = nat.stack.loop.register(channel, SelectionKey.OP_ACCEPT, this);
    }

    @Override
    public void ready(int readyOps) {
        for (int i = 0; i < BATCH; i++) {
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (IOException e) {
                // Accept stays ready while the failure lasts: wait instead of spinning.
                nat.stack.log.warn("tcp-accept", "user-mode network: a forwarded port cannot accept: " + e.getMessage());
                interest(0);
                nat.stack.loop.schedule(resume, EventLoop.now() + BACKOFF);
                return;
            }
            if (client == null) {
                return;
            }
            nat.accepted(client, guestAddress, guestPort);
        }
    }

    @Override
    public void abort() {
        close();
    }

    void close() {
        nat.stack.loop.cancel(resume);
        try {
            channel.close();
        } catch (IOException e) {
            nat.stack.log.warn("tcp-close", "user-mode network: closing a forwarded port failed: " + e.getMessage());
        }
    }

    private void interest(int ops) {
        if (selection != null) {
            nat.stack.loop.interest(selection, ops);
        }
    }
}
