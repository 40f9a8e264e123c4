package jvirt.guest.debian;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds a Debian mirror in the host's apt configuration, so that jvirt downloads from the mirror the
 * host already uses instead of naming one itself. Reads {@code sources.list} and
 * {@code sources.list.d/*.list} (one-line format) and {@code sources.list.d/*.sources} (deb822
 * format); {@value #MIRROR_VARIABLE} overrides them. The security archive is found the same way
 * ({@value #SECURITY_VARIABLE} overrides it), for images whose apt sources name it.
 */
public final class AptSources {
    public static final String MIRROR_VARIABLE = "JVIRT_DEBIAN_MIRROR";
    public static final String SECURITY_VARIABLE = "JVIRT_DEBIAN_SECURITY_MIRROR";

    private static final Path ETC_APT = Path.of("/etc/apt");
    private static final Set<String> DEBIAN_CODENAMES =
            Set.of("buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid");
    private static final List<String> SUITE_VARIANTS = List.of("-updates", "-backports");

    private AptSources() {
    }

    /** The mirror for this host: {@value #MIRROR_VARIABLE}, or else the Debian archive in /etc/apt. */
    public static URI hostMirror() throws IOException {
        return discover(System.getenv(), ETC_APT);
    }

    static URI discover(Map<String, String> environment, Path etcApt) throws IOException {
        Optional<URI> override = override(environment, MIRROR_VARIABLE);
        if (override.isPresent()) {
            return override.get();
        }
        return debianMirror(read(etcApt)).orElseThrow(() -> new IOException(
                "no Debian mirror found in the apt sources under " + etcApt + "; set " + MIRROR_VARIABLE
                        + " to a Debian mirror URL (the directory that holds dists/ and pool/)"));
    }

    /** The security archive for this host: {@value #SECURITY_VARIABLE}, or else the one in /etc/apt; empty when it names none. */
    public static Optional<URI> hostSecurityMirror() throws IOException {
        return discoverSecurity(System.getenv(), ETC_APT);
    }

    static Optional<URI> discoverSecurity(Map<String, String> environment, Path etcApt) throws IOException {
        Optional<URI> override = override(environment, SECURITY_VARIABLE);
        if (override.isPresent()) {
            return override;
        }
        return read(etcApt).stream()
                .filter(e -> e.type().equals("deb") && e.components().contains("main") && e.suite().endsWith("-security")
                        && DEBIAN_CODENAMES.contains(e.suite().substring(0, e.suite().length() - "-security".length())))
                .map(SourceEntry::uri).findFirst();
    }

    private static Optional<URI> override(Map<String, String> environment, String variable) throws IOException {
        String value = environment.get(variable);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(httpUri(value.strip()).orElseThrow(() -> new IOException(
                variable + " must be an http:// or https:// URL, got '" + value.strip() + "'")));
    }

    /** Every entry in the apt sources under {@code etcApt}, in the order apt reads the files. */
    static List<SourceEntry> read(Path etcApt) throws IOException {
        List<SourceEntry> entries = new ArrayList<>();
        Path list = etcApt.resolve("sources.list");
        if (Files.isRegularFile(list)) {
            entries.addAll(parseOneLine(Files.readString(list)));
        }
        Path dir = etcApt.resolve("sources.list.d");
        if (Files.isDirectory(dir)) {
            List<Path> files;
            try (Stream<Path> children = Files.list(dir)) {
                files = children.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(".list")) {
                    entries.addAll(parseOneLine(Files.readString(file)));
                } else if (name.endsWith(".sources")) {
                    try {
                        entries.addAll(parseDeb822(Files.readString(file)));
                    } catch (IOException e) {
                        throw new IOException("cannot read " + file + ": " + e.getMessage()
                                + "; fix it or set " + MIRROR_VARIABLE + " to a Debian mirror URL", e);
                    }
                }
            }
        }
        return entries;
    }

    /** Parses {@code deb [options] URI SUITE [COMPONENT...]} lines. */
    static List<SourceEntry> parseOneLine(String text) {
        List<SourceEntry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            List<String> words = new ArrayList<>(Arrays.asList(
                    (hash >= 0 ? line.substring(0, hash) : line).trim().split("\\s+")));
            if (words.size() > 1 && words.get(1).startsWith("[")) {
                // Options like [arch=amd64 signed-by=...] run up to the word that closes the bracket.
                while (words.size() > 1 && !words.get(1).endsWith("]")) {
                    words.remove(1);
                }
                if (words.size() > 1) {
                    words.remove(1);
                }
            }
            if (words.size() < 3) {
                continue;
            }
            httpUri(words.get(1)).ifPresent(uri ->
                    entries.add(new SourceEntry(words.get(0), uri, words.get(2), words.subList(3, words.size()))));
        }
        return entries;
    }

    /** Parses deb822 stanzas with {@code Types:}, {@code URIs:}, {@code Suites:} and {@code Components:}. */
    static List<SourceEntry> parseDeb822(String text) throws IOException {
        List<SourceEntry> entries = new ArrayList<>();
        for (Stanza stanza : Deb822.parse(text)) {
            if (stanza.get("Enabled").map(v -> v.equalsIgnoreCase("no")).orElse(false)) {
                continue;
            }
            List<String> components = words(stanza, "Components");
            for (String type : words(stanza, "Types")) {
                for (String uri : words(stanza, "URIs")) {
                    for (String suite : words(stanza, "Suites")) {
                        httpUri(uri).ifPresent(u -> entries.add(new SourceEntry(type, u, suite, components)));
                    }
                }
            }
        }
        return entries;
    }

    /**
     * The first entry that is a Debian archive: binary packages, component main, a Debian suite,
     * not the security archive. Third-party repositories sometimes reuse Debian's codenames, so an
     * entry whose path has a {@code debian} element (the archive's usual home) wins over one without.
     */
    static Optional<URI> debianMirror(List<SourceEntry> entries) {
        return entries.stream()
                .filter(AptSources::isDebianArchive)
                .min(Comparator.comparing((SourceEntry e) -> !hasDebianPathElement(e.uri())))
                .map(SourceEntry::uri);
    }

    private static boolean isDebianArchive(SourceEntry entry) {
        return entry.type().equals("deb")
                && entry.components().contains("main")
                && isDebianSuite(entry.suite())
                && !entry.suite().endsWith("-security")
                && !stripSlashes(entry.uri().getPath()).endsWith("debian-security");
    }

    private static boolean isDebianSuite(String suite) {
        String base = suite.toLowerCase(Locale.ROOT);
        for (String variant : SUITE_VARIANTS) {
            if (base.endsWith(variant)) {
                base = base.substring(0, base.length() - variant.length());
            }
        }
        return DEBIAN_CODENAMES.contains(base);
    }

    private static boolean hasDebianPathElement(URI uri) {
        return Arrays.asList(stripSlashes(uri.getPath()).split("/")).contains("debian");
    }

    private static String stripSlashes(String path) {
        String p = path == null ? "" : path;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private static List<String> words(Stanza stanza, String field) {
        return stanza.get(field).map(v -> v.strip().split("\\s+")).map(Arrays::asList)
                .filter(list -> !list.getFirst().isEmpty()).orElse(List.of());
    }

    /** The URI if it is an absolute http(s) URL; apt's other transports (cdrom:, file:, mirror+) are not ours to use. */
    private static Optional<URI> httpUri(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            boolean http = (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
            return http ? Optional.of(uri) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}
