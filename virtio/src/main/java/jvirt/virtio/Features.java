package jvirt.virtio;

/** Feature bits every device type shares (virtio 1.2 §6), as masks. */
public final class Features {
    /** Descriptors may point to a table of descriptors (§2.7.5.3). */
    public static final long RING_INDIRECT_DESC = 1L << 28;
    /** used_event / avail_event suppress interrupts and notifications (§2.7.10). */
    public static final long RING_EVENT_IDX = 1L << 29;
    /** The modern interface: without it a driver is legacy, which this transport does not offer. */
    public static final long VERSION_1 = 1L << 32;
    /** What the transport and the split queue implement for every device. */
    public static final long TRANSPORT = RING_INDIRECT_DESC | RING_EVENT_IDX | VERSION_1;

    private Features() {
    }

    /** Bit {@code n} as a mask. */
    public static long bit(int n) {
        return 1L << n;
    }
}
