/**
 * {@code jvirt vm}: managed VMs from the command line, as Multipass and virsh give them: create,
 * list, info, start (detached), console, exec, stop, restart, pause, resume, delete. The VMs,
 * their state and their processes are the {@code manager} module's; this package parses
 * arguments and prints.
 */
package jvirt.cli.vm;
