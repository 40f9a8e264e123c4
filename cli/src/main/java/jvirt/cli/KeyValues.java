package jvirt.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * QEMU's option lists: {@code key=value,key=value}, where a doubled comma stands for a comma in a
 * value ({@code --drive file=a,,b.img}, {@code -o cluster_size=64k,compat=1.1}).
 */
public final class KeyValues {
    private KeyValues() {
    }

    /**
     * The pairs of {@code spec} in order; {@code what} names the option in errors. Keys must be
     * among {@code known} unless it is empty.
     */
    public static Map<String, String> parse(String spec, String what, List<String> known) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == ',' && i + 1 < spec.length() && spec.charAt(i + 1) == ',') {
                part.append(',');
                i++;
            } else if (c == ',') {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(c);
            }
        }
        parts.add(part.toString());
        Map<String, String> options = new LinkedHashMap<>();
        for (String p : parts) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(what + " " + spec + ": '" + p + "' is not KEY=VALUE");
            }
            String key = p.substring(0, eq);
            if (!known.isEmpty() && !known.contains(key)) {
                throw new IllegalArgumentException(what + " " + spec + ": unknown option '" + key + "' (known: "
                        + String.join(", ", known) + ")");
            }
            if (options.put(key, p.substring(eq + 1)) != null) {
                throw new IllegalArgumentException(what + " " + spec + ": '" + key + "' given twice");
            }
        }
        return options;
    }
}
