package jvirt.manager.agent;

/** The guest agent did not answer in time, or answered with an error (its {@code class} kept). */
public final class AgentException extends Exception {
    private final String errorClass;

    public AgentException(String errorClass, String message) {
        super(message);
        this.errorClass = errorClass;
    }

    /** {@code AgentUnavailable} when nothing answered; else the agent's own error class. */
    public String errorClass() {
        return errorClass;
    }
}
