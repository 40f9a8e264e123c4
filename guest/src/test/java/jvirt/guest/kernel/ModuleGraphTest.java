package jvirt.guest.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleGraphTest {
    private static Map<String, List<String>> graph(String... lines) {
        Map<String, List<String>> depends = new LinkedHashMap<>();
        for (String line : lines) {
            String[] parts = line.split(":", -1);
            depends.put(parts[0], parts[1].isBlank() ? List.of() : List.of(parts[1].strip().split(" ")));
        }
        return depends;
    }

    @Test
    void loadsEveryModuleAfterWhatItNeeds() {
        ModuleGraph g = new ModuleGraph(graph(
                "virtio_net: net_failover", "net_failover: failover", "failover:",
                "ext4: jbd2 mbcache crc16", "jbd2:", "mbcache:", "crc16:"));

        assertThat(g.loadOrder()).containsExactly("failover", "net_failover", "virtio_net", "jbd2", "mbcache", "crc16", "ext4");
    }

    @Test
    void listsPrerequisitesTheWayDepmodDoes() {
        ModuleGraph g = new ModuleGraph(graph("virtio_net: net_failover", "net_failover: failover", "failover:"));

        // modprobe loads this list from its end: failover first.
        assertThat(g.prerequisites("virtio_net")).containsExactly("net_failover", "failover");
        assertThat(g.prerequisites("failover")).isEmpty();
    }

    @Test
    void survivesACycle() {
        ModuleGraph g = new ModuleGraph(graph("a: b", "b: c", "c: a", "d: a"));

        assertThat(g.loadOrder()).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(g.loadOrder().getLast()).isEqualTo("d");
        assertThat(g.prerequisites("a")).containsExactlyInAnyOrder("b", "c");
        assertThat(g.prerequisites("d")).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void refusesADependencyOutsideTheGraph() {
        assertThatThrownBy(() -> new ModuleGraph(graph("a: b"))).hasMessage("a needs b, which is not in the graph");
    }
}
