package jvirt.virtio;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Wraps a device and records what the transport asks of it. */
public final class SpyDevice implements VirtioDevice {
    private final VirtioDevice device;
    public final List<Integer> notifications = Collections.synchronizedList(new ArrayList<>());
    public volatile List<Virtqueue> queues;
    public volatile int activations;
    public volatile int resets;

    public SpyDevice(VirtioDevice device) {
        this.device = device;
    }

    @Override
    public int deviceId() {
        return device.deviceId();
    }

    @Override
    public long features() {
        return device.features();
    }

    @Override
    public List<Integer> maxQueueSizes() {
        return device.maxQueueSizes();
    }

    @Override
    public int readConfig(int offset) {
        return device.readConfig(offset);
    }

    @Override
    public void writeConfig(int offset, int value) {
        device.writeConfig(offset, value);
    }

    @Override
    public void activate(Transport transport, List<Virtqueue> qs) {
        queues = qs;
        activations++;
        device.activate(transport, qs);
    }

    @Override
    public void queueNotify(int queue) {
        notifications.add(queue);
        device.queueNotify(queue);
    }

    @Override
    public void reset() {
        resets++;
        device.reset();
    }

    @Override
    public void close() {
        device.close();
    }
}
