package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * End to end through user-mode NAT with Linux's virtio-net driver and busybox's tools as the
 * guest side: the lease, a name lookup, a download from the host, an upload to it, and a server
 * in the guest reached through a forwarded port. Everything stays on this machine's loopback.
 */
class NetworkIT {
    private static final Duration BOOT = Duration.ofMinutes(4);
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static final String PROMPT = "# ";
    private static final String NAME = "files.jvirt.test";


    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void theGuestGetsALeaseResolvesANameAndMovesDataBothWaysThroughTheNat() throws Exception {
        byte[] download = new byte[3 << 20];
        new Random(5).nextBytes(download);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/blob", exchange -> {
            exchange.sendResponseHeaders(200, download.length);
            try (var body = exchange.getResponseBody()) {
                body.write(download);
            }
        });
        http.start();
        int forwarded = freePort();
        try (ServerSocket upload = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                NameServer dns = new NameServer(NAME, new byte[] {10, 0, 2, 2});
                Console console = Console.start(List.of("run", "--net", "user,hostfwd=tcp::" + forwarded + "-:8080"
                        + ",dns-upstream=127.0.0.1:" + dns.port()))) {
            console.await("jvirt: eth0 up: 10.0.2.15 via 10.0.2.2, dns 10.0.2.3", BOOT);
            console.await("BusyBox v", BOOT);
            console.await(PROMPT, BOOT);
            console.type("dmesg -n 1");
            console.await(PROMPT, COMMAND);

            // The name is answered by a server on the host's loopback, through the DNS forwarder.
            assertThat(console.shell("nslookup " + NAME)).contains("Address: 10.0.2.2");

            // Host to guest: a download by that name from an HTTP server on the host's loopback.
            int port = http.getAddress().getPort();
            assertThat(console.shell("wget -q -O - http://" + NAME + ":" + port + "/blob | sha256sum"))
                    .contains(sha256(download));

            // Guest to host: what the guest sends arrives whole.
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = upload.accept(); InputStream in = s.getInputStream()) {
                    return in.readAllBytes();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String sent = console.shell("dd if=/dev/urandom of=/tmp/up bs=64k count=40 2>/dev/null; nc 10.0.2.2 "
                    + upload.getLocalPort() + " < /tmp/up; sha256sum /tmp/up");
            assertThat(sent).contains(sha256(received.get()));
            assertThat(received.get()).hasSize(40 * 65536);

            // A server in the guest, reached from the host through the forwarded port.
            console.shell("mkdir -p /www && echo hello from the guest > /www/index.html && httpd -p 8080 -h /www");
            HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + forwarded + "/index.html")).timeout(COMMAND).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).isEqualTo("hello from the guest\n");

            console.type("poweroff -f");
            assertThat(console.exitCode(COMMAND)).as(console.output()).isZero();
        } finally {
            http.stop(0);
        }
    }

    /** A DNS server on the host's loopback that knows one name (an A record) and answers NXDOMAIN for others. */
    private static final class NameServer implements AutoCloseable {
        private final DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        private final Thread thread;

        NameServer(String name, byte[] address) throws Exception {
            thread = Thread.ofPlatform().daemon().start(() -> serve(name, address));
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve(String name, byte[] address) {
            byte[] buf = new byte[512];
            while (!socket.isClosed()) {
                DatagramPacket query = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(query);
                    byte[] answer = answer(ByteBuffer.wrap(buf, 0, query.getLength()), name, address);
                    socket.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
                } catch (Exception e) {
                    return; // closed
                }
            }
        }

        /** The question comes back with one answer for the name's A query, none (NXDOMAIN or no data) else. */
        private static byte[] answer(ByteBuffer q, String name, byte[] address) {
            int id = q.getShort(0) & 0xFFFF;
            StringBuilder asked = new StringBuilder();
            int at = 12;
            for (int len; (len = q.get(at) & 0xFF) != 0; at += len + 1) {
                asked.append(asked.isEmpty() ? "" : ".")
                        .append(new String(q.array(), q.arrayOffset() + at + 1, len, StandardCharsets.US_ASCII));
            }
            int questionEnd = at + 1 + 4;
            int type = q.getShort(at + 1) & 0xFFFF;
            boolean known = asked.toString().equalsIgnoreCase(name);
            boolean answer = known && type == 1;
            ByteBuffer r = ByteBuffer.allocate(questionEnd + 16);
            r.putShort((short) id).putShort((short) (0x8180 | (known ? 0 : 3))).putShort((short) 1)
                    .putShort((short) (answer ? 1 : 0)).putShort((short) 0).putShort((short) 0);
            r.put(q.array(), q.arrayOffset() + 12, questionEnd - 12);
            if (answer) {
                r.putShort((short) 0xC00C).putShort((short) 1).putShort((short) 1).putInt(60).putShort((short) 4).put(address);
            }
            byte[] out = new byte[r.position()];
            r.flip().get(out);
            return out;
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5000);
        }
    }
}
