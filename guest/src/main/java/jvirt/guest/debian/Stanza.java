package jvirt.guest.debian;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One deb822 paragraph: fields by name, names compared without regard to case as deb822 says.
 * A multi-line value keeps its lines joined by {@code '\n'}, each without its leading whitespace.
 */
public record Stanza(Map<String, String> fields) {
    public Stanza {
        TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(fields);
        fields = Collections.unmodifiableMap(copy);
    }

    public Optional<String> get(String field) {
        return Optional.ofNullable(fields.get(field));
    }
}
