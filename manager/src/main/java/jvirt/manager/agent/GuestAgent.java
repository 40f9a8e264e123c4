package jvirt.manager.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The host end of the QEMU guest agent protocol (qemu-ga, or the default guest's own agent) on
 * the virtio-console port {@value #PORT_NAME}: one JSON command per line, one JSON reply per
 * line. Before each command the channel is synchronized the way libvirt does it, with
 * {@code guest-sync-delimited}: the agent answers a 0xFF byte and then {@code {"return":ID}}, so
 * whatever came before (the late reply of a command that timed out, an agent restarting) is
 * discarded. The guest is not trusted: replies are bounded, and one that does not parse is
 * skipped.
 */
public final class GuestAgent implements AutoCloseable {
    public static final String PORT_NAME = "org.qemu.guest_agent.0";
    /** Two streams of 16 MiB of output (qemu-ga's limit), in base64, and the rest of a reply. */
    static final int MAX_REPLY = 48 << 20;
    /** Commands qemu-ga answers only when they fail: the guest goes away instead. */
    private static final Set<String> NO_REPLY = Set.of("guest-shutdown", "guest-suspend-disk", "guest-suspend-ram",
            "guest-suspend-hybrid");
    private static final long RESYNC_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long CONNECT_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int DELIMITER = 0xFF;
    private static final Object DELIMITED = new Object();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OutputStream toGuest;
    private final BooleanSupplier guestConnected;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "jvirt-agent-writer");
        t.setDaemon(true);
        return t;
    });
    private Future<?> pendingWrite;
    /** Lines and delimiters from the guest; small, so a flooding guest waits on its own port. */
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>(4);
    private final Thread reader;

    /** {@code guestConnected}: whether a program in the guest has the port open (virtio-console's PORT_OPEN). */
    public GuestAgent(InputStream fromGuest, OutputStream toGuest, BooleanSupplier guestConnected) {
        this.toGuest = toGuest;
        this.guestConnected = guestConnected;
        InputStream in = new BufferedInputStream(fromGuest);
        this.reader = Thread.ofPlatform().daemon().name("jvirt-agent").start(() -> read(in));
    }

    private void read(InputStream in) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean overlong = false;
        try {
            int b;
            while ((b = in.read()) >= 0) {
                if (b == DELIMITER) {
                    line.reset();
                    overlong = false;
                    received.put(DELIMITED);
                } else if (b == '\n') {
                    if (!overlong) {
                        received.put(line.toString(StandardCharsets.UTF_8));
                    }
                    line.reset();
                    overlong = false;
                } else if (line.size() < MAX_REPLY) {
                    line.write(b);
                } else {
                    overlong = true; // dropped whole when its newline comes
                    line.reset();
                }
            }
        } catch (IOException | InterruptedException e) {
            // The port closed with its machine.
        }
    }

    /**
     * Runs a command ({@code {"execute":…,"arguments":…}}) and returns its {@code return} value,
     * or null for one that gives no reply when it works ({@code guest-shutdown}).
     */
    public synchronized JsonNode execute(ObjectNode command, Duration timeout) throws AgentException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<Long> syncs = synchronize(deadline);
        send(command, deadline);
        if (NO_REPLY.contains(command.path("execute").asText())) {
            return null;
        }
        while (true) {
            JsonNode reply = nextObject(deadline, "an answer to " + command.path("execute").asText());
            if (isSyncReply(reply, syncs)) {
                continue; // a sync sent again while the agent was starting, answered late
            }
            if (reply.has("return")) {
                return reply.get("return");
            }
            if (reply.has("error")) {
                throw new AgentException(reply.path("error").path("class").asText("GenericError"),
                        "the guest agent: " + reply.path("error").path("desc").asText("no detail"));
            }
        }
    }

    /**
     * Sends guest-sync-delimited (again every 2 s: the agent may have started since) until one is
     * answered; returns the ids sent, whose late answers are not the next command's.
     */
    private Set<Long> synchronize(long deadline) throws AgentException {
        received.clear();
        Set<Long> ids = new HashSet<>();
        boolean delimited = false;
        long resend = 0;
        while (true) {
            long now = System.nanoTime();
            if (!guestConnected.getAsBoolean()) {
                // Nothing reads the port yet: what was sent now would wait there, stale, for the agent.
                resend = now + CONNECT_POLL_NANOS;
            } else if (now - resend >= 0) {
                long id = ThreadLocalRandom.current().nextLong(1, Integer.MAX_VALUE);
                ids.add(id);
                ObjectNode sync = JSON.createObjectNode().put("execute", "guest-sync-delimited");
                sync.putObject("arguments").put("id", id);
                send(sync, deadline);
                resend = now + RESYNC_NANOS;
            }
            Object item = poll(Math.min(deadline, resend), deadline, "guest-sync");
            if (item == DELIMITED) {
                delimited = true;
            } else if (item instanceof String line && delimited) {
                if (isSyncReply(parse(line), ids)) {
                    return ids;
                }
            }
        }
    }

    private static boolean isSyncReply(JsonNode reply, Set<Long> ids) {
        return reply != null && reply.path("return").isIntegralNumber() && ids.contains(reply.get("return").asLong());
    }

    private JsonNode nextObject(long deadline, String what) throws AgentException {
        while (true) {
            if (poll(deadline, deadline, what) instanceof String line) {
                JsonNode reply = parse(line);
                if (reply != null && reply.isObject()) {
                    return reply;
                }
            }
        }
    }

    /** The next item before {@code until}, null when that passes first; past {@code deadline}, the agent is unavailable. */
    private Object poll(long until, long deadline, String what) throws AgentException {
        long wait = until - System.nanoTime();
        if (deadline - System.nanoTime() <= 0) {
            throw unavailable(what);
        }
        try {
            Object item = received.poll(Math.max(0, wait), TimeUnit.NANOSECONDS);
            if (item == null && deadline - System.nanoTime() <= 0) {
                throw unavailable(what);
            }
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("AgentUnavailable", "interrupted while waiting for the guest agent");
        }
    }

    private AgentException unavailable(String what) {
        if (!guestConnected.getAsBoolean()) {
            return new AgentException("AgentUnavailable", "nothing in the guest has opened the agent's port " + PORT_NAME
                    + " (is the agent running? Debian images need the qemu-guest-agent package)");
        }
        return new AgentException("AgentUnavailable", "the guest agent did not give " + what + " in time");
    }

    private static JsonNode parse(String line) {
        String text = line.strip();
        try {
            return text.isEmpty() ? null : JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * Writes a command on the writer thread, so that a guest that opened its port but does not
     * read it (the port's buffer full) costs a timeout, not a caller held for good.
     */
    private void send(ObjectNode command, long deadline) throws AgentException {
        if (pendingWrite != null && !pendingWrite.isDone()) {
            throw new AgentException("AgentUnavailable", "the guest does not read its agent port");
        }
        byte[] bytes;
        try {
            bytes = (JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        pendingWrite = writer.submit(() -> {
            toGuest.write(bytes);
            toGuest.flush();
            return null;
        });
        try {
            pendingWrite.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AgentException("AgentUnavailable", "the guest does not read its agent port");
        } catch (ExecutionException e) {
            throw new AgentException("AgentUnavailable", "the guest agent's port is closed: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentException("AgentUnavailable", "interrupted while writing to the guest agent");
        }
    }

    @Override
    public void close() {
        reader.interrupt();
        writer.shutdownNow();
    }
}
