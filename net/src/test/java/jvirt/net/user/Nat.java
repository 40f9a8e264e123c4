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

    void send(ByteBuffer frame) {
        network.send(frame.rewind(), false);
    }

    /** Sends with virtio's NEEDS_CSUM: the transport checksum is not to be verified. */
    void sendPartial(ByteBuffer frame) {
        network.send(frame.rewind(), true);
    }

    NatStats stats() {
        return network.stats();
    }

    @Override
    public void close() {
        network.close();
    }
}
