package jvirt.guest.initramfs;

import java.io.IOException;
import java.io.OutputStream;
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
 * Debian packages with what they need, the kernel modules with a {@code modules.dep}, and
 * {@code /init}.
 */
public final class BusyboxInitramfs {
    /** The line {@code /init} prints once the kernel's file systems are mounted; boot benchmarks stop the clock here. */
    public static final String MARKER = "jvirt: init started";

    /** Where busybox's udhcpc looks for the script that applies a lease. */
    static final String DHCP_SCRIPT = "etc/udhcpc/default.script";
    /** The line the DHCP script prints once {@code eth0} has its address; network tests wait for it. */
    public static final String NETWORK_MARKER = "jvirt: eth0 up";

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
                if [ -e /sys/class/net/eth0 ]; then
                	udhcpc -i eth0 -b -x hostname:jvirt
                fi
                echo "jvirt: busybox shell; 'poweroff -f' to stop"
                exec setsid cttyhack sh -l
                """.formatted(MARKER, String.join(" ", moduleLoadOrder));
    }

    /**
     * What udhcpc runs for each event: {@code deconfig} brings the interface up without an
     * address, {@code bound} and {@code renew} apply the lease (address, mask, default route,
     * name servers in {@code /etc/resolv.conf}).
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

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
