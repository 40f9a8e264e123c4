package jvirt.guest.debian;

/**
 * A Debian package version, {@code [epoch:]upstream[-revision]}, ordered as dpkg orders them:
 * epochs numerically, then upstream and revision by alternating runs of non-digits (letters before
 * other characters, {@code ~} before everything, even the end) and digits (numerically).
 */
public record DebianVersion(long epoch, String upstream, String revision) implements Comparable<DebianVersion> {

    public static DebianVersion parse(String version) {
        String v = version.strip();
        long epoch = 0;
        int colon = v.indexOf(':');
        if (colon > 0) {
            try {
                epoch = Long.parseLong(v.substring(0, colon));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad epoch in version '" + version + "'", e);
            }
            v = v.substring(colon + 1);
        }
        int dash = v.lastIndexOf('-');
        return dash > 0
                ? new DebianVersion(epoch, v.substring(0, dash), v.substring(dash + 1))
                : new DebianVersion(epoch, v, "");
    }

    @Override
    public int compareTo(DebianVersion other) {
        int c = Long.compare(epoch, other.epoch);
        if (c == 0) {
            c = compareParts(upstream, other.upstream);
        }
        if (c == 0) {
            c = compareParts(revision, other.revision);
        }
        return c;
    }

    @Override
    public String toString() {
        return (epoch != 0 ? epoch + ":" : "") + upstream + (revision.isEmpty() ? "" : "-" + revision);
    }

    private static int compareParts(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() || j < b.length()) {
            while ((i < a.length() && !isDigit(a, i)) || (j < b.length() && !isDigit(b, j))) {
                int c = Integer.compare(order(a, i), order(b, j));
                if (c != 0) {
                    return c;
                }
                i++;
                j++;
            }
            while (i < a.length() && a.charAt(i) == '0') {
                i++;
            }
            while (j < b.length() && b.charAt(j) == '0') {
                j++;
            }
            int firstDifference = 0;
            while (isDigit(a, i) && isDigit(b, j)) {
                if (firstDifference == 0) {
                    firstDifference = Character.compare(a.charAt(i), b.charAt(j));
                }
                i++;
                j++;
            }
            if (isDigit(a, i)) {
                return 1; // a's number has more digits
            }
            if (isDigit(b, j)) {
                return -1;
            }
            if (firstDifference != 0) {
                return firstDifference;
            }
        }
        return 0;
    }

    private static boolean isDigit(String s, int i) {
        return i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9';
    }

    /** dpkg's weight of the character at {@code i} in a non-digit run; the end of the string weighs 0. */
    private static int order(String s, int i) {
        if (i >= s.length() || isDigit(s, i)) {
            return 0;
        }
        char c = s.charAt(i);
        if (Character.isLetter(c)) {
            return c;
        }
        return c == '~' ? -1 : c + 256;
    }
}
