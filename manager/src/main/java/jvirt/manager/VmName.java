package jvirt.manager;

import java.util.regex.Pattern;

/**
 * A VM's name: it names its directory and becomes the guest's host name, so it is a DNS label
 * (RFC 1123): letters, digits and hyphens, starting with a letter, not ending in a hyphen, at
 * most 63 characters. A slash, a dot or {@code ..} can never reach a path.
 */
public record VmName(String value) implements Comparable<VmName> {
    private static final Pattern LABEL = Pattern.compile("[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    public VmName {
        if (value == null || !LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + printable(value) + "' is not a VM name: use letters, digits and"
                    + " hyphens, starting with a letter, up to 63 characters (it becomes the guest's host name)");
        }
    }

    /** The name as a user typed it, with control characters shown as '?' so an error stays one line. */
    private static String printable(String s) {
        return s == null ? "" : s.codePoints().map(c -> c < 0x20 || c == 0x7F ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    }

    @Override
    public int compareTo(VmName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
