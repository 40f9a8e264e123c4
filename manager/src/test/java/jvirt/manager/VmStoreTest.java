package jvirt.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmStoreTest {
    @TempDir
    Path root;

    private static VmDefinition web(String name) {
        return new VmDefinition(name, 2, 1L << 30, "debian-13-riscv64",
                List.of(new VmDefinition.Disk("disk.qcow2", "qcow2")), "52:54:00:ab:cd:ef", List.of("tcp::8080-:80"));
    }

    @Test
    void theRootFollowsJvirtHomeThenXdgThenHome() {
        assertThat(VmStore.root(Map.of("JVIRT_HOME", "/j", "XDG_DATA_HOME", "/x", "HOME", "/h"))).isEqualTo(Path.of("/j"));
        assertThat(VmStore.root(Map.of("XDG_DATA_HOME", "/x", "HOME", "/h"))).isEqualTo(Path.of("/x/jvirt"));
        assertThat(VmStore.root(Map.of("XDG_DATA_HOME", "relative", "HOME", "/h")))
                .isEqualTo(Path.of("/h/.local/share/jvirt"));
        assertThat(VmStore.root(Map.of("HOME", "/h"))).isEqualTo(Path.of("/h/.local/share/jvirt"));
    }

    @Test
    void aDefinitionRoundTripsThroughItsJsonFile() throws Exception {
        VmStore store = new VmStore(root);
        store.create(web("web-01"));
        assertThat(store.load(new VmName("web-01"))).isEqualTo(web("web-01"));
        assertThat(root.resolve("vms/web-01/vm.json")).content().contains("\"cpus\" : 2", "\"forwards\"");
        // Nothing but the definition and the lock: no temporary file is left behind.
        try (var files = Files.list(root.resolve("vms/web-01"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("vm.json", ".lock");
        }
    }

    @Test
    void aNameInUseIsRefused() throws Exception {
        VmStore store = new VmStore(root);
        store.create(web("a"));
        assertThatThrownBy(() -> store.create(web("a"))).hasMessage(
                "a VM named 'a' already exists; choose another name or delete it first");
    }

    @Test
    void namesThatCouldReachOtherPathsOrAreNoHostNamesAreRefused() {
        for (String bad : List.of("", "a/b", "..", ".", "../x", "-a", "a-", "1abc", "a b", "a\nb", "x".repeat(64), "a.b")) {
            assertThatThrownBy(() -> new VmName(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a VM name").hasMessageNotContaining("\n");
        }
        assertThat(new VmName("Web-01").value()).isEqualTo("Web-01");
        assertThat(new VmName("x".repeat(63)).value()).hasSize(63);
    }

    @Test
    void badFieldsAreRefusedWhenTheDefinitionIsMade() {
        assertThatThrownBy(() -> new VmDefinition("a", 0, 1L << 30, "i", List.of(), "52:54:00:00:00:01", List.of()))
                .hasMessageContaining("CPUs");
        assertThatThrownBy(() -> new VmDefinition("a", 1, 12345, "i", List.of(), "52:54:00:00:00:01", List.of()))
                .hasMessageContaining("memory");
        assertThatThrownBy(() -> new VmDefinition("a", 1, 1L << 30, "i", List.of(), "01:00:5e:00:00:01", List.of()))
                .hasMessageContaining("multicast");
        assertThatThrownBy(() -> new VmDefinition("a", 1, 1L << 30, "i", List.of(), "52:54:00:00:00:01",
                List.of("tcp::99999-:80"))).hasMessageContaining("99999");
    }

    @Test
    void bootFilesAndTheNetworkAreCheckedAndAnOlderFileTakesTheirDefaults() throws Exception {
        String mac = "52:54:00:00:00:01";
        VmDefinition.Boot own = new VmDefinition.Boot("/k/Image", null, null, "console=ttyS0");
        VmDefinition isolated = new VmDefinition("iso", 1, 1L << 30, "i", own, List.of(), "user,restrict=on", mac,
                List.of("tcp::2222-:22"));
        VmStore store = new VmStore(root);
        store.create(isolated);
        assertThat(store.load(new VmName("iso"))).isEqualTo(isolated);
        assertThatThrownBy(() -> new VmDefinition("a", 1, 1L << 30, "i", VmDefinition.Boot.IMAGE, List.of(), "none", mac,
                List.of("tcp::80-:80"))).hasMessageContaining("port forwards need a network");
        assertThatThrownBy(() -> new VmDefinition("a", 1, 1L << 30, "i", VmDefinition.Boot.IMAGE, List.of(), "tap0", mac,
                List.of())).hasMessageContaining("choose user[,OPTIONS] (NAT) or none");
        assertThatThrownBy(() -> new VmDefinition("a", 1, 1L << 30, "i", VmDefinition.Boot.IMAGE, List.of(), "user,bogus=1",
                mac, List.of())).hasMessageContaining("bogus");
        assertThatThrownBy(() -> new VmDefinition.Boot(null, "/initrd", null, null)).hasMessageContaining("needs a kernel");
        VmDefinition.Boot fromDisk = new VmDefinition.Boot("/vm/vmlinux", "/vm/initrd.img", "/vm/fw", "ro", true);
        VmDefinition cloud = new VmDefinition("cloud", 1, 1L << 30, "i", fromDisk, List.of(new VmDefinition.Disk("disk.qcow2",
                "qcow2")), "user", mac, List.of());
        store.create(cloud);
        assertThat(store.load(new VmName("cloud"))).isEqualTo(cloud);
        assertThatThrownBy(() -> new VmDefinition("a", 1, 1L << 30, "i", fromDisk, List.of(), "user", mac, List.of()))
                .hasMessage("booting from the disk needs a disk");
        assertThatThrownBy(() -> new VmDefinition.Boot(null, null, null, null, true)).hasMessageContaining("needs the paths");

        Files.createDirectories(root.resolve("vms/old"));
        Files.writeString(root.resolve("vms/old/vm.json"), "{\"name\": \"old\", \"cpus\": 1, \"memoryBytes\": 536870912,"
                + " \"image\": \"i\", \"disks\": [], \"mac\": \"" + mac + "\", \"forwards\": []}");
        VmDefinition old = store.load(new VmName("old"));
        assertThat(old.boot()).isEqualTo(VmDefinition.Boot.IMAGE);
        assertThat(old.network()).isEqualTo("user");
    }

    @Test
    void anUnknownVmAndABrokenDefinitionAreOneLineErrors() throws Exception {
        VmStore store = new VmStore(root);
        assertThatThrownBy(() -> store.load(new VmName("nope"))).hasMessage(
                "there is no VM named 'nope' ('jvirt vm list' shows them)");
        assertThatThrownBy(() -> store.lock(new VmName("nope"))).hasMessageContaining("there is no VM named 'nope'");
        store.create(web("b"));
        Path file = root.resolve("vms/b/vm.json");
        Files.writeString(file, "{\"name\": \"b\", \"cpus\": ");
        assertThatThrownBy(() -> store.load(new VmName("b"))).hasMessageContaining("is not valid JSON (line 1")
                .hasMessageNotContaining("\n");
        Files.writeString(file, Files.readString(file).replace("\"cpus\": ", "\"cpus\": 0}"));
        assertThatThrownBy(() -> store.load(new VmName("b"))).hasMessageContaining("not a valid VM definition")
                .hasMessageNotContaining("\n");
        Files.writeString(file, "{\"name\": \"c\", \"cpus\": 1, \"memoryBytes\": 1073741824, \"image\": \"i\","
                + " \"mac\": \"52:54:00:00:00:01\"}");
        assertThatThrownBy(() -> store.load(new VmName("b"))).hasMessageContaining("names the VM 'c'");
    }

    @Test
    void aVmIsLockedForOneCommandAtATime() throws Exception {
        VmStore store = new VmStore(root);
        store.create(web("c"));
        try (VmLock held = store.lock(new VmName("c"))) {
            assertThatThrownBy(() -> store.lock(new VmName("c"))).hasMessageContaining("VM 'c' is busy");
            store.save(held, new VmDefinition("c", 4, 2L << 30, "debian-13-riscv64", List.of(), "52:54:00:ab:cd:ef",
                    List.of()));
        }
        assertThat(store.load(new VmName("c")).cpus()).isEqualTo(4);
        try (VmLock again = store.lock(new VmName("c"))) {
            assertThat(again).isNotNull();
        }
    }

    @Test
    void listingShowsVmsInOrderAndDeletingRemovesEverything() throws Exception {
        VmStore store = new VmStore(root);
        assertThat(store.names()).isEmpty();
        store.create(web("zeta"));
        store.create(web("alpha"));
        Files.createDirectories(root.resolve("vms/.not-a-vm"));
        assertThat(store.names()).containsExactly(new VmName("alpha"), new VmName("zeta"));
        Files.writeString(store.directory(new VmName("zeta")).resolve("disk.qcow2"), "disk");
        try (VmLock lock = store.lock(new VmName("zeta"))) {
            store.delete(lock, new VmName("zeta"));
        }
        assertThat(store.names()).containsExactly(new VmName("alpha"));
        assertThat(root.resolve("vms/zeta")).doesNotExist();
    }
}
