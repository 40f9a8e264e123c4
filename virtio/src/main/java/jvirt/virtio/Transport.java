package jvirt.virtio;

import jvirt.core.GuestMemory;

/**
 * What a device asks of the transport it sits on. Devices call it from their own threads; the
 * transport never holds a lock of its own while calling into a device, so this cannot deadlock.
 */
public interface Transport {
    /** Guest RAM, where the queues and buffers live. */
    GuestMemory memory();

    /** The features the driver accepted. */
    long negotiatedFeatures();

    /** Raises the used-buffer interrupt (after the device decided, with the queue, that one is due). */
    void usedBuffers();

    /** The device's configuration space changed: bumps the generation and raises the config interrupt. */
    void configChanged();

    /** The driver broke the protocol: the device needs a reset (DEVICE_NEEDS_RESET) and does nothing until then. */
    void fail(String why);
}
