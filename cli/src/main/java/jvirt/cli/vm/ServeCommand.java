package jvirt.cli.vm;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import jvirt.guest.GuestImages;
import jvirt.manager.ManagedVm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code jvirt vm serve NAME}: the VM's own process, which {@code vm start} runs detached. It
 * leaves the terminal's session first, so that neither Ctrl-C there nor the terminal closing
 * reaches it.
 */
@Command(name = "serve", hidden = true, description = "Run a VM in this process (what 'vm start' runs in the background).")
final class ServeCommand extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    int execute() throws IOException, InterruptedException {
        leaveSession();
        return new ManagedVm(store(), name(name), GuestImages.cacheRoot(), System.err).run();
    }

    private static void leaveSession() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle setsid = linker.downcallHandle(linker.defaultLookup().find("setsid").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int ignored = (int) setsid.invokeExact();
        } catch (Throwable e) {
            // Not POSIX: the VM still runs, tied to the terminal it came from.
        }
    }
}
