package jvirt.core;

/** A device that takes typed input for the guest: a serial port, a virtio console. */
@FunctionalInterface
public interface ConsoleInput {
    /** Hands the guest one byte; blocks while the device has no room, as a full FIFO holds back a sender. */
    void receive(byte b) throws InterruptedException;
}
