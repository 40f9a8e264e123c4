package jvirt.manager.control;

/** An error reply: QMP's {@code {"error":{"class":…,"desc":…}}}. */
public final class ControlException extends Exception {
    private final String errorClass;

    public ControlException(String errorClass, String desc) {
        super(desc);
        this.errorClass = errorClass;
    }

    /** {@code GenericError}, {@code CommandNotFound}, {@code AgentUnavailable}, … */
    public String errorClass() {
        return errorClass;
    }
}
