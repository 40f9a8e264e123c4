package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jvirt.guest.cloud.CloudRecipe;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.manager.VmDefinition;
import jvirt.manager.VmStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagePruneTest {
    @TempDir
    Path dir;

    @Test
    void removesOnlyTheBasesNoVmOverlaysOrHasOpen() throws Exception {
        Path images = Files.createDirectories(dir.resolve("cache/images/" + CloudRecipe.IMAGE));
        Path used = base(images, "base-1.qcow2");
        Path open = base(images, "base-2.qcow2");
        Path unused = base(images, "base-3.qcow2");
        VmStore store = new VmStore(dir.resolve("data"));
        VmDefinition vm = new VmDefinition("old", 1, 1L << 30, CloudRecipe.IMAGE,
                List.of(new VmDefinition.Disk("disk.qcow2", "qcow2")), "52:54:00:00:00:07", List.of());
        store.create(vm);
        ImageFormats.QCOW2.create(store.directory(new jvirt.manager.VmName("old")).resolve("disk.qcow2"), 1 << 20,
                Map.of("backing_file", used.toString(), "backing_fmt", "qcow2"));

        StringWriter dry = new StringWriter();
        ImageCommand.Prune.prune(dir.resolve("cache"), store, true, new PrintWriter(dry));
        assertThat(dry.toString()).contains("would remove " + unused).contains("kept     " + used + " (VM 'old' overlays it)");
        assertThat(unused).exists();

        StringWriter out = new StringWriter();
        try (BlockDevice running = ImageFormats.open(open, ImageFormats.QCOW2, OpenOptions.forReading())) {
            ImageCommand.Prune.prune(dir.resolve("cache"), store, false, new PrintWriter(out));
        }
        assertThat(out.toString().lines()).containsExactly(
                "kept     " + used + " (VM 'old' overlays it)",
                "kept     " + open + " (a running VM has it open)",
                "removed  " + unused + " (" + jvirt.image.Sizes.human(Files.size(used)) + ")",
                jvirt.image.Sizes.human(Files.size(used)) + " freed");
        assertThat(unused).doesNotExist();
        assertThat(used).exists();
        assertThat(open).exists();
    }

    private static Path base(Path images, String name) throws Exception {
        Path base = images.resolve(name);
        ImageFormats.QCOW2.create(base, 1 << 20, Map.of());
        return base;
    }
}
