/**
 * The host end of the QEMU guest agent protocol on the virtio-console port
 * {@code org.qemu.guest_agent.0}: commands synchronized with {@code guest-sync-delimited} as
 * libvirt does, replies bounded and parsed as untrusted input. Works with Debian's qemu-ga and with
 * the default guest's own agent.
 */
package jvirt.manager.agent;
