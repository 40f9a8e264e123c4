/**
 * Managed VMs: a VM is a {@link jvirt.manager.VmName} and a {@link jvirt.manager.VmDefinition},
 * kept by a {@link jvirt.manager.VmStore} under {@code $JVIRT_HOME/vms/NAME/} (the XDG data
 * directory by default). Every write is atomic (temporary file, fsync, rename, fsync of the
 * directory) and every change happens under the VM's lock, so two commands never race on one VM.
 *
 * <p>A running VM is a process of its own, {@link jvirt.manager.ManagedVm}: it holds the VM's
 * run lock for its whole life, serves the control socket ({@code control}) and the console
 * socket, and talks to the guest agent ({@code agent}). {@link jvirt.manager.VmRuntime} starts
 * and stops such processes and tells what each VM is doing from the run lock, never from a pid
 * or socket file alone. Nothing below this module knows about VM state on disk.
 */
package jvirt.manager;
