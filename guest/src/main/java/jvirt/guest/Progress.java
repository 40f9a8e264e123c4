package jvirt.guest;

/**
 * Hears about long steps (downloads, unpacking) one item at a time, so a front end can draw a
 * progress bar: {@code begin}, any number of {@code advance}, then {@code done}, also when the step
 * fails.
 */
public interface Progress {
    /** Hears nothing. */
    Progress SILENT = new Progress() {
        @Override
        public void begin(String what, long totalBytes) {
        }

        @Override
        public void advance(long bytes) {
        }

        @Override
        public void done() {
        }
    };

    /** A step starts; {@code totalBytes} is negative when the size is not known. */
    void begin(String what, long totalBytes);

    /**
     * A step counted in items (packages, say) rather than bytes; {@code advance} then counts items.
     * A front end that draws no difference may leave this as it is.
     */
    default void beginItems(String what, long totalItems) {
        begin(what, totalItems);
    }

    /** {@code bytes} more of the current step are done. */
    void advance(long bytes);

    /** The current step ended. */
    void done();
}
