package jvirt.net.user;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import jvirt.net.user.stack.Limits;

/** A started {@link UserNetwork} with a {@link TestNic}, for tests. */
final class Nat implements AutoCloseable {
    final TestNic nic;
    final UserNetwork network;
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    Nat(String options) throws IOException {
        this(options, Limits.DEFAULTS, new TestNic());
    }

    Nat(String options, Limits limits, TestNic nic) throws IOException {
        this.nic = nic;
        this.network = new UserNetwork(NatConfig.parse(options), log::add, limits);
        network.start(nic);
    }

    /** Whether frames are sent with the NIC's lock held, as a device may do. */
    volatile boolean holdingNicLock;

    void send(ByteBuffer frame) {
        send(frame, false);
    }

    /** Sends with virtio's NEEDS_CSUM: the transport checksum is not to be verified. */
    void sendPartial(ByteBuffer frame) {
        send(frame, true);
    }

    private void send(ByteBuffer frame, boolean partial) {
        if (holdingNicLock) {
            synchronized (nic) {
                network.send(frame.rewind(), partial);
            }
        } else {
            network.send(frame.rewind(), partial);
        }
    }

    NatStats stats() {
        return network.stats();
    }

    @Override
    public void close() {
        network.close();
    }
}
