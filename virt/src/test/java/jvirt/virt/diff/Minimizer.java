package jvirt.virt.diff;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Shrinks a program whose states differ. First the shortest prefix of its body that still differs
 * (every prefix runs in one batch), whose last unit is where the peers first part ways; then units
 * before that one are dropped, in halving chunks, as long as the states still differ.
 */
final class Minimizer {
    private static final int BATCH = 64;
    private static final int MAX_ROUNDS = 40;

    private final Path dir;
    private final Peers.Engine engine;

    Minimizer(Path dir, Peers.Engine engine) {
        this.dir = dir;
        this.engine = engine;
    }

    /** The reduced program's outcome, or null when the difference does not come back. */
    Comparison.Outcome minimize(TestProgram program) throws Exception {
        List<TestProgram> prefixes = new ArrayList<>();
        for (int m = 0; m <= program.units().size(); m++) {
            prefixes.add(program.truncated(m));
        }
        boolean[] differs = differ(prefixes);
        int first = -1;
        for (int m = 0; m < differs.length && first < 0; m++) {
            if (differs[m]) {
                first = m;
            }
        }
        if (first < 0) {
            return null;
        }
        TestProgram reduced = first == 0 ? prefixes.get(0) : dropEarlierUnits(prefixes.get(first));
        return Comparison.run(List.of(reduced), dir, true, engine).get(0);
    }

    /** Drops chunks of the units before the last one while the states still differ. */
    private TestProgram dropEarlierUnits(TestProgram p) throws Exception {
        int rounds = 0;
        for (int chunk = Integer.highestOneBit(Math.max(1, (p.units().size() - 1) / 2)); chunk >= 1; chunk /= 2) {
            while (rounds++ < MAX_ROUNDS) {
                int droppable = p.units().size() - 1;
                List<Set<Integer>> drops = new ArrayList<>();
                for (int start = 0; start < droppable; start += chunk) {
                    Set<Integer> drop = new HashSet<>();
                    for (int u = start; u < Math.min(start + chunk, droppable); u++) {
                        drop.add(u);
                    }
                    drops.add(drop);
                }
                if (drops.isEmpty()) {
                    return p;
                }
                List<TestProgram> candidates = new ArrayList<>();
                for (Set<Integer> drop : drops) {
                    candidates.add(p.without(drop));
                }
                boolean[] differs = differ(candidates);
                Set<Integer> union = new HashSet<>();
                int firstDiffering = -1;
                for (int k = 0; k < differs.length; k++) {
                    if (differs[k]) {
                        union.addAll(drops.get(k));
                        firstDiffering = firstDiffering < 0 ? k : firstDiffering;
                    }
                }
                if (firstDiffering < 0) {
                    break;
                }
                TestProgram all = p.without(union);
                p = union.size() > drops.get(firstDiffering).size() && differ(List.of(all))[0]
                        ? all : candidates.get(firstDiffering);
            }
        }
        return p;
    }

    private boolean[] differ(List<TestProgram> programs) throws Exception {
        boolean[] result = new boolean[programs.size()];
        for (int from = 0; from < programs.size(); from += BATCH) {
            List<Comparison.Outcome> outcomes =
                    Comparison.run(programs.subList(from, Math.min(from + BATCH, programs.size())), dir, false, engine);
            for (int k = 0; k < outcomes.size(); k++) {
                result[from + k] = outcomes.get(k).differs();
            }
        }
        return result;
    }
}
