package jvirt.guest.debian;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The packages of one or more Packages indexes, by name. An {@code Architecture: all} package may
 * be listed both in {@code binary-all} and in an architecture's index; identical stanzas count once.
 */
public final class PackagesIndex {
    private final Map<String, List<PackageStanza>> byName = new HashMap<>();

    public PackagesIndex(Collection<PackageStanza> stanzas) {
        for (PackageStanza stanza : new LinkedHashSet<>(stanzas)) {
            byName.computeIfAbsent(stanza.name(), n -> new ArrayList<>()).add(stanza);
        }
    }

    /** Reads the stanzas of a (decompressed) Packages file. */
    public static List<PackageStanza> parse(Reader packagesFile) throws IOException {
        Deb822 reader = new Deb822(packagesFile);
        List<PackageStanza> stanzas = new ArrayList<>();
        for (Stanza s; (s = reader.next()) != null; ) {
            stanzas.add(PackageStanza.from(s));
        }
        return stanzas;
    }

    /** The newest version of {@code name}. */
    public Optional<PackageStanza> newest(String name) {
        return best(Relation.any(name));
    }

    /** The newest package that satisfies {@code relation}. */
    public Optional<PackageStanza> best(Relation relation) {
        return byName.getOrDefault(relation.name(), List.of()).stream()
                .filter(relation::satisfiedBy)
                .max(Comparator.comparing(PackageStanza::debianVersion));
    }
}
