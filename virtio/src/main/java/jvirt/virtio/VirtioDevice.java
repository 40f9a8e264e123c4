package jvirt.virtio;

import java.util.List;

/**
 * A virtio device type (block, console, entropy ...) independent of the transport that carries
 * it. The transport negotiates features and collects queue settings; it then activates the
 * device, forwards notifications and resets it.
 *
 * <p>{@link #queueNotify}, {@link #reset} and the config accessors run on a hart's thread: a
 * device that does slow work hands it to its own thread.
 */
public interface VirtioDevice extends AutoCloseable {
    /** The device ID of virtio 1.2 §5 (2 block, 3 console, 4 entropy ...). */
    int deviceId();

    /** The device-specific feature bits offered (the transport adds its own). */
    long features();

    /** The largest size of each queue; the list's length is the number of queues. */
    List<Integer> maxQueueSizes();

    /** One byte of the configuration space; bytes past its end read as zero. */
    int readConfig(int offset);

    /** Writes one byte of the configuration space; read-only fields ignore it. */
    default void writeConfig(int offset, int value) {
    }

    /** The driver set DRIVER_OK: the queues (in order) are ready to use. */
    void activate(Transport transport, List<Virtqueue> queues);

    /** The driver put buffers in queue {@code queue}. */
    void queueNotify(int queue);

    /** Back to the state before activation. When it returns, the device no longer touches guest memory. */
    void reset();

    /** Stops the device's threads and releases its backend; called once, when the machine ends. */
    @Override
    void close();
}
