package jvirt.guest.initramfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import jvirt.guest.kernel.KernelModule;
import jvirt.guest.kernel.ModuleSelection;
import jvirt.guest.rootfs.PackageTree;
import jvirt.guest.rootfs.RootEntry;

/**
 * The initramfs of a busybox guest, laid out as Debian's merged /usr ({@code bin}, {@code sbin} and
 * {@code lib} are symbolic links into {@code usr/}, so that the paths Debian's programs and their
 * dynamic loader ask for all lead somewhere, and busybox's applet links never shadow a real
 * program): {@code /usr/bin/busybox}, the usual directories, {@code /dev/console} and
 * {@code /dev/null} (the kernel opens the console before {@code /init} runs, so it must exist in
 * the archive), root in {@code /etc/passwd} and {@code /etc/group}, a profile, programs taken from
 * Debian packages with what they need, the kernel modules with a {@code modules.dep}, the guest
 * agent {@value #AGENT_PATH}, and {@code /init}.
 */
public final class BusyboxInitramfs {
    /** The line {@code /init} prints once the kernel's file systems are mounted; boot benchmarks stop the clock here. */
    public static final String MARKER = "jvirt: init started";

    /** Where busybox's udhcpc looks for the script that applies a lease. */
    static final String DHCP_SCRIPT = "etc/udhcpc/default.script";
    /** The line the DHCP script prints once {@code eth0} has its address; network tests wait for it. */
    public static final String NETWORK_MARKER = "jvirt: eth0 up";

    /**
     * Where the guest agent goes: a QEMU guest agent subset (busybox sh and awk) that {@code /init}
     * runs on the virtio-console port {@value #AGENT_PORT_NAME}.
     */
    static final String AGENT_PATH = "usr/sbin/jvirt-agent";
    /** The name QEMU's guest agent port has, as {@code -device virtserialport,name=...} gives it. */
    public static final String AGENT_PORT_NAME = "org.qemu.guest_agent.0";
    /** What {@code /init} prints, followed by the device ({@code /dev/vport0p1}), once the agent serves its port. */
    public static final String AGENT_MARKER = "jvirt: guest agent on ";
    private static final String AGENT_RESOURCE = "jvirt-agent";

    /**
     * A program that, when an initramfs appended to this one brings it, {@code /init} runs in place
     * of the shell, with the modules loaded and the network up: how jvirt runs a job (building the
     * cloud image) in this guest.
     */
    public static final String TASK = "jvirt-task";

    private static final List<String> DIRECTORIES =
            List.of("usr/bin", "usr/sbin", "usr/lib/modules", "proc", "sys", "dev", "mnt", "etc");

    private BusyboxInitramfs() {
    }

    /**
     * Writes the archive. {@code modulesBuiltin} is the kernel's {@code modules.builtin}, kept so
     * that modprobe knows a built-in module needs no file; {@code programs} go in as they are;
     * {@code mtime} stamps every entry.
     */
    public static void write(OutputStream out, byte[] busybox, String kernelVersion, ModuleSelection modules,
            String modulesBuiltin, List<RootEntry> programs, long mtime) throws IOException {
        try (NewcWriter cpio = new NewcWriter(out, mtime)) {
            for (String directory : DIRECTORIES) {
                cpio.directory(directory, 0755);
            }
            for (String merged : PackageTree.MERGED_DIRECTORIES) {
                cpio.symlink(merged, "usr/" + merged);
            }
            cpio.directory("tmp", 01777);
            cpio.directory("root", 0700);
            cpio.characterDevice("dev/console", 0600, 5, 1);
            cpio.characterDevice("dev/null", 0666, 1, 3);
            cpio.file("usr/bin/busybox", 0755, busybox);
            cpio.file("etc/passwd", 0644, text("root:x:0:0:root:/root:/bin/sh\n"));
            cpio.file("etc/group", 0644, text("root:x:0:\n"));
            cpio.file("etc/profile", 0644, text(profile()));
            cpio.directory("etc/udhcpc", 0755);
            cpio.file(DHCP_SCRIPT, 0755, text(dhcpScript()));
            cpio.file(AGENT_PATH, 0755, agent());
            for (RootEntry entry : programs) {
                switch (entry) {
                    case RootEntry.File file -> cpio.file(file.path(), file.mode(), file.content());
                    case RootEntry.Symlink link -> cpio.symlink(link.path(), link.target());
                }
            }
            String moduleDirectory = "usr/lib/modules/" + kernelVersion + "/";
            for (KernelModule module : modules.loadOrder()) {
                cpio.file(moduleDirectory + module.path(), 0644, module.image());
            }
            cpio.file(moduleDirectory + "modules.dep", 0644, text(modules.modulesDep()));
            cpio.file(moduleDirectory + "modules.builtin", 0644, text(modulesBuiltin));
            cpio.file("init", 0755, text(initScript(modules.names())));
        }
    }

    /**
     * The fixed {@code /init}: mount, print the marker before anything slow, load the modules in
     * dependency order (a failure is one warning line, not the end of the boot), then a shell with
     * job control on the console. {@code sh -l} so that it reads {@code /etc/profile}. The console
     * is opened again after the modules: one that a module brings ({@code console=hvc0} needs
     * virtio_mmio) did not exist when the kernel started {@code /init}, which then got no stdin,
     * stdout or stderr; where the console was there from the start, this opens the same one.
     * With a NIC, {@code udhcpc} configures {@code eth0} before the shell starts (at most three
     * tries; without an answer it goes on trying in the background) and then stays, to renew.
     * The guest agent starts before that, in the background with its output away from the console:
     * it polls for up to five seconds for the port named {@value #AGENT_PORT_NAME} (Linux names a
     * port a little after it appears), says once where it found it, then serves it for good. The
     * port is opened once, read-write, because Linux lets a port be open only once; the agent ends
     * at EOF, which is what a read gives while the host side is not connected, and starts again a
     * second later. A {@value #TASK} brought by an appended archive replaces the shell.
     */
    static String initScript(List<String> moduleLoadOrder) {
        return """
                #!/bin/busybox sh
                /bin/busybox --install -s
                export PATH=/sbin:/usr/sbin:/bin:/usr/bin
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev
                echo "%s"
                for module in %s; do
                \tmodprobe "$module" 2>/dev/null || echo "jvirt: warning: could not load module $module"
                done
                exec </dev/console >/dev/console 2>&1
                hostname jvirt
                ifconfig lo 127.0.0.1 up
                jvirt_agent() {
                	tries=50
                	while [ $tries -gt 0 ]; do
                		for name in /sys/class/virtio-ports/*/name; do
                			if read -r port 2>/dev/null <"$name" && [ "$port" = %s ]; then
                				port=${name%%/name}
                				port=/dev/${port##*/}
                				echo "%s$port"
                				exec >/dev/null 2>&1
                				while :; do
                					jvirt-agent <>"$port" >&0
                					sleep 1
                				done
                			fi
                		done
                		tries=$((tries - 1))
                		sleep 0.1
                	done
                }
                jvirt_agent </dev/null &
                if [ -e /sys/class/net/eth0 ]; then
                	udhcpc -i eth0 -b -x hostname:jvirt
                fi
                if [ -x /%s ]; then
                	exec /%s
                fi
                echo "jvirt: busybox shell; 'poweroff -f' to stop"
                exec setsid cttyhack sh -l
                """.formatted(MARKER, String.join(" ", moduleLoadOrder), AGENT_PORT_NAME, AGENT_MARKER, TASK, TASK);
    }

    /**
     * What udhcpc runs for each event: {@code deconfig} brings the interface up without an
     * address, {@code bound} and {@code renew} apply the lease (address, mask, default route,
     * name servers in {@code /etc/resolv.conf}, and the host name when the server gives one, as
     * the NAT does for a managed VM: its name).
     */
    static String dhcpScript() {
        return """
                #!/bin/sh
                case "$1" in
                deconfig)
                	ifconfig "$interface" 0.0.0.0 up
                	;;
                bound|renew)
                	ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" ${broadcast:+broadcast "$broadcast"} up
                	if [ -n "$router" ]; then
                		while route del default dev "$interface" 2>/dev/null; do :; done
                		for gateway in $router; do
                			route add default gw "$gateway" dev "$interface"
                		done
                	fi
                	: > /etc/resolv.conf
                	for server in $dns; do
                		echo "nameserver $server" >> /etc/resolv.conf
                	done
                	[ -n "$hostname" ] && hostname "$hostname"
                	[ "$1" = bound ] && echo "%s: $ip via $router, dns $dns"
                	;;
                esac
                exit 0
                """.formatted(NETWORK_MARKER);
    }

    /** The prompt ends in "# " literally, so it reads the same whatever prompt escapes busybox supports. */
    static String profile() {
        return """
                export PATH=/sbin:/usr/sbin:/bin:/usr/bin
                export HOME=/root
                export PS1='\\u@\\h:\\w# '
                """;
    }

    /** The agent's script, as it goes into the archive. */
    static byte[] agent() {
        try (InputStream in = BusyboxInitramfs.class.getResourceAsStream(AGENT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(AGENT_RESOURCE + " is missing from the resources of " + BusyboxInitramfs.class.getPackageName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
