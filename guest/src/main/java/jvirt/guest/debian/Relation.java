package jvirt.guest.debian;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One package named in a {@code Depends:} field, with its optional version constraint, e.g.
 * {@code linux-image-6.12.107+deb13-riscv64 (= 6.12.107-1)}. Architecture qualifiers
 * ({@code :any}), architecture lists and build profiles are accepted and not kept.
 */
public record Relation(String name, String operator, DebianVersion version) {
    private static final Pattern RELATION = Pattern.compile(
            "([a-z0-9][a-z0-9+.\\-]*)(?::[a-z0-9\\-]+)?\\s*(?:\\(\\s*(<<|<=|=|>=|>>|<|>)\\s*([^)\\s]+)\\s*\\))?\\s*(?:\\[[^\\]]*\\]\\s*)?(?:<[^>]*>\\s*)*");

    /** Any version of {@code name}. */
    public static Relation any(String name) {
        return new Relation(name, null, null);
    }

    /** Parses a relationship field: comma-separated groups of {@code |}-separated alternatives. */
    public static List<List<Relation>> parseField(String field) {
        List<List<Relation>> groups = new ArrayList<>();
        for (String group : field.split(",")) {
            if (group.isBlank()) {
                continue;
            }
            List<Relation> alternatives = new ArrayList<>();
            for (String alternative : group.split("\\|")) {
                Matcher m = RELATION.matcher(alternative.strip());
                if (!m.matches()) {
                    throw new IllegalArgumentException("cannot parse relation '" + alternative.strip() + "'");
                }
                alternatives.add(m.group(2) == null
                        ? any(m.group(1))
                        : new Relation(m.group(1), m.group(2), DebianVersion.parse(m.group(3))));
            }
            groups.add(List.copyOf(alternatives));
        }
        return List.copyOf(groups);
    }

    /** As a Depends field writes it: {@code libc6 (>= 2.38)}. */
    @Override
    public String toString() {
        return operator == null ? name : name + " (" + operator + " " + version + ")";
    }

    public boolean satisfiedBy(PackageStanza stanza) {
        if (!stanza.name().equals(name)) {
            return false;
        }
        if (operator == null) {
            return true;
        }
        int c = stanza.debianVersion().compareTo(version);
        return switch (operator) {
            case "<<" -> c < 0;
            case "<=", "<" -> c <= 0; // "<" and ">" are the obsolete spellings of "<=" and ">="
            case "=" -> c == 0;
            case ">=", ">" -> c >= 0;
            case ">>" -> c > 0;
            default -> throw new IllegalStateException("operator " + operator);
        };
    }
}
