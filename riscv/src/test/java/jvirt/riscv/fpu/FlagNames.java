package jvirt.riscv.fpu;

/** fflags bit sets as readable text, for assertion messages. */
final class FlagNames {
    private static final String[] NAMES = {"NX", "UF", "OF", "DZ", "NV"};

    private FlagNames() {
    }

    static String of(int flags) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < NAMES.length; i++) {
            if ((flags & 1 << i) != 0) {
                names.append(names.isEmpty() ? "" : "|").append(NAMES[i]);
            }
        }
        return names.isEmpty() ? "-" : names.toString();
    }
}
