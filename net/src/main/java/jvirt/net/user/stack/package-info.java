/**
 * The plumbing every protocol of the user-mode NAT shares: the {@link jvirt.net.user.stack.NetStack}
 * that ties them together (one lock, one clock, the counters and the log), the
 * {@link jvirt.net.user.stack.EventLoop} (the one selector thread and its
 * {@link jvirt.net.user.stack.TimerQueue}), the {@link jvirt.net.user.stack.GuestLink} that queues
 * frames for the NIC and delivers them outside the lock, the {@link jvirt.net.user.stack.ArpTable}
 * and the {@link jvirt.net.user.stack.IpOutput} that addresses, fragments and sends IPv4 toward the
 * guest. Internal to {@code jvirt.net.user}.
 */
package jvirt.net.user.stack;
