package jvirt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jvirt.image.ImageFormat;
import jvirt.image.ImageFormats;
import jvirt.virt.Drive;

/**
 * QEMU's {@code -drive} syntax:
 * {@code file=PATH[,format=raw|qcow2|…][,readonly=on][,snapshot=on][,if=virtio][,serial=S]},
 * where a doubled comma stands for a comma in a value.
 */
final class DriveOption {
    private static final List<String> KEYS = List.of("file", "format", "readonly", "snapshot", "if", "serial");

    private DriveOption() {
    }

    /** Parses one {@code --drive} value; a format left out is probed, with QEMU's warning for raw. */
    static Drive parse(String spec, PrintWriter err) throws IOException {
        Map<String, String> options = KeyValues.parse(spec, "--drive", KEYS);
        String file = options.get("file");
        if (file == null || file.isEmpty()) {
            throw new IllegalArgumentException("--drive " + spec + ": needs file=PATH");
        }
        String iface = options.getOrDefault("if", "virtio");
        if (!iface.equals("virtio")) {
            throw new IllegalArgumentException("--drive " + spec + ": if=" + iface + " is not available (this board has if=virtio)");
        }
        boolean readOnly = onOff(options.getOrDefault("readonly", "off"), "readonly", spec);
        Path path = Path.of(file);
        ImageFormat format;
        if (options.containsKey("format")) {
            format = ImageFormats.byName(options.get("format"));
        } else {
            format = ImageFormats.probe(path);
            if (format == ImageFormats.RAW) { // as QEMU: a raw guess is the dangerous one (a guest could write a header)
                err.println("jvirt: warning: no format given for '" + file + "'; probing guessed raw."
                        + " Add format=raw to the --drive option to remove this warning.");
            }
        }
        boolean snapshot = onOff(options.getOrDefault("snapshot", "off"), "snapshot", spec);
        return new Drive(path, format, readOnly, snapshot, options.getOrDefault("serial", ""));
    }

    private static boolean onOff(String value, String key, String spec) {
        return switch (value) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new IllegalArgumentException("--drive " + spec + ": " + key + "=" + value + " must be on or off");
        };
    }
}
