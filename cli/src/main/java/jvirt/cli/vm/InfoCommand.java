package jvirt.cli.vm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import jvirt.guest.cloud.DiskBoot;
import jvirt.image.Sizes;
import jvirt.manager.VmDefinition;
import jvirt.manager.VmName;
import jvirt.manager.VmRuntime;
import jvirt.manager.VmStatus;
import jvirt.manager.VmStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt vm info NAME [--output=human|json]} */
@Command(name = "info", description = "Show a VM's definition, state and files.")
final class InfoCommand extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--output", paramLabel = "human|json", defaultValue = "human", description = "Text (default) or JSON.")
    String output;

    @Override
    int execute() throws IOException {
        boolean asJson = json(output);
        VmName vm = name(name);
        VmStore store = store();
        VmDefinition d = store.load(vm);
        VmRuntime runtime = new VmRuntime(store);
        VmStatus s = runtime.status(vm);
        PrintWriter out = out();
        if (asJson) {
            ObjectNode json = ListCommand.describe(d, s);
            json.put("directory", store.directory(vm).toString());
            json.put("consoleLog", runtime.consoleLog(vm).toString());
            out.println(ListCommand.JSON.writeValueAsString(json));
        } else {
            out.printf("name:        %s%n", d.name());
            out.printf("state:       %s%s%n", s.state(), s.reason().isEmpty() ? "" : " (" + s.reason() + ")");
            if (s.pid() > 0) {
                out.printf("pid:         %d%n", s.pid());
            }
            out.printf("image:       %s%n", d.image());
            out.printf("cpus:        %d%n", d.cpus());
            out.printf("memory:      %s%n", Sizes.human(d.memoryBytes()));
            for (VmDefinition.Disk disk : d.disks()) {
                out.printf("disk:        %s (%s%s)%n", store.directory(vm).resolve(disk.file()), disk.format(),
                        disk.readOnly() ? ", read-only" : "");
            }
            VmDefinition.Boot boot = d.boot();
            String disk = boot.fromDisk() ? d.disks().getFirst().file() : null;
            printIfSet(out, "kernel:", disk == null ? boot.kernel()
                    : boot.kernel() + " (from " + disk + "'s " + DiskBoot.KERNEL_LINK + " at each boot)");
            printIfSet(out, "initrd:", disk == null ? boot.initrd()
                    : boot.initrd() + " (from " + disk + "'s " + DiskBoot.INITRD_LINK + " at each boot)");
            printIfSet(out, "firmware:", boot.firmware());
            printIfSet(out, "append:", boot.append());
            out.printf("network:     %s%n", d.network());
            out.printf("mac:         %s%n", d.mac());
            for (String forward : d.forwards()) {
                out.printf("forward:     %s%n", forward);
            }
            out.printf("directory:   %s%n", store.directory(vm));
            out.printf("console log: %s%n", runtime.consoleLog(vm));
        }
        out.flush();
        return 0;
    }

    private static void printIfSet(PrintWriter out, String label, String value) {
        if (value != null) {
            out.printf("%-12s %s%n", label, value);
        }
    }
}
