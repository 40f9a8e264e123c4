package jvirt.guest.kernel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The modules chosen for a guest, in load order, and the {@code modules.dep} that describes them. */
public record ModuleSelection(List<KernelModule> loadOrder, ModuleGraph graph) {
    public ModuleSelection {
        loadOrder = List.copyOf(loadOrder);
    }

    /** {@code modules.dep} as depmod writes it: {@code path: prerequisite paths}, one line per module. */
    public String modulesDep() {
        Map<String, String> paths = loadOrder.stream().collect(Collectors.toMap(KernelModule::name, KernelModule::path));
        StringBuilder text = new StringBuilder();
        for (KernelModule module : loadOrder) {
            text.append(module.path()).append(':');
            graph.prerequisites(module.name()).stream().map(paths::get).forEach(p -> text.append(' ').append(p));
            text.append('\n');
        }
        return text.toString();
    }

    public List<String> names() {
        return loadOrder.stream().map(KernelModule::name).toList();
    }

    static ModuleSelection of(Map<String, KernelModule> modules) {
        ModuleGraph graph = new ModuleGraph(modules.values().stream()
                .collect(Collectors.toMap(KernelModule::name, KernelModule::depends, (a, b) -> a, LinkedHashMap::new)));
        return new ModuleSelection(graph.loadOrder().stream().map(modules::get).toList(), graph);
    }
}
