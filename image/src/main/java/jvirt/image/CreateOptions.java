package jvirt.image;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A format's {@code -o} options for {@code create}, checked against the names it accepts, with
 * values read as qemu-img reads them (sizes with suffixes, {@code on}/{@code off}).
 */
public final class CreateOptions {
    private final String format;
    private final Map<String, String> values;

    private CreateOptions(String format, Map<String, String> values) {
        this.format = format;
        this.values = values;
    }

    /** The options, refusing any name not in {@code accepted} with qemu-img's wording. */
    public static CreateOptions of(String format, Map<String, String> values, List<String> accepted) {
        for (String key : values.keySet()) {
            if (!accepted.contains(key)) {
                throw new IllegalArgumentException("invalid parameter '" + key + "' for format " + format
                        + " (accepted: " + String.join(", ", accepted) + ")");
            }
        }
        return new CreateOptions(format, Map.copyOf(values));
    }

    public String string(String key, String otherwise) {
        return values.getOrDefault(key, otherwise);
    }

    /** One of {@code choices}, or {@code otherwise} when not given. */
    public String choice(String key, String otherwise, List<String> choices) {
        String v = values.get(key);
        if (v == null) {
            return otherwise;
        }
        if (!choices.contains(v)) {
            throw new IllegalArgumentException(format + ": " + key + "=" + v + " is not one of " + String.join(", ", choices));
        }
        return v;
    }

    public boolean bool(String key, boolean otherwise) {
        String v = values.get(key);
        if (v == null) {
            return otherwise;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new IllegalArgumentException(format + ": " + key + "=" + v + " must be on or off");
        };
    }

    /** A size in bytes with an optional k/M/G/T/P/E suffix (no suffix: bytes). */
    public long size(String key, long otherwise) {
        String v = values.get(key);
        return v == null ? otherwise : Sizes.parse(v);
    }
}
