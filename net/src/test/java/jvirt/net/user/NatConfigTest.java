package jvirt.net.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NatConfigTest {
    @Test
    void defaultsAreSlirps() {
        NatConfig c = NatConfig.defaults();
        assertThat(c.network()).hasToString("10.0.2.0");
        assertThat(c.prefixLength()).isEqualTo(24);
        assertThat(c.host()).hasToString("10.0.2.2");
        assertThat(c.dns()).hasToString("10.0.2.3");
        assertThat(c.dhcpStart()).hasToString("10.0.2.15");
        assertThat(c.dhcpLeases()).isEqualTo(16);
        assertThat(c.restrict()).isFalse();
        assertThat(c.hostForwards()).isEmpty();
        assertThat(c.hostname()).isEmpty();
        assertThat(c.dnsUpstreams()).isEmpty();
    }

    @Test
    void anotherNetworkMovesTheNatsAddressesWithIt() {
        NatConfig c = NatConfig.parse("net=192.168.76.0/24");
        assertThat(c.host()).hasToString("192.168.76.2");
        assertThat(c.dns()).hasToString("192.168.76.3");
        assertThat(c.dhcpStart()).hasToString("192.168.76.15");
        NatConfig wide = NatConfig.parse("net=10.9.0.0/255.255.0.0");
        assertThat(wide.prefixLength()).isEqualTo(16);
        assertThat(wide.host()).hasToString("10.9.2.2");
        assertThat(wide.dhcpStart()).hasToString("10.9.2.15");
        assertThat(NatConfig.parse("net=10.0.5.0").prefixLength()).isEqualTo(24);
    }

    @Test
    void everyOption() {
        NatConfig c = NatConfig.parse("net=10.1.0.0/16,host=10.1.0.1,dns=10.1.0.53,dhcpstart=10.1.1.100,restrict=on,"
                + "hostfwd=tcp::8080-:80,hostfwd=udp:0.0.0.0:5353-10.1.1.7:53,hostfwd=:127.0.0.1:2222-:22,"
                + "hostname=guest-1,dns-upstream=127.0.0.1:5300,dns-upstream=[::1]:53,dns-upstream=192.0.2.1,ipv4=on,ipv6=off");
        assertThat(c.host()).hasToString("10.1.0.1");
        assertThat(c.dns()).hasToString("10.1.0.53");
        assertThat(c.dhcpStart()).hasToString("10.1.1.100");
        assertThat(c.restrict()).isTrue();
        assertThat(c.hostForwards()).hasSize(3);
        HostForward web = c.hostForwards().get(0);
        assertThat(web.protocol()).isEqualTo(HostForward.Protocol.TCP);
        assertThat(web.hostAddress()).hasToString("127.0.0.1");
        assertThat(web.hostPort()).isEqualTo(8080);
        assertThat(web.guestAddress()).isEmpty();
        assertThat(c.guestAddress(web)).hasToString("10.1.1.100");
        assertThat(web).hasToString("tcp:127.0.0.1:8080-:80");
        HostForward dns = c.hostForwards().get(1);
        assertThat(dns.protocol()).isEqualTo(HostForward.Protocol.UDP);
        assertThat(dns.hostAddress()).hasToString("0.0.0.0");
        assertThat(c.guestAddress(dns)).hasToString("10.1.1.7");
        assertThat(c.hostForwards().get(2).protocol()).isEqualTo(HostForward.Protocol.TCP);
        assertThat(c.hostname()).isEqualTo(Optional.of("guest-1"));
        assertThat(c.dnsUpstreams()).containsExactly(
                new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 5300),
                new InetSocketAddress(InetAddress.ofLiteral("::1"), 53),
                new InetSocketAddress(InetAddress.ofLiteral("192.0.2.1"), 53));
        assertThat(NatConfig.parse("restrict=off").restrict()).isFalse();
        assertThat(NatConfig.parse("restrict=yes").restrict()).isTrue();
    }

    @Test
    void badValuesNameTheirOption() {
        bad("hostfwd=tcp::99999-:80", "hostfwd=tcp::99999-:80: host port 99999 is not 1-65535");
        bad("hostfwd=tcp::80-:0", "hostfwd=tcp::80-:0: guest port 0 is not 1-65535");
        bad("hostfwd=tcp::http-:80", "hostfwd=tcp::http-:80: host port 'http' is not a number");
        bad("hostfwd=sctp::80-:80", "hostfwd=sctp::80-:80: protocol 'sctp' is not tcp or udp");
        bad("hostfwd=tcp:80:80", "hostfwd=tcp:80:80: not a port forward (the syntax is hostfwd=tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport)");
        bad("hostfwd=tcp:localhost:80-:80", "hostfwd=tcp:localhost:80-:80: 'localhost' is not an IPv4 address like 10.0.2.2");
        bad("hostfwd=tcp::80-10.0.3.1:80", "hostfwd=tcp:127.0.0.1:80-10.0.3.1:80: the guest address 10.0.3.1 is not a guest's address in 10.0.2.0/24");
        bad("hostfwd=tcp::80-10.0.2.2:80", "hostfwd=tcp:127.0.0.1:80-10.0.2.2:80: the guest address 10.0.2.2 is not a guest's address in 10.0.2.0/24");
        bad("hostfwd=tcp::80-:80,hostfwd=tcp::80-:81", "hostfwd=tcp:127.0.0.1:80-:81: tcp port 80 on 127.0.0.1 is forwarded twice");
        bad("host=10.0.3.2", "host=10.0.3.2: the address is not inside net=10.0.2.0/24");
        bad("dns=10.0.2.255", "dns=10.0.2.255: the network's first and last addresses cannot be used");
        bad("dns=10.0.2.2", "dns=10.0.2.2: the DNS address must differ from host=10.0.2.2");
        bad("dhcpstart=10.0.2.1", "dhcpstart=10.0.2.1: the DHCP addresses 10.0.2.1-10.0.2.16 include the NAT's own 10.0.2.2; move dhcpstart past it");
        bad("net=10.0.2.5/24", "net=10.0.2.5/24: 10.0.2.5 is not the first address of a /24 (that is 10.0.2.0)");
        bad("net=10.0.2.0/31", "net=10.0.2.0/31: the prefix length must be 1-30");
        bad("net=10.0.2.0/33", "net=10.0.2.0/33: prefix length 33 is not 0-32");
        bad("net=10.0.2.0/255.0.255.0", "net=10.0.2.0/255.0.255.0: 255.0.255.0 is not a netmask (ones, then zeros)");
        bad("net=10.0.2", "net=10.0.2: '10.0.2' is not an IPv4 address like 10.0.2.2");
        bad("restrict=maybe", "restrict=maybe: say on or off");
        bad("hostname=bad_name", "hostname=bad_name: a host name is 1-255 letters, digits, '-' and '.'");
        bad("dns-upstream=dns.example", "dns-upstream=dns.example: 'dns.example' is not an IP address");
        bad("dns-upstream=127.0.0.1:0", "dns-upstream=127.0.0.1:0: port 0 is not 1-65535");
        bad("ipv6=on", "ipv6=on: IPv6 is not supported yet; use ipv6=off");
        bad("smb=/tmp", "smb=/tmp: unknown option 'smb' (user networking takes net, host, dns, dhcpstart, restrict, hostfwd, hostname, dns-upstream, ipv4, ipv6)");
        bad("restrict", "'restrict' is not an option NAME=VALUE (user networking takes net, host, dns, dhcpstart, restrict, hostfwd, hostname, dns-upstream, ipv4, ipv6)");
        bad("net=10.0.2.0/24,", "'' is not an option NAME=VALUE (user networking takes net, host, dns, dhcpstart, restrict, hostfwd, hostname, dns-upstream, ipv4, ipv6)");
    }

    @Test
    void aSmallNetworkHasFewerLeases() {
        NatConfig c = NatConfig.parse("net=10.0.2.0/27");
        assertThat(c.dhcpLeases()).isEqualTo(16);
        NatConfig small = NatConfig.parse("net=10.0.2.0/28,dhcpstart=10.0.2.8");
        assertThat(small.dhcpLeases()).isEqualTo(7);
        bad("net=10.0.2.0/28", "dhcpstart=10.0.2.15: the network's first and last addresses cannot be used");
    }

    private static void bad(String options, String message) {
        assertThatThrownBy(() -> NatConfig.parse(options)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
