package jvirt.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import jvirt.net.MacAddress;
import jvirt.net.user.NatConfig;
import jvirt.net.user.UserNetwork;
import jvirt.virt.Nic;

/**
 * QEMU's {@code -nic} spelling for the one network card: {@code user[,OPTION=VALUE]…} (user-mode
 * NAT with slirp's options: {@code net=}, {@code host=}, {@code dns=}, {@code dhcpstart=},
 * {@code hostfwd=}, {@code restrict=}, …) or {@code none}.
 */
final class NetOption {
    private NetOption() {
    }

    /** QEMU's names for the one card model there is. */
    private static final List<String> VIRTIO_MODELS = List.of("virtio", "virtio-net", "virtio-net-device", "virtio-net-pci");

    /**
     * The cards {@code --net spec} and {@code --mac} describe: none, or one on a user-mode network.
     * As in a QEMU {@code -nic} line, {@code mac=} and {@code model=} may be among the options, and
     * {@code id=} is accepted and ignored.
     */
    static List<Nic> parse(String spec, String mac, PrintWriter err) {
        int comma = spec.indexOf(',');
        String type = comma < 0 ? spec : spec.substring(0, comma);
        List<String> network = new ArrayList<>();
        String card = mac;
        if (comma >= 0) {
            for (String option : spec.substring(comma + 1).split(",", -1)) {
                String value = option.substring(option.indexOf('=') + 1);
                if (option.startsWith("mac=")) {
                    if (card != null) {
                        throw new IllegalArgumentException("--net " + spec + ": the MAC address is given twice (mac= and --mac)");
                    }
                    card = value;
                } else if (option.startsWith("model=")) {
                    if (!VIRTIO_MODELS.contains(value)) {
                        throw new IllegalArgumentException("--net " + spec + ": model=" + value
                                + " is not available; the card is virtio-net (model=virtio)");
                    }
                } else if (!option.startsWith("id=")) {
                    network.add(option);
                }
            }
        }
        MacAddress address;
        try {
            address = card == null ? MacAddress.QEMU_DEFAULT : MacAddress.parse(card);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mac " + e.getMessage());
        }
        String options = String.join(",", network);
        switch (type) {
            case "none" -> {
                if (!options.isEmpty()) {
                    throw new IllegalArgumentException("--net none takes no options");
                }
                if (card != null) {
                    throw new IllegalArgumentException("--mac needs a network card; --net none has none");
                }
                return List.of();
            }
            case "user" -> {
                NatConfig config;
                try {
                    config = NatConfig.parse(options);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--net " + spec + ": " + e.getMessage());
                }
                return List.of(new Nic(address, () -> new UserNetwork(config, line -> {
                    err.println("jvirt: net: " + line);
                    err.flush();
                })));
            }
            default -> throw new IllegalArgumentException("--net " + type + " is not available: choose user (NAT, the"
                    + " default) or none");
        }
    }
}
