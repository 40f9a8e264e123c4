package jvirt.manager;

import java.util.Locale;

/**
 * What a VM is doing, as {@code jvirt vm list} shows it. {@code crashed}: its process ended
 * without powering the guest off (killed, or the emulator faulted); {@code vm start} recovers it.
 */
public enum VmState {
    STOPPED, STARTING, RUNNING, PAUSED, CRASHED;

    /** The lower-case word users see and JSON carries. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean active() {
        return this == STARTING || this == RUNNING || this == PAUSED;
    }
}
