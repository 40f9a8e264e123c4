package jvirt.virt.diff;

import java.util.List;

/** Text that lets a reader reproduce and understand a difference. */
final class Report {
    private static final int MAX_DIFFERENCES = 8;

    private Report() {
    }

    /**
     * The original outcome, and the reduced one when minimizing reproduced it: seed, differing
     * values, initial state and the listing of the (reduced) body.
     */
    static String describe(Comparison.Outcome original, Comparison.Outcome reduced, int length) {
        StringBuilder sb = new StringBuilder();
        TestProgram p = original.program();
        sb.append(String.format("seed %d (rerun alone: -Ddiff.seed=%d -Ddiff.programs=1 -Ddiff.length=%d -Ddiff.engine=%s)%n",
                p.seed(), p.seed(), length, original.engine().name().toLowerCase(java.util.Locale.ROOT)));
        sb.append("  first difference at ").append(original.describeFirst()).append('\n');
        sb.append("  jvirt ran the ").append(original.engine() == Peers.Engine.INTERPRETER
                ? "interpreter alone" : "translator (every block compiled to JVM bytecode)").append('\n');
        sb.append("  batch ").append(original.endings()).append('\n');
        sb.append(String.format("  program %d of %s%n", original.index(), original.binary()));
        Comparison.Outcome shown = original;
        if (reduced == null || !reduced.differs()) {
            // The difference needs something an earlier program of the batch left behind.
            sb.append("  (it does not show alone or in a shorter body: the full body follows)\n");
        } else {
            shown = reduced;
            sb.append(String.format("  reduced to %d of %d units; its last instruction is where the states first differ%n",
                    reduced.program().units().size(), p.units().size()));
            sb.append("  reduced program's first difference at ").append(reduced.describeFirst()).append('\n');
            sb.append(String.format("  alone in %s (%s -M virt -m 64M -nographic -bios FILE)%n", reduced.binary(), Peers.QEMU));
        }
        appendDifferences(sb, shown);
        appendInitialState(sb, shown.program());
        sb.append("  body:\n");
        List<BatchImage.Line> lines = shown.image().listing(shown.index());
        int unit = -1;
        for (BatchImage.Line line : lines) {
            sb.append(line.unit() != unit ? "   " : "   +").append(line).append('\n');
            unit = line.unit();
        }
        return sb.toString();
    }

    private static void appendDifferences(StringBuilder sb, Comparison.Outcome o) {
        sb.append("  differences (name: qemu / jvirt):\n");
        o.differences().stream().limit(MAX_DIFFERENCES).forEach(i -> sb.append(String.format("    %-18s %s / %s%n",
                StateDump.name(i), o.qemu().line(i), o.jvirt().line(i))));
        if (o.differences().size() > MAX_DIFFERENCES) {
            sb.append("    ... ").append(o.differences().size() - MAX_DIFFERENCES).append(" more\n");
        }
    }

    private static void appendInitialState(StringBuilder sb, TestProgram p) {
        sb.append("  runs in ").append(p.env()).append("; initial state:\n");
        for (int r = 1; r < 32; r++) {
            sb.append(String.format("%s%-4s%016x", r % 4 == 1 ? "    " : "  ", "x" + r, p.x()[r]));
            sb.append(r % 4 == 0 || r == 31 ? "\n" : "");
        }
        for (int r = 0; r < 32; r++) {
            sb.append(String.format("%s%-4s%016x", r % 4 == 0 ? "    " : "  ", "f" + r, p.f()[r]));
            sb.append(r % 4 == 3 ? "\n" : "");
        }
        sb.append(String.format("    fcsr %02x (frm %d, fflags %02x); scratch area at %x, x8 = %x, x2 = %x%n",
                p.fcsr(), p.fcsr() >> 5, p.fcsr() & 0x1F, BatchImage.DATA, BatchImage.DATA, BatchImage.SP_VALUE));
    }
}
