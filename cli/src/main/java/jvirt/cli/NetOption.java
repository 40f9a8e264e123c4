package jvirt.cli;

import java.io.PrintWriter;
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

    /** The cards {@code --net spec} and {@code --mac} describe: none, or one on a user-mode network. */
    static List<Nic> parse(String spec, String mac, PrintWriter err) {
        MacAddress address;
        try {
            address = mac == null ? MacAddress.QEMU_DEFAULT : MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--mac " + e.getMessage());
        }
        int comma = spec.indexOf(',');
        String type = comma < 0 ? spec : spec.substring(0, comma);
        String options = comma < 0 ? "" : spec.substring(comma + 1);
        switch (type) {
            case "none" -> {
                if (!options.isEmpty()) {
                    throw new IllegalArgumentException("--net none takes no options");
                }
                if (mac != null) {
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
