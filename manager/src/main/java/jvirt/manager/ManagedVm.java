package jvirt.manager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jvirt.core.MachineExit;
import jvirt.guest.GuestImage;
import jvirt.guest.GuestImages;
import jvirt.guest.cloud.DiskBoot;
import jvirt.guest.ext4.Ext4Exception;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.manager.agent.AgentException;
import jvirt.manager.agent.GuestAgent;
import jvirt.manager.control.ControlException;
import jvirt.manager.control.ControlServer;
import jvirt.net.MacAddress;
import jvirt.net.user.NatConfig;
import jvirt.net.user.UserNetwork;
import jvirt.riscv.Isa;
import jvirt.virt.BoardConfig;
import jvirt.virt.Drive;
import jvirt.virt.Nic;
import jvirt.virt.VirtBoard;
import jvirt.virt.boot.BootException;

/**
 * The process that runs one managed VM in the background (started by {@link VmRuntime#start}):
 * it holds {@code run.lock} for its whole life, serves the control socket and the console
 * socket, boots the guest again when it reboots, and on the way out removes its sockets and pid
 * file; an emulator fault is written to {@code crashed} for {@code vm list} to show.
 *
 * <p>Control commands (QMP's names where QMP has one): {@code query-status}, {@code stop}
 * (pause), {@code cont} (resume), {@code quit} (power off at once), {@code guest-agent} (pass
 * one command to the guest agent: {@code {"command":{…},"timeout":SECONDS}}).
 */
public final class ManagedVm {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LOCK_WAIT = Duration.ofSeconds(2);
    private static final int MAX_AGENT_TIMEOUT_S = 3600;
    private static final Duration SIGNAL_CLEANUP = Duration.ofSeconds(10);

    private final VmStore store;
    private final VmName name;
    private final Path cacheRoot;
    private final PrintStream log;
    private final RuntimeFiles files;
    private volatile VirtBoard board;
    private volatile GuestAgent agent;
    private volatile boolean quitting;
    private volatile int boots;

    public ManagedVm(VmStore store, VmName name, Path cacheRoot, PrintStream log) {
        this.store = store;
        this.name = name;
        this.cacheRoot = cacheRoot;
        this.log = log;
        this.files = new RuntimeFiles(store.directory(name));
    }

    /**
     * Runs the VM until it powers off or is told to quit; returns the process's exit status. On
     * SIGTERM the machine is powered off and the files cleaned up, as QEMU does on a signal.
     */
    public int run() throws IOException, InterruptedException {
        VmDefinition definition = store.load(name);
        BoardConfig config = config(definition);
        CountDownLatch cleanedUp = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            quitting = true;
            VirtBoard current = board;
            if (current != null) {
                current.quit();
            }
            try {
                cleanedUp.await(SIGNAL_CLEANUP.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "jvirt-signal"));
        try {
            return serve(definition, config);
        } finally {
            cleanedUp.countDown();
        }
    }

    private int serve(VmDefinition definition, BoardConfig config) throws IOException, InterruptedException {
        try (FileChannel lockFile = FileChannel.open(files.runLock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock running = takeRunLock(lockFile)) {
            Files.deleteIfExists(files.crashed());
            AtomicFile.write(files.pid(), (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
            try (ConsoleHub console = ConsoleHub.open(files.console(), files.consoleLog());
                    ControlServer control = ControlServer.open(files.control(), this::handle)) {
                MachineExit exit = boot(definition, config, console);
                if (exit instanceof MachineExit.Fault fault) {
                    AtomicFile.write(files.crashed(), (fault.message() + "\n").getBytes(StandardCharsets.UTF_8));
                    log.println("jvirt: " + fault.message());
                }
                return exit.exitCode();
            } finally {
                Files.deleteIfExists(files.control());
                Files.deleteIfExists(files.console());
                Files.deleteIfExists(files.pid());
            }
        }
    }

    private FileLock takeRunLock(FileChannel channel) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (true) {
            FileLock lock = channel.tryLock(); // a `vm list` looking at the same moment holds it briefly
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("VM '" + name + "' is already running");
            }
            Thread.sleep(50);
        }
    }

    /** Boots until the guest powers off, faults or is told to quit; a reboot boots it again. */
    private MachineExit boot(VmDefinition definition, BoardConfig config, ConsoleHub console)
            throws IOException, InterruptedException {
        while (true) {
            MachineExit exit;
            if (definition.boot().fromDisk()) {
                loadBootFilesFromDisk(definition); // at every boot, as firmware would: the guest may have installed a kernel
            }
            try (VirtBoard next = VirtBoard.create(config, console.output())) {
                console.attach(next.console());
                agent = next.port(GuestAgent.PORT_NAME).map(p -> new GuestAgent(p.fromGuest(), p.toGuest(), p::guestConnected)).orElse(null);
                board = next;
                boots++;
                if (quitting) {
                    next.quit(); // told to go while the board was being built
                }
                exit = next.run();
            } catch (BootException e) {
                // Not a crash: the machine never ran. `vm start` shows the message and the VM stays stopped.
                throw new IOException(e.getMessage(), e);
            } finally {
                board = null;
                GuestAgent old = agent;
                agent = null;
                if (old != null) {
                    old.close();
                }
            }
            if (!(exit instanceof MachineExit.Reset) || quitting) {
                return exit;
            }
        }
    }

    /**
     * Copies the kernel and initrd that the first disk's {@code /vmlinuz} and {@code /initrd.img}
     * name to the definition's boot paths. When the disk cannot say (its journal needs recovery
     * after a guest that was killed, or the links are gone), the files of the last boot are booted
     * again, and the log says why.
     */
    private void loadBootFilesFromDisk(VmDefinition definition) throws IOException {
        VmDefinition.Disk first = definition.disks().getFirst();
        Path kernel = Path.of(definition.boot().kernel());
        Path initrd = Path.of(definition.boot().initrd());
        try (BlockDevice disk = ImageFormats.open(files.dir().resolve(first.file()), ImageFormats.byName(first.format()),
                OpenOptions.forReading())) {
            DiskBoot.Found found = DiskBoot.extract(disk, kernel, initrd, definition.memoryBytes());
            log.println("jvirt: booting " + found.kernel() + " and " + found.initrd() + " from " + first.file());
        } catch (Ext4Exception e) {
            if (!Files.isRegularFile(kernel) || !Files.isRegularFile(initrd)) {
                throw new IOException(first.file() + ": " + e.getMessage() + "; the VM has no kernel to boot", e);
            }
            log.println("jvirt: " + first.file() + ": " + e.getMessage() + "; booting the kernel and initrd of the last boot");
        }
    }

    private JsonNode handle(String command, JsonNode arguments) throws ControlException {
        VirtBoard current = board;
        switch (command) {
            case "query-status" -> {
                String status = current == null ? "starting" : current.paused() ? "paused" : "running";
                return JSON.createObjectNode().put("status", status).put("running", "running".equals(status))
                        .put("pid", ProcessHandle.current().pid()).put("boots", boots);
            }
            case "stop" -> {
                try {
                    requireBoard(current).pause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ControlException("GenericError", "interrupted while pausing");
                }
                return null;
            }
            case "cont" -> {
                requireBoard(current).resume();
                return null;
            }
            case "quit" -> {
                quitting = true;
                requireBoard(current).quit();
                return null;
            }
            case "guest-agent" -> {
                return agentCommand(arguments);
            }
            default -> throw new ControlException("CommandNotFound", "the command " + command + " has not been found");
        }
    }

    private JsonNode agentCommand(JsonNode arguments) throws ControlException {
        JsonNode command = arguments.path("command");
        if (!command.isObject() || !command.path("execute").isTextual()) {
            throw new ControlException("GenericError", "guest-agent needs \"command\": {\"execute\": NAME, …}");
        }
        int timeout = arguments.path("timeout").asInt(30);
        if (timeout < 1 || timeout > MAX_AGENT_TIMEOUT_S) {
            throw new ControlException("GenericError", "\"timeout\" must be from 1 to " + MAX_AGENT_TIMEOUT_S + " seconds");
        }
        GuestAgent channel = agent;
        if (channel == null) {
            throw new ControlException("AgentUnavailable", "this VM has no guest agent channel (it is not running)");
        }
        try {
            JsonNode result = channel.execute((ObjectNode) command, Duration.ofSeconds(timeout));
            return result == null ? JSON.nullNode() : result;
        } catch (AgentException e) {
            throw new ControlException(e.errorClass(), e.getMessage());
        }
    }

    private static VirtBoard requireBoard(VirtBoard current) throws ControlException {
        if (current == null) {
            throw new ControlException("GenericError", "the machine is not running yet");
        }
        return current;
    }

    /** The board a definition describes: its boot files, disks, NIC with its forwards, and the agent's port. */
    private BoardConfig config(VmDefinition definition) throws IOException {
        VmDefinition.Boot boot = definition.boot();
        GuestImage guest = boot.usesImageFiles() ? GuestImages.cached(definition.image(), cacheRoot).orElseThrow(() ->
                new IOException("the guest image '" + definition.image() + "' is not in the cache; run 'jvirt image pull "
                        + definition.image() + "'")) : null;
        boolean ownKernel = boot.kernel() != null;
        Path firmware = boot.firmware() != null ? Path.of(boot.firmware()) : guest.firmware();
        Path kernel = ownKernel ? Path.of(boot.kernel()) : guest.kernel();
        Path initrd = ownKernel ? (boot.initrd() == null ? null : Path.of(boot.initrd())) : guest.initrd();
        String append = boot.append() != null ? boot.append() : ownKernel ? "" : guest.defaultAppend();
        List<Drive> drives = new ArrayList<>();
        for (VmDefinition.Disk disk : definition.disks()) {
            Path file = files.dir().resolve(disk.file());
            drives.add(new Drive(file, ImageFormats.byName(disk.format()), disk.readOnly(), false, ""));
        }
        List<Nic> nics = new ArrayList<>();
        if (!definition.network().equals(VmDefinition.NO_NETWORK)) {
            // The VM's name is the host name the NAT's DHCP gives the guest, unless the definition names one.
            String network = definition.network().contains(",hostname=") ? definition.network()
                    : definition.network() + ",hostname=" + name;
            NatConfig nat = VmDefinition.natConfig(network, definition.forwards());
            nics.add(new Nic(MacAddress.parse(definition.mac()),
                    () -> new UserNetwork(nat, line -> log.println("jvirt: net: " + line))));
        }
        return new BoardConfig(definition.memoryBytes(), definition.cpus(), Isa.SATP_SV48, firmware, kernel, initrd, append)
                .withNics(nics).withDrives(drives).withPorts(List.of(GuestAgent.PORT_NAME));
    }
}
