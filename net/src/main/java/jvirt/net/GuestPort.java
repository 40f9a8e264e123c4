package jvirt.net;

import java.nio.ByteBuffer;

/**
 * A NIC seen from its network: where frames for the guest go, and what the guest's driver
 * accepted besides plain frames (both may change when the driver resets the device).
 */
public interface GuestPort {
    /** Largest Ethernet frame without segmentation offload: 1500 bytes of MTU and the 14-byte header. */
    int MTU_FRAME = 1514;

    /** The guest's MAC address. */
    MacAddress mac();

    /** Whether frames may carry a partial transport checksum that the guest's stack finishes or trusts. */
    boolean acceptsPartialChecksum();

    /** Whether TCP/IPv4 frames up to 64 KiB may be handed over whole, for the guest to treat as {@code segmentSize}-byte segments. */
    boolean acceptsLargeTcp();

    /**
     * Offers one frame for the guest, starting at its Ethernet header, between the buffer's
     * position and limit (copied before the call returns). {@code checksumStart} is the offset
     * of the transport header whose checksum field, {@code checksumOffset} bytes into it, holds
     * only the pseudo-header sum, or -1 when every checksum is complete. {@code segmentSize} is the
     * TCP payload per segment of a large frame, 0 for a frame that fits the MTU. Returns false
     * when the guest has no receive buffers: the frame was not taken, and {@link
     * NetBackend#receiveReady} follows when there is room.
     */
    boolean receive(ByteBuffer frame, int checksumStart, int checksumOffset, int segmentSize);
}
