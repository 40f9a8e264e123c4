package jvirt.virt;

import java.util.Objects;
import java.util.function.Supplier;
import jvirt.net.MacAddress;
import jvirt.net.NetBackend;

/**
 * A virtio-net card on a network ({@code --net user,…}, {@code --mac}). Each board the
 * configuration builds (a guest reboot builds a new one) gets a fresh network from
 * {@code network}, starts it when it plugs the card in and closes it when the machine ends.
 */
public record Nic(MacAddress mac, Supplier<NetBackend> network) {
    public Nic {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(network, "network");
    }
}
