package jvirt.virtio.rng;

import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import jvirt.virtio.AbstractVirtioDevice;
import jvirt.virtio.DescriptorChain;

/**
 * virtio-rng (virtio 1.2 §5.4): fills the buffers the guest offers with bytes from the host's
 * {@link SecureRandom}, which Linux then serves as {@code /dev/hwrng} and mixes into its pool.
 * Requests are small and served at once on the notifying hart's thread; a driver asking for a
 * huge buffer gets {@value #MAX_PER_REQUEST} bytes of it filled, as the spec allows.
 */
public final class VirtioRng extends AbstractVirtioDevice {
    public static final int DEVICE_ID = 4;
    static final int QUEUE_SIZE = 64;
    static final int MAX_PER_REQUEST = 64 * 1024;

    private final Random source;

    public VirtioRng(Random source) {
        this.source = source;
    }

    /** Entropy from the host's strongest non-blocking source. */
    public static VirtioRng secure() {
        return new VirtioRng(new SecureRandom());
    }

    @Override
    public int deviceId() {
        return DEVICE_ID;
    }

    @Override
    public long features() {
        return 0;
    }

    @Override
    public List<Integer> maxQueueSizes() {
        return List.of(QUEUE_SIZE);
    }

    @Override
    public int readConfig(int offset) {
        return 0; // no configuration space
    }

    @Override
    public void queueNotify(int queue) {
        lock.lock();
        try {
            serve(0, this::fill);
        } finally {
            lock.unlock();
        }
    }

    private long fill(DescriptorChain chain) {
        byte[] bytes = new byte[(int) Math.min(chain.writableLength(), MAX_PER_REQUEST)];
        source.nextBytes(bytes);
        chain.write(0, bytes);
        return bytes.length;
    }

    @Override
    public void close() {
        reset();
    }
}
