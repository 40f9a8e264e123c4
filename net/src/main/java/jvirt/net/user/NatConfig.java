package jvirt.net.user;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The user-mode network's settings, QEMU's {@code -netdev user} options: the virtual network
 * ({@code net}), the NAT's addresses ({@code host}, the gateway and host alias, and {@code dns}), the
 * first DHCP address ({@code dhcpstart}; 16 leases from there, as slirp), {@code restrict}, the
 * forwarded host ports ({@code hostfwd}), the DHCP host name ({@code hostname}) and, a jvirt
 * extension, the DNS servers the NAT forwards to ({@code dns-upstream}; empty: the host's
 * resolv.conf). Every instance is valid; a bad value is an {@link IllegalArgumentException} whose
 * one-line message starts with the option as written.
 */
public record NatConfig(Ipv4Address network, int prefixLength, Ipv4Address host, Ipv4Address dns, Ipv4Address dhcpStart,
                        boolean restrict, List<HostForward> hostForwards, Optional<String> hostname,
                        List<InetSocketAddress> dnsUpstreams) {
    /** slirp hands out this many leases. */
    public static final int DHCP_LEASES = 16;
    private static final Ipv4Address DEFAULT_NETWORK = new Ipv4Address(0x0A00_0200);
    private static final int DEFAULT_PREFIX = 24;
    private static final String OPTIONS = "net, host, dns, dhcpstart, restrict, hostfwd, hostname, dns-upstream, ipv4, ipv6";

    public NatConfig {
        hostForwards = List.copyOf(hostForwards);
        dnsUpstreams = List.copyOf(dnsUpstreams);
        String net = "net=" + network + "/" + prefixLength;
        if (prefixLength < 1 || prefixLength > 30) {
            throw new IllegalArgumentException(net + ": the prefix length must be 1-30");
        }
        int mask = -1 << (32 - prefixLength);
        if ((network.bits() & ~mask) != 0) {
            throw new IllegalArgumentException(net + ": " + network + " is not the first address of a /" + prefixLength
                    + " (that is " + new Ipv4Address(network.bits() & mask) + ")");
        }
        inside("host=" + host, host, network, mask);
        inside("dns=" + dns, dns, network, mask);
        inside("dhcpstart=" + dhcpStart, dhcpStart, network, mask);
        if (host.equals(dns)) {
            throw new IllegalArgumentException("dns=" + dns + ": the DNS address must differ from host=" + host);
        }
        int broadcast = network.bits() | ~mask;
        int count = leases(prefixLength, network, dhcpStart);
        for (Ipv4Address nat : List.of(host, dns)) {
            if (Integer.compareUnsigned(nat.bits() - dhcpStart.bits(), count) < 0) {
                throw new IllegalArgumentException("dhcpstart=" + dhcpStart + ": the DHCP addresses " + dhcpStart + "-" + dhcpStart.plus(count - 1)
                        + " include the NAT's own " + nat + "; move dhcpstart past it");
            }
        }
        Set<String> bound = new HashSet<>();
        for (HostForward f : hostForwards) {
            String name = "hostfwd=" + f;
            port(name, "host", f.hostPort());
            port(name, "guest", f.guestPort());
            if (f.guestAddress().isPresent()) {
                Ipv4Address g = f.guestAddress().get();
                if ((g.bits() & mask) != network.bits() || g.bits() == network.bits() || g.bits() == broadcast || g.equals(host) || g.equals(dns)) {
                    throw new IllegalArgumentException(name + ": the guest address " + g + " is not a guest's address in " + network + "/" + prefixLength);
                }
            }
            if (!bound.add(f.protocol() + " " + f.hostAddress() + ":" + f.hostPort())) {
                throw new IllegalArgumentException(name + ": " + f.protocol() + " port " + f.hostPort() + " on " + f.hostAddress() + " is forwarded twice");
            }
        }
        hostname.ifPresent(NatConfig::checkHostname);
        for (InetSocketAddress upstream : dnsUpstreams) {
            if (upstream.isUnresolved()) {
                throw new IllegalArgumentException("dns-upstream=" + upstream.getHostString() + ": give an IP address, not a name");
            }
        }
    }

    /** slirp's defaults: 10.0.2.0/24, gateway 10.0.2.2, DNS 10.0.2.3, leases from 10.0.2.15, unrestricted. */
    public static NatConfig defaults() {
        return parse("");
    }

    /** Parses the comma-separated options that follow {@code user} in {@code -netdev user,...}; may be empty. */
    public static NatConfig parse(String options) {
        Ipv4Address network = DEFAULT_NETWORK;
        int prefix = DEFAULT_PREFIX;
        Ipv4Address host = null;
        Ipv4Address dns = null;
        Ipv4Address dhcpStart = null;
        boolean restrict = false;
        List<HostForward> forwards = new ArrayList<>();
        String hostname = null;
        List<InetSocketAddress> upstreams = new ArrayList<>();
        if (!options.isEmpty()) {
            for (String option : options.split(",", -1)) {
                int eq = option.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("'" + option + "' is not an option NAME=VALUE (user networking takes " + OPTIONS + ")");
                }
                String name = option.substring(0, eq);
                String value = option.substring(eq + 1);
                switch (name) {
                    case "net" -> {
                        int slash = value.indexOf('/');
                        network = address(option, slash < 0 ? value : value.substring(0, slash));
                        prefix = slash < 0 ? DEFAULT_PREFIX : prefix(option, value.substring(slash + 1));
                    }
                    case "host" -> host = address(option, value);
                    case "dns" -> dns = address(option, value);
                    case "dhcpstart" -> dhcpStart = address(option, value);
                    case "restrict" -> restrict = bool(option, value);
                    case "hostfwd" -> forwards.add(hostForward(option, value));
                    case "hostname" -> hostname = value;
                    case "dns-upstream" -> upstreams.add(upstream(option, value));
                    case "ipv4" -> {
                        if (!bool(option, value)) {
                            throw new IllegalArgumentException(option + ": user networking is IPv4; leave ipv4 on");
                        }
                    }
                    case "ipv6" -> {
                        if (bool(option, value)) {
                            throw new IllegalArgumentException(option + ": IPv6 is not supported yet; use ipv6=off");
                        }
                    }
                    default -> throw new IllegalArgumentException(option + ": unknown option '" + name + "' (user networking takes " + OPTIONS + ")");
                }
            }
        }
        int hostBits = ~(-1 << (32 - Math.max(1, Math.min(prefix, 31))));
        // slirp's historic layout: x.x.2.2, .2.3 and .2.15 within the network, as far as its host bits reach.
        host = host != null ? host : new Ipv4Address(network.bits() | (0x0202 & hostBits));
        dns = dns != null ? dns : new Ipv4Address(network.bits() | (0x0203 & hostBits));
        dhcpStart = dhcpStart != null ? dhcpStart : new Ipv4Address(network.bits() | (0x020F & hostBits));
        return new NatConfig(network, prefix, host, dns, dhcpStart, restrict, forwards, Optional.ofNullable(hostname), upstreams);
    }

    /** How many DHCP leases there are: 16, or fewer when the network ends sooner. */
    public int dhcpLeases() {
        return leases(prefixLength, network, dhcpStart);
    }

    private static int leases(int prefixLength, Ipv4Address network, Ipv4Address dhcpStart) {
        int broadcast = network.bits() | ~(-1 << (32 - prefixLength));
        return Math.min(DHCP_LEASES, broadcast - dhcpStart.bits());
    }

    /** Where a forward goes in the guest: its own address or the first DHCP address. */
    public Ipv4Address guestAddress(HostForward forward) {
        return forward.guestAddress().orElse(dhcpStart);
    }

    private static void inside(String option, Ipv4Address a, Ipv4Address network, int mask) {
        if ((a.bits() & mask) != network.bits()) {
            throw new IllegalArgumentException(option + ": the address is not inside net=" + network + "/" + Integer.bitCount(mask));
        }
        if (a.bits() == network.bits() || a.bits() == (network.bits() | ~mask)) {
            throw new IllegalArgumentException(option + ": the network's first and last addresses cannot be used");
        }
    }

    private static void port(String option, String which, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(option + ": " + which + " port " + port + " is not 1-65535");
        }
    }

    private static void checkHostname(String name) {
        if (name.isEmpty() || name.length() > 255 || !name.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
            throw new IllegalArgumentException("hostname=" + name + ": a host name is 1-255 letters, digits, '-' and '.'");
        }
    }

    private static Ipv4Address address(String option, String text) {
        Ipv4Address a = Ipv4Address.parseOrNull(text);
        if (a == null) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not an IPv4 address like 10.0.2.2");
        }
        return a;
    }

    private static int prefix(String option, String text) {
        if (text.contains(".")) {
            int mask = address(option, text).bits();
            int length = Integer.bitCount(mask);
            if (mask != (length == 0 ? 0 : -1 << (32 - length))) {
                throw new IllegalArgumentException(option + ": " + text + " is not a netmask (ones, then zeros)");
            }
            return length;
        }
        return number(option, text, "prefix length", 0, 32);
    }

    private static int number(String option, String text, String what, int min, int max) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(option + ": '" + text + "' is not a " + what);
        }
        int n = Integer.parseInt(text);
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + ": " + what + " " + n + " is not " + min + "-" + max);
        }
        return n;
    }

    private static boolean bool(String option, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "yes", "y", "true" -> true;
            case "off", "no", "n", "false" -> false;
            default -> throw new IllegalArgumentException(option + ": say on or off");
        };
    }

    /** {@code tcp:[hostaddr]:hostport-[guestaddr]:guestport}, {@code udp:} likewise; no protocol is tcp. */
    private static HostForward hostForward(String option, String value) {
        String syntax = " (the syntax is hostfwd=tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport)";
        int dash = value.indexOf('-');
        String[] hostPart = dash < 0 ? new String[0] : value.substring(0, dash).split(":", -1);
        String[] guestPart = dash < 0 ? new String[0] : value.substring(dash + 1).split(":", -1);
        if (hostPart.length != 3 || guestPart.length != 2) {
            throw new IllegalArgumentException(option + ": not a port forward" + syntax);
        }
        HostForward.Protocol protocol = switch (hostPart[0]) {
            case "", "tcp" -> HostForward.Protocol.TCP;
            case "udp" -> HostForward.Protocol.UDP;
            default -> throw new IllegalArgumentException(option + ": protocol '" + hostPart[0] + "' is not tcp or udp");
        };
        // jvirt binds the loopback address by default where QEMU binds every address: safer.
        Ipv4Address hostAddress = hostPart[1].isEmpty() ? new Ipv4Address(0x7F00_0001) : address(option, hostPart[1]);
        int hostPort = forwardPort(option, "host", hostPart[2]);
        Optional<Ipv4Address> guestAddress = guestPart[0].isEmpty() ? Optional.empty() : Optional.of(address(option, guestPart[0]));
        int guestPort = forwardPort(option, "guest", guestPart[1]);
        return new HostForward(protocol, hostAddress, hostPort, guestAddress, guestPort);
    }

    private static int forwardPort(String option, String which, String text) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(option + ": " + which + " port '" + text + "' is not a number");
        }
        int port = Integer.parseInt(text);
        port(option, which, port);
        return port;
    }

    /** {@code ADDR[:PORT]}, an IPv6 address in brackets when a port follows; port 53 by default. */
    private static InetSocketAddress upstream(String option, String value) {
        String address = value;
        String port = "53";
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0 || (close + 1 < value.length() && value.charAt(close + 1) != ':')) {
                throw new IllegalArgumentException(option + ": write an IPv6 server as [ADDRESS] or [ADDRESS]:PORT");
            }
            address = value.substring(1, close);
            port = close + 1 < value.length() ? value.substring(close + 2) : port;
        } else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
            address = value.substring(0, value.indexOf(':'));
            port = value.substring(value.indexOf(':') + 1);
        }
        InetAddress ip;
        try {
            ip = InetAddress.ofLiteral(address);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": '" + address + "' is not an IP address");
        }
        return new InetSocketAddress(ip, number(option, port, "port", 1, 65535));
    }
}
