package jvirt.cli;

import java.util.Locale;

/** Memory sizes as QEMU spells them: a number with an optional K, M, G or T suffix; no suffix means MiB. */
public final class Sizes {
    private Sizes() {
    }

    public static long parseMemory(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 20;
        if (!s.isEmpty() && Character.isLetter(s.charAt(s.length() - 1))) {
            shift = switch (s.charAt(s.length() - 1)) {
                case 'K' -> 10;
                case 'M' -> 20;
                case 'G' -> 30;
                case 'T' -> 40;
                default -> -1;
            };
            s = s.substring(0, s.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(s);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (shift < 0 || n <= 0 || n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("invalid memory size '" + text
                    + "': use a number with an optional K, M, G or T suffix, e.g. 512M");
        }
        return n << shift;
    }
}
