package jvirt.manager;

/**
 * A VM's state as found now, with the pid of its process when there is one (else -1) and, for
 * a crashed VM, why.
 */
public record VmStatus(VmName name, VmState state, long pid, String reason) {
}
