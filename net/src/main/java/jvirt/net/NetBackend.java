package jvirt.net;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A network a NIC plugs into: it takes the guest's Ethernet frames and hands frames back through
 * the NIC's {@link GuestPort}. A backend owns its threads and host resources from {@link #start}
 * to {@link #close}.
 */
public interface NetBackend extends AutoCloseable {
    /**
     * Connects the NIC and opens what the network needs on the host (sockets, listeners for
     * forwarded ports). Called once, before the guest runs; a resource that cannot be had (a
     * forwarded port in use) is an {@link IOException} whose message says which and what to do.
     */
    void start(GuestPort nic) throws IOException;

    /**
     * Carries one frame from the guest, starting at its Ethernet header, between the buffer's
     * position and limit; the buffer is only valid during the call. {@code checksumPartial}: the
     * guest left the transport checksum for the device to finish (virtio's NEEDS_CSUM), so it must
     * not be verified. With segmentation offload a TCP frame may be larger than the MTU (up to
     * 64 KiB). Runs on the NIC's thread and may call {@link GuestPort#receive} before it returns.
     */
    void send(ByteBuffer frame, boolean checksumPartial);

    /**
     * The largest IP packet the guest may send in one frame, which the NIC tells its driver (the
     * guest's interface MTU). 1500 unless the network takes more.
     */
    default int mtu() {
        return 1500;
    }

    /** The NIC refused a frame earlier and has room again. */
    void receiveReady();

    /** Stops the backend's threads and releases its host resources. */
    @Override
    void close();
}
