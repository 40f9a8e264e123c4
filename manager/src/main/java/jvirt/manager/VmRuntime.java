package jvirt.manager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import jvirt.manager.control.ControlClient;
import jvirt.manager.control.ControlException;

/**
 * Finds out what the VMs of a {@link VmStore} are doing and changes it: starts a VM's process
 * in the background, stops it through the guest agent or at once, and tells a crashed VM from a
 * stopped one. Nothing here trusts a pid or socket file alone: a VM runs while its process holds
 * {@code run.lock}, which the kernel releases when the process dies, however it dies.
 */
public final class VmRuntime {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration QUERY = Duration.ofSeconds(5);
    private static final Duration QUIT_WAIT = Duration.ofSeconds(15);
    private static final long POLL_MS = 100;

    private final VmStore store;

    public VmRuntime(VmStore store) {
        this.store = store;
    }

    private RuntimeFiles files(VmName name) {
        return new RuntimeFiles(store.directory(name));
    }

    /** What the VM is doing now. */
    public VmStatus status(VmName name) throws IOException {
        store.load(name); // an unknown VM is an error, not "stopped"
        RuntimeFiles files = files(name);
        long pid = readPid(files);
        if (processRunning(files)) {
            try (ControlClient control = ControlClient.connect(files.control())) {
                String status = control.call("query-status", null, QUERY).path("status").asText();
                VmState state = switch (status) {
                    case "running" -> VmState.RUNNING;
                    case "paused" -> VmState.PAUSED;
                    default -> VmState.STARTING;
                };
                return new VmStatus(name, state, pid, "");
            } catch (IOException | ControlException e) {
                return new VmStatus(name, VmState.STARTING, pid, ""); // up, but not serving yet
            }
        }
        if (Files.exists(files.crashed())) {
            String why = Files.readString(files.crashed(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
            return new VmStatus(name, VmState.CRASHED, -1, why);
        }
        if (pid > 0) {
            return new VmStatus(name, VmState.CRASHED, -1, "its process (pid " + pid + ") ended without powering the guest off");
        }
        return new VmStatus(name, VmState.STOPPED, -1, "");
    }

    /** Whether a process holds the VM's run lock: a shared lock is refused while it holds its exclusive one. */
    private static boolean processRunning(RuntimeFiles files) throws IOException {
        if (!Files.exists(files.runLock())) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(files.runLock(), StandardOpenOption.READ)) {
            FileLock probe = channel.tryLock(0, Long.MAX_VALUE, true);
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // the VM runs in this very process (tests)
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static long readPid(RuntimeFiles files) throws IOException {
        try {
            return Long.parseLong(Files.readString(files.pid(), StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException | NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Starts the VM's process ({@code command}, which runs {@link ManagedVm}) detached, its output
     * appended to {@code vm.log}, and returns once its guest runs; the caller holds the VM's lock.
     * A stopped or crashed VM starts; the stale files of a crash are cleared first.
     */
    public long start(VmLock lock, VmName name, List<String> command, Duration timeout) throws IOException, InterruptedException {
        VmStatus now = status(name);
        if (now.state().active()) {
            throw new IOException("VM '" + name + "' is already " + now.state() + " (pid " + now.pid() + ")");
        }
        RuntimeFiles files = files(name);
        for (Path stale : List.of(files.pid(), files.crashed(), files.control(), files.console())) {
            Files.deleteIfExists(stale);
        }
        long logStart = Files.exists(files.processLog()) ? Files.size(files.processLog()) : 0;
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.processLog().toFile()))
                .redirectErrorStream(true)
                .start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("VM '" + name + "' did not start: " + lastError(files.processLog(), logStart));
            }
            VmState state = status(name).state();
            if (state == VmState.RUNNING || state == VmState.PAUSED) {
                return process.pid();
            }
            if (System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                throw new IOException("VM '" + name + "' did not start within " + timeout.toSeconds() + " s; see "
                        + files.processLog());
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** The last line the VM's process wrote since {@code from}: its one-line error. */
    private static String lastError(Path log, long from) throws IOException {
        if (!Files.exists(log)) {
            return "its process ended";
        }
        byte[] all = Files.readAllBytes(log);
        String text = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                StandardCharsets.UTF_8);
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            return "its process ended (see " + log + ")";
        }
        String last = lines.getLast();
        return last.startsWith("jvirt: ") ? last.substring("jvirt: ".length()) : last + " (see " + log + ")";
    }

    /** A connection to a running VM's control socket. */
    public ControlClient control(VmName name) throws IOException {
        VmStatus now = status(name);
        if (!now.state().active()) {
            throw new IOException("VM '" + name + "' is not running ('jvirt vm start " + name + "' starts it)");
        }
        return ControlClient.connect(files(name).control());
    }

    /** Runs one guest agent command in a running VM and returns its result. */
    public JsonNode agent(VmName name, ObjectNode command, Duration timeout) throws IOException, ControlException {
        ObjectNode arguments = JSON.createObjectNode();
        arguments.set("command", command);
        arguments.put("timeout", Math.max(1, timeout.toSeconds()));
        try (ControlClient control = control(name)) {
            return control.call("guest-agent", arguments, timeout.plusSeconds(5));
        }
    }

    /**
     * Stops a running VM: unless {@code force}, asks its guest to power off through the agent
     * (resuming it first if paused) and waits up to {@code timeout}; then, or when the agent does
     * not answer, powers it off at once; a process that does not go is killed. The caller holds
     * the VM's lock.
     */
    public void stop(VmLock lock, VmName name, boolean force, Duration timeout, Consumer<String> progress)
            throws IOException, InterruptedException {
        VmStatus now = status(name);
        if (!now.state().active()) {
            throw new IOException("VM '" + name + "' is not running (it is " + now.state() + ")");
        }
        if (!force) {
            if (now.state() == VmState.PAUSED) {
                try (ControlClient control = ControlClient.connect(files(name).control())) {
                    control.call("cont", null, QUERY); // a paused guest's agent cannot answer
                } catch (ControlException e) {
                    throw new IOException("VM '" + name + "' could not be resumed to shut down: " + e.getMessage(), e);
                }
            }
            ObjectNode shutdown = JSON.createObjectNode().put("execute", "guest-shutdown");
            shutdown.putObject("arguments").put("mode", "powerdown");
            try {
                agent(name, shutdown, timeout);
                if (awaitStopped(name, timeout)) {
                    return;
                }
                progress.accept("the guest did not power off within " + timeout.toSeconds() + " s; powering it off");
            } catch (ControlException | IOException e) {
                progress.accept(e.getMessage() + "; powering it off");
            }
        }
        try (ControlClient control = ControlClient.connect(files(name).control())) {
            control.call("quit", null, QUERY);
        } catch (IOException | ControlException e) {
            // Not answering, or gone while answering: the wait below tells.
        }
        if (awaitStopped(name, QUIT_WAIT)) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(now.pid());
        if (process.isPresent()) {
            progress.accept("the VM's process (pid " + now.pid() + ") did not end; killing it");
            process.get().destroyForcibly();
        }
        if (!awaitStopped(name, QUIT_WAIT)) {
            throw new IOException("VM '" + name + "' (pid " + now.pid() + ") could not be stopped");
        }
        RuntimeFiles files = files(name);
        for (Path stale : List.of(files.pid(), files.control(), files.console())) {
            Files.deleteIfExists(stale); // it was told to go; a kill is not a crash
        }
    }

    /** Waits until no process runs the VM. */
    public boolean awaitStopped(VmName name, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeFiles files = files(name);
        while (processRunning(files)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(POLL_MS);
        }
        return true;
    }

    /** Where the VM's console log and process log are. */
    public Path consoleLog(VmName name) {
        return files(name).consoleLog();
    }

    public Path processLog(VmName name) {
        return files(name).processLog();
    }

    public Path consoleSocket(VmName name) {
        return files(name).console();
    }
}
