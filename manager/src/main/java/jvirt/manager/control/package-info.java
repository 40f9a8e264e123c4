/**
 * A VM's control socket, in the spirit of QEMU's QMP: JSON lines on a Unix socket,
 * {@code {"execute":…,"arguments":…}} answered by {@code {"return":…}} or
 * {@code {"error":{"class":…,"desc":…}}}; the server the VM process runs and the client the
 * commands use, both with bounded lines.
 */
package jvirt.manager.control;
