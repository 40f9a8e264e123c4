package jvirt.virt;

import java.util.Objects;
import jvirt.net.MacAddress;
import jvirt.net.NetBackend;

/**
 * A virtio-net card on a network ({@code --net user,…}, {@code --mac}). The board starts the
 * network when it plugs the card in and closes it when the machine ends.
 */
public record Nic(MacAddress mac, NetBackend network) {
    public Nic {
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(network, "network");
    }
}
