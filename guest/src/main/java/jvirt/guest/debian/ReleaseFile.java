package jvirt.guest.debian;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A suite's {@code Release} file: the sizes and SHA256s of the suite's index files, which is what
 * makes the Packages indexes (and through them the packages) verifiable. The OpenPGP signature of
 * {@code InRelease} is not checked here.
 */
public final class ReleaseFile {
    private static final String SIGNED_MESSAGE = "-----BEGIN PGP SIGNED MESSAGE-----";
    private static final String SIGNATURE = "-----BEGIN PGP SIGNATURE-----";

    private final String directory;
    private final Map<String, RemoteFile> sha256 = new HashMap<>();
    private boolean allInArchitectureIndexes;

    private ReleaseFile(String directory) {
        this.directory = directory;
    }

    /**
     * Parses a Release file found in {@code directory} (mirror-relative, e.g. {@code dists/trixie/});
     * the index files it lists are relative to that directory.
     */
    public static ReleaseFile parse(String text, String directory) throws IOException {
        ReleaseFile release = new ReleaseFile(directory.endsWith("/") ? directory : directory + "/");
        List<Stanza> stanzas = Deb822.parse(text);
        if (stanzas.isEmpty()) {
            throw new IOException("empty Release file in " + directory);
        }
        release.allInArchitectureIndexes = stanzas.getFirst().get("No-Support-for-Architecture-all")
                .map(v -> v.strip().equals("Packages")).orElse(false);
        String checksums = stanzas.getFirst().get("SHA256").orElseThrow(() ->
                new IOException("the Release file in " + directory + " has no SHA256 field"));
        for (String line : checksums.split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length != 3) {
                continue; // the field's value starts on its own line, after the (empty) first one
            }
            try {
                release.sha256.put(words[2], new RemoteFile(release.directory + words[2], Long.parseLong(words[1]), words[0]));
            } catch (IllegalArgumentException e) {
                throw new IOException("bad SHA256 line in the Release file in " + directory + ": " + line.strip(), e);
            }
        }
        return release;
    }

    /** Parses an {@code InRelease} file: a Release file inside an OpenPGP cleartext signature. */
    public static ReleaseFile parseInRelease(String text, String directory) throws IOException {
        int start = text.indexOf(SIGNED_MESSAGE);
        int end = text.indexOf(SIGNATURE);
        if (start < 0 || end < start) {
            throw new IOException("the InRelease file in " + directory + " is not a cleartext-signed message");
        }
        // After the armour header come "Hash:" lines and a blank line; then the message, dash-escaped.
        int body = text.indexOf("\n\n", start);
        if (body < 0 || body > end) {
            throw new IOException("the InRelease file in " + directory + " has no message body");
        }
        StringBuilder message = new StringBuilder();
        for (String line : text.substring(body + 2, end).split("\n")) {
            message.append(line.startsWith("- ") ? line.substring(2) : line).append('\n');
        }
        return parse(message.toString(), directory);
    }

    /**
     * Whether the suite lists its {@code Architecture: all} packages in every architecture's
     * index too ({@code No-Support-for-Architecture-all: Packages}, as Debian's suites do), so
     * that the {@code binary-all} index adds nothing.
     */
    public boolean allInArchitectureIndexes() {
        return allInArchitectureIndexes;
    }

    /** The checksummed index file at {@code path}, relative to the suite's directory. */
    public RemoteFile indexFile(String path) throws IOException {
        RemoteFile file = sha256.get(path);
        if (file == null) {
            throw new IOException("the Release file in " + directory + " lists no SHA256 for " + path);
        }
        return file;
    }
}
