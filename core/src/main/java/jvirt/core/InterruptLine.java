package jvirt.core;

/** A level-triggered interrupt wire from a device to an interrupt controller. */
@FunctionalInterface
public interface InterruptLine {
    /** Drives the line: {@code true} asserts it, {@code false} deasserts it. */
    void set(boolean asserted);

    /** A line connected to nothing. */
    InterruptLine NONE = asserted -> { };
}
