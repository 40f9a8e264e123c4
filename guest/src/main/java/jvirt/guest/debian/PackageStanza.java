package jvirt.guest.debian;

import java.io.IOException;
import java.util.List;

/**
 * What a Packages index says about one binary package: enough to choose it, follow its
 * dependencies ({@code Depends}, {@code Pre-Depends}) and download it ({@code Filename},
 * {@code Size}, {@code SHA256}).
 */
public record PackageStanza(String name, String version, String architecture, String depends, String preDepends,
        RemoteFile file) {

    static PackageStanza from(Stanza stanza) throws IOException {
        String name = required(stanza, "Package", "?");
        try {
            return new PackageStanza(name,
                    required(stanza, "Version", name),
                    required(stanza, "Architecture", name),
                    stanza.get("Depends").orElse(""),
                    stanza.get("Pre-Depends").orElse(""),
                    new RemoteFile(required(stanza, "Filename", name),
                            Long.parseLong(required(stanza, "Size", name)),
                            required(stanza, "SHA256", name)));
        } catch (IllegalArgumentException e) {
            throw new IOException("Packages stanza for " + name + ": " + e.getMessage(), e);
        }
    }

    public DebianVersion debianVersion() {
        return DebianVersion.parse(version);
    }

    public List<List<Relation>> dependsRelations() {
        return Relation.parseField(depends);
    }

    /** What must be unpacked and configured before this package is unpacked; shared libraries often are. */
    public List<List<Relation>> preDependsRelations() {
        return Relation.parseField(preDepends);
    }

    /** For messages: {@code name version}. */
    public String label() {
        return name + " " + version;
    }

    private static String required(Stanza stanza, String field, String packageName) throws IOException {
        return stanza.get(field).filter(v -> !v.isEmpty()).orElseThrow(() ->
                new IOException("Packages stanza for " + packageName + " has no " + field + " field"));
    }
}
