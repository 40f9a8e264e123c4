/**
 * virtio-console: the guest's {@code hvc0}, on the same terminal as the serial port, and named
 * ports ({@code /dev/virtio-ports/NAME}, MULTIPORT) whose host ends are {@link jvirt.virtio.console.HostPort}s.
 */
package jvirt.virtio.console;
