package jvirt.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A background VM's serial console: the log, the one client, and a client that stops reading. */
class ConsoleHubTest {
    @TempDir
    Path dir;

    private SocketChannel attach() throws Exception {
        SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
        client.connect(UnixDomainSocketAddress.of(dir.resolve("console.sock")));
        return client;
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void theClientSeesTheOutputAndTypesToTheGuestASecondIsTurnedAway() throws Exception {
        LinkedBlockingQueue<Byte> typed = new LinkedBlockingQueue<>();
        try (ConsoleHub hub = ConsoleHub.open(dir.resolve("console.sock"), dir.resolve("console.log"));
                SocketChannel client = attach()) {
            hub.attach(typed::put);
            Thread.sleep(100); // attached
            hub.output().write("login: ".getBytes(StandardCharsets.US_ASCII));
            client.write(ByteBuffer.wrap("root\n".getBytes(StandardCharsets.US_ASCII)));
            StringBuilder got = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                got.append((char) (byte) typed.poll(10, TimeUnit.SECONDS));
            }
            assertThat(got).hasToString("root\n");
            byte[] seen = new byte[7];
            assertThat(Channels.newInputStream(client).read(seen)).isPositive();
            assertThat(new String(seen, StandardCharsets.US_ASCII)).startsWith("login");
            try (SocketChannel second = attach()) {
                String refusal = new String(Channels.newInputStream(second).readAllBytes(), StandardCharsets.UTF_8);
                assertThat(refusal).contains("in use by another 'jvirt vm console'");
            }
        }
        assertThat(Files.readString(dir.resolve("console.log"))).startsWith("login: ");
    }

    @Test
    void aClientThatStopsReadingCostsItsOwnOutputNotTheLog() throws Exception {
        byte[] line = ("x".repeat(1023) + "\n").getBytes(StandardCharsets.US_ASCII);
        int lines = 3 * 1024; // 3 MiB: far past what a socket buffer and the client's queue hold
        try (ConsoleHub hub = ConsoleHub.open(dir.resolve("console.sock"), dir.resolve("console.log"));
                SocketChannel stalled = attach()) {
            OutputStream guest = hub.output();
            Thread.sleep(100); // attached, and never reads
            for (int i = 0; i < lines; i++) {
                guest.write(line, 0, line.length);
                if (i % 64 == 0) {
                    Thread.sleep(1); // a guest's console is not a memory copy either
                }
            }
            await("the log has it all", () -> {
                try {
                    return Files.size(dir.resolve("console.log")) == (long) lines * line.length;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        }
    }
}
