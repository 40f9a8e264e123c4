package jvirt.cli.vm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import jvirt.cli.Terminal;
import jvirt.manager.VmName;
import jvirt.manager.VmRuntime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code jvirt vm console NAME}: this terminal becomes the VM's serial console until Ctrl-] (virsh's key). */
@Command(name = "console", description = "Attach this terminal to a running VM's serial console; Ctrl-] detaches"
        + " (the VM goes on).")
final class ConsoleCommand extends VmSubcommand {
    private static final int DETACH = 0x1D; // Ctrl-]

    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    int execute() throws IOException, InterruptedException {
        VmName vm = name(name);
        VmRuntime runtime = runtime();
        runtime.control(vm).close(); // a stopped VM is a one-line error, not a refused connection
        try (SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.connect(UnixDomainSocketAddress.of(runtime.consoleSocket(vm)));
            note("connected to the console of '" + vm + "'; Ctrl-] detaches");
            CountDownLatch ended = new CountDownLatch(1); // by the user detaching, or the VM going away
            try (Terminal terminal = Terminal.rawIfTerminal()) {
                Thread.ofPlatform().daemon().name("jvirt-console-screen").start(() -> {
                    show(socket);
                    ended.countDown();
                });
                Thread.ofPlatform().daemon().name("jvirt-console-keys").start(() -> {
                    type(socket);
                    ended.countDown();
                });
                ended.await();
            }
        }
        System.out.flush();
        note("detached from '" + vm + "'");
        return 0;
    }

    /** The guest's output onto this terminal, until the VM or the user closes the connection. */
    private static void show(SocketChannel socket) {
        try (InputStream in = Channels.newInputStream(socket)) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                System.out.write(buffer, 0, n);
                System.out.flush();
            }
        } catch (IOException e) {
            // Detached.
        }
    }

    /** Keys to the guest, until Ctrl-] or the end of input. */
    private static void type(SocketChannel socket) {
        OutputStream out = Channels.newOutputStream(socket);
        try {
            int b;
            while ((b = System.in.read()) >= 0 && b != DETACH) {
                out.write(b);
            }
        } catch (IOException e) {
            // The connection closed: the VM stopped.
        }
    }
}
