package jvirt.net.user.tcp;

/**
 * The bytes all TCP buffers together may hold beyond each one's floor, so that a guest opening
 * every connection it may and filling every window cannot take more memory than this. Guarded by
 * the stack lock.
 */
final class BufferBudget {
    private long available;

    BufferBudget(long bytes) {
        this.available = bytes;
    }

    /** Takes up to {@code wanted} bytes; returns how many were granted. */
    int grant(int wanted) {
        int granted = (int) Math.min(wanted, available);
        available -= granted;
        return granted;
    }

    void release(int bytes) {
        available += bytes;
    }
}
