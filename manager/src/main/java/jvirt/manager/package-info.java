/**
 * Managed VMs: a VM is a {@link jvirt.manager.VmName} and a {@link jvirt.manager.VmDefinition},
 * kept by a {@link jvirt.manager.VmStore} under {@code $JVIRT_HOME/vms/NAME/} (the XDG data
 * directory by default). Every write is atomic (temporary file, fsync, rename, fsync of the
 * directory) and every change happens under the VM's lock, so two commands never race on one VM.
 * Nothing below this module knows about VM state on disk.
 */
package jvirt.manager;
