package jvirt.net.user;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import jvirt.net.GuestPort;
import jvirt.net.MacAddress;

/** A NIC that keeps every frame the NAT hands it, and can refuse frames to exercise backpressure. */
class TestNic implements GuestPort {
    static final MacAddress MAC = MacAddress.QEMU_DEFAULT;
    private final List<Packet> frames = new ArrayList<>();
    volatile boolean partialChecksum;
    volatile boolean largeTcp;
    volatile boolean refusing;

    TestNic() {
    }

    TestNic(boolean partialChecksum, boolean largeTcp) {
        this.partialChecksum = partialChecksum;
        this.largeTcp = largeTcp;
    }

    @Override
    public MacAddress mac() {
        return MAC;
    }

    @Override
    public boolean acceptsPartialChecksum() {
        return partialChecksum;
    }

    @Override
    public boolean acceptsLargeTcp() {
        return largeTcp;
    }

    @Override
    public boolean receive(ByteBuffer frame, int checksumStart, int checksumOffset, int segmentSize) {
        if (refusing) {
            return false;
        }
        ByteBuffer copy = ByteBuffer.allocate(frame.remaining());
        copy.put(frame.duplicate()).flip();
        synchronized (frames) {
            frames.add(new Packet(copy, checksumStart, checksumOffset, segmentSize));
            frames.notifyAll();
        }
        return true;
    }

    /** Takes the first frame (kept or still to come) that matches, waiting up to 10 s; fails the test without one. */
    Packet await(Predicate<Packet> match) {
        Packet p = poll(match, Duration.ofSeconds(10));
        if (p == null) {
            throw new AssertionError("no matching frame from the NAT within 10 s; it sent " + describe());
        }
        return p;
    }

    /** Takes the first matching frame, or null when none comes within {@code wait}. */
    Packet poll(Predicate<Packet> match, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (frames) {
            while (true) {
                for (Iterator<Packet> it = frames.iterator(); it.hasNext(); ) {
                    Packet p = it.next();
                    if (match.test(p)) {
                        it.remove();
                        return p;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                try {
                    frames.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    /** Removes and returns every frame kept so far. */
    List<Packet> drain() {
        synchronized (frames) {
            List<Packet> all = new ArrayList<>(frames);
            frames.clear();
            return all;
        }
    }

    private String describe() {
        synchronized (frames) {
            return frames.size() + " other frames" + (frames.isEmpty() ? "" : ", the first " + frames.getFirst());
        }
    }
}
