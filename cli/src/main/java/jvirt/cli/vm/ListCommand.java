package jvirt.cli.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import jvirt.image.Sizes;
import jvirt.manager.VmDefinition;
import jvirt.manager.VmName;
import jvirt.manager.VmRuntime;
import jvirt.manager.VmStatus;
import jvirt.manager.VmStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jvirt vm list [--output=human|json]} */
@Command(name = "list", description = "List the VMs and what each is doing (running, paused, stopped, crashed).")
final class ListCommand extends VmSubcommand {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--output", paramLabel = "human|json", defaultValue = "human",
            description = "A table (default) or a JSON array.")
    String output;

    @Override
    int execute() throws IOException {
        boolean asJson = json(output);
        VmStore store = store();
        VmRuntime runtime = new VmRuntime(store);
        List<VmDefinition> definitions = new ArrayList<>();
        List<VmStatus> states = new ArrayList<>();
        for (VmName name : store.names()) {
            try {
                definitions.add(store.load(name));
                states.add(runtime.status(name));
            } catch (IOException e) {
                note(e.getMessage()); // one broken VM does not hide the others
            }
        }
        PrintWriter out = out();
        if (asJson) {
            ArrayNode all = JSON.createArrayNode();
            for (int i = 0; i < definitions.size(); i++) {
                all.add(describe(definitions.get(i), states.get(i)));
            }
            out.println(JSON.writeValueAsString(all));
        } else {
            String format = "%-20s %-9s %4s %8s %7s  %s%n";
            out.printf(format, "NAME", "STATE", "CPUS", "MEMORY", "PID", "FORWARDS");
            for (int i = 0; i < definitions.size(); i++) {
                VmDefinition d = definitions.get(i);
                VmStatus s = states.get(i);
                out.printf(format, d.name(), s.state(), d.cpus(), Sizes.human(d.memoryBytes()),
                        s.pid() > 0 ? Long.toString(s.pid()) : "-", d.forwards().isEmpty() ? "-" : String.join(" ", d.forwards()));
            }
        }
        out.flush();
        return 0;
    }

    /** One VM as JSON: its definition's fields and its state. */
    static ObjectNode describe(VmDefinition definition, VmStatus status) {
        ObjectNode vm = JSON.valueToTree(definition);
        vm.put("state", status.state().toString());
        if (status.pid() > 0) {
            vm.put("pid", status.pid());
        }
        if (!status.reason().isEmpty()) {
            vm.put("reason", status.reason());
        }
        return vm;
    }
}
