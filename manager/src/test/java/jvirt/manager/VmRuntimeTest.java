package jvirt.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import jvirt.manager.control.ControlServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** State truth without a guest: what the files and the run lock say, and what is not trusted. */
class VmRuntimeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path root;

    private VmName create(VmStore store, String name) throws Exception {
        store.create(new VmDefinition(name, 1, 256L << 20, "debian-13-riscv64", List.of(), "52:54:00:00:00:01", List.of()));
        return new VmName(name);
    }

    @Test
    void aVmNobodyRunsIsStopped() throws Exception {
        VmStore store = new VmStore(root);
        VmRuntime runtime = new VmRuntime(store);
        VmName vm = create(store, "idle");
        assertThat(runtime.status(vm)).isEqualTo(new VmStatus(vm, VmState.STOPPED, -1, ""));
        assertThatThrownBy(() -> runtime.control(vm)).hasMessageContaining("VM 'idle' is not running");
        assertThatThrownBy(() -> runtime.status(new VmName("ghost"))).hasMessageContaining("there is no VM named 'ghost'");
    }

    @Test
    void aPidFileWithoutItsLockIsACrashNotARunningVm() throws Exception {
        VmStore store = new VmStore(root);
        VmName vm = create(store, "killed");
        Path dir = store.directory(vm);
        Files.writeString(dir.resolve("vm.pid"), ProcessHandle.current().pid() + "\n"); // a live pid, even
        Files.createFile(dir.resolve("run.lock"));
        Files.createFile(dir.resolve("control.sock"));
        VmStatus status = new VmRuntime(store).status(vm);
        assertThat(status.state()).isEqualTo(VmState.CRASHED);
        assertThat(status.reason()).contains("ended without powering the guest off");
    }

    @Test
    void aFaultRecordedByTheProcessIsTheReason() throws Exception {
        VmStore store = new VmStore(root);
        VmName vm = create(store, "faulted");
        Files.writeString(store.directory(vm).resolve("crashed"), "emulator fault on jvirt-vcpu0: boom\nhart state\n");
        VmStatus status = new VmRuntime(store).status(vm);
        assertThat(status.state()).isEqualTo(VmState.CRASHED);
        assertThat(status.reason()).isEqualTo("emulator fault on jvirt-vcpu0: boom");
    }

    @Test
    void theRunLockHeldMeansRunningAsTheControlSocketTellsOrStartingBeforeItServes() throws Exception {
        VmStore store = new VmStore(root);
        VmRuntime runtime = new VmRuntime(store);
        VmName vm = create(store, "live");
        Path dir = store.directory(vm);
        try (FileChannel channel = FileChannel.open(dir.resolve("run.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = channel.lock()) {
            assertThat(runtime.status(vm).state()).isEqualTo(VmState.STARTING);
            assertThat(runtime.awaitStopped(vm, Duration.ofMillis(200))).isFalse();
            try (ControlServer control = ControlServer.open(dir.resolve("control.sock"),
                    (command, arguments) -> JSON.createObjectNode().put("status", "paused"))) {
                assertThat(runtime.status(vm).state()).isEqualTo(VmState.PAUSED);
            }
        }
        assertThat(runtime.awaitStopped(vm, Duration.ofMillis(200))).isTrue();
        assertThat(runtime.status(vm).state()).isEqualTo(VmState.STOPPED);
    }
}
