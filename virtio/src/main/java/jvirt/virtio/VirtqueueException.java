package jvirt.virtio;

/**
 * The driver broke the virtqueue protocol (a descriptor outside RAM, a loop, a nested indirect
 * table, ...). The device stops and asks for a reset; the VMM carries on.
 */
public final class VirtqueueException extends Exception {
    public VirtqueueException(String message) {
        super(message);
    }
}
