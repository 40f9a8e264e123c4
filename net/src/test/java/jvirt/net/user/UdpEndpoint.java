package jvirt.net.user;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.function.UnaryOperator;

/** A host UDP socket on loopback that answers each datagram with {@code answer} on a thread of its own. */
final class UdpEndpoint implements AutoCloseable {
    final DatagramSocket socket;
    private final Thread thread;
    volatile DatagramPacket last;

    UdpEndpoint(String address, UnaryOperator<byte[]> answer) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.ofLiteral(address), 0));
        socket.setSoTimeout(100);
        thread = Thread.ofPlatform().daemon().start(() -> {
            byte[] buffer = new byte[65536];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    return;
                }
                byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
                last = new DatagramPacket(data, data.length, p.getSocketAddress());
                byte[] out = answer.apply(data);
                if (out != null) {
                    try {
                        socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            }
        });
    }

    int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
