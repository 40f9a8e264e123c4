package jvirt.image;

import java.util.Locale;

/** Byte sizes as qemu-img spells them: a number with an optional k, M, G, T, P or E suffix (powers of 1024). */
public final class Sizes {
    private Sizes() {
    }

    /** {@code 10G}, {@code 512k}, {@code 1.5G}, {@code 65536}; a one-line error for anything else. */
    public static long parse(String text) {
        String s = text.trim();
        int shift = 0;
        if (!s.isEmpty() && Character.isLetter(s.charAt(s.length() - 1))) {
            String unit = s.substring(s.length() - 1).toUpperCase(Locale.ROOT);
            shift = switch (unit) {
                case "B" -> 0;
                case "K" -> 10;
                case "M" -> 20;
                case "G" -> 30;
                case "T" -> 40;
                case "P" -> 50;
                case "E" -> 60;
                default -> -1;
            };
            s = s.substring(0, s.length() - 1);
        }
        double value;
        try {
            value = shift < 0 || s.isEmpty() || !s.chars().allMatch(c -> Character.isDigit(c) || c == '.')
                    ? -1 : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            value = -1;
        }
        double bytes = value * Math.pow(2, shift);
        if (value < 0 || bytes >= 0x1p63 || bytes != Math.floor(bytes)) {
            throw new IllegalArgumentException("invalid size '" + text
                    + "': use a number of bytes with an optional k, M, G, T, P or E suffix, e.g. 10G");
        }
        if (s.indexOf('.') < 0) {
            return Long.parseLong(s) << shift; // exact for integers, where a double could round
        }
        return (long) bytes;
    }

    /** A size as qemu-img prints it for people: {@code 10 GiB}, {@code 1.5 MiB}, {@code 512 B}. */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        if (u == 0) {
            return bytes + " B";
        }
        String n = String.format(Locale.ROOT, "%.3g", v);
        if (n.contains(".")) {
            n = n.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return n + " " + units[u];
    }
}
