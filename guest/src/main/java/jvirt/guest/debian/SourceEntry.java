package jvirt.guest.debian;

import java.net.URI;
import java.util.List;

/** One repository that apt fetches from: {@code deb URI SUITE COMPONENTS...}, in either file format. */
record SourceEntry(String type, URI uri, String suite, List<String> components) {
    public SourceEntry {
        components = List.copyOf(components);
    }
}
