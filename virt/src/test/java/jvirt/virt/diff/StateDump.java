package jvirt.virt.diff;

import java.util.ArrayList;
import java.util.List;

/**
 * The states a batch printed (see {@link BatchImage}): for each program, its values in order.
 * A line that is not a hex value is kept as text, so that garbage shows in a report.
 */
final class StateDump {
    private StateDump() {
    }

    /** One program's printed lines. */
    record State(List<String> lines) {
        int size() {
            return lines.size();
        }

        String line(int i) {
            return i < lines.size() ? lines.get(i) : "(missing)";
        }
    }

    static List<State> parse(String console) {
        List<State> states = new ArrayList<>();
        List<String> current = null;
        for (String line : console.split("\r?\n")) {
            if (line.equals("--")) {
                current = new ArrayList<>();
                states.add(new State(current));
            } else if (current != null && !line.isEmpty()) {
                current.add(line);
            }
        }
        return states;
    }

    /** The index of the trap count among a program's printed values. */
    static final int TRAP_COUNT = 66;

    /** The name of the {@code i}th printed value. */
    static String name(int i) {
        if (i < 31) {
            return "x" + (i + 1);
        } else if (i < 63) {
            return "f" + (i - 31);
        }
        return switch (i) {
            case 63 -> "fcsr";
            case 64 -> "scratch checksum";
            case 65 -> "page 2 PTE";
            case TRAP_COUNT -> "trap count";
            default -> {
                int k = (i - BatchImage.FIXED_LINES) / 3;
                yield "trap " + k + " " + new String[] {"mcause", "mtval", "mepc"}[(i - BatchImage.FIXED_LINES) % 3];
            }
        };
    }

    private static final String BREAKPOINT = String.format("%016x", 3);

    /**
     * The indices at which two states differ (a missing line differs from any line). Not compared:
     * mtval after a breakpoint. The privileged spec lets EBREAK write either zero (QEMU 7.2) or the
     * instruction's address (jvirt, like Spike) to mtval.
     */
    static List<Integer> differences(State a, State b) {
        List<Integer> diff = new ArrayList<>();
        int n = Math.max(a.size(), b.size());
        for (int i = 0; i < n; i++) {
            boolean breakpointTval = i >= BatchImage.FIXED_LINES && (i - BatchImage.FIXED_LINES) % 3 == 1
                    && a.line(i - 1).equals(BREAKPOINT) && b.line(i - 1).equals(BREAKPOINT);
            if (!a.line(i).equals(b.line(i)) && !breakpointTval) {
                diff.add(i);
            }
        }
        return diff;
    }
}
