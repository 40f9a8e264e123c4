package jvirt.guest.kernel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which module needs which: the order to load them in and each module's line of
 * {@code modules.dep}. A dependency cycle (the kernel would refuse to load it anyway) is cut where
 * the walk meets it, so nothing loops.
 */
public final class ModuleGraph {
    private final Map<String, List<String>> depends = new LinkedHashMap<>();
    private final List<String> loadOrder = new ArrayList<>();
    private final Map<String, Integer> position = new HashMap<>();

    /** {@code depends} maps every module to the modules it directly needs, all of them keys too. */
    public ModuleGraph(Map<String, List<String>> depends) {
        depends.forEach((module, needs) -> {
            for (String need : needs) {
                if (!depends.containsKey(need)) {
                    throw new IllegalArgumentException(module + " needs " + need + ", which is not in the graph");
                }
            }
            this.depends.put(module, List.copyOf(needs));
        });
        Set<String> seen = new HashSet<>();
        for (String module : this.depends.keySet()) {
            appendAfterNeeds(module, seen);
        }
        for (int i = 0; i < loadOrder.size(); i++) {
            position.put(loadOrder.get(i), i);
        }
    }

    /** Every module once, each after the modules it needs. */
    public List<String> loadOrder() {
        return List.copyOf(loadOrder);
    }

    /**
     * Everything {@code module} needs, directly or not, ordered as depmod writes {@code modules.dep}:
     * the last one listed is loaded first.
     */
    public List<String> prerequisites(String module) {
        Set<String> needed = new HashSet<>();
        collect(module, needed);
        needed.remove(module);
        return needed.stream().sorted(Comparator.comparing(position::get).reversed()).toList();
    }

    private void appendAfterNeeds(String module, Set<String> seen) {
        if (!seen.add(module)) {
            return;
        }
        for (String need : depends.get(module)) {
            appendAfterNeeds(need, seen);
        }
        loadOrder.add(module);
    }

    private void collect(String module, Set<String> needed) {
        for (String need : depends.getOrDefault(module, List.of())) {
            if (needed.add(need)) {
                collect(need, needed);
            }
        }
    }
}
