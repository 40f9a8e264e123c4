/** virtio-console: the guest's {@code hvc0}, on the same terminal as the serial port. */
package jvirt.virtio.console;
