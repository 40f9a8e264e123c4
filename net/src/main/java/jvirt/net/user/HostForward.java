package jvirt.net.user;

import java.util.Optional;

/**
 * A host port forwarded into the guest, QEMU's {@code hostfwd=tcp:[hostaddr]:hostport-[guestaddr]:guestport}.
 * Without a guest address the forward goes to the first DHCP address ({@link NatConfig#guestAddress}).
 */
public record HostForward(Protocol protocol, Ipv4Address hostAddress, int hostPort, Optional<Ipv4Address> guestAddress, int guestPort) {
    public enum Protocol {
        TCP, UDP;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The forward as {@code hostfwd=} takes it, the host address filled in: {@code tcp:127.0.0.1:8080-:80}. */
    @Override
    public String toString() {
        return protocol + ":" + hostAddress + ":" + hostPort + "-" + guestAddress.map(Ipv4Address::toString).orElse("") + ":" + guestPort;
    }
}
