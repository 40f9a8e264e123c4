package jvirt.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import jvirt.guest.cloud.CloudRecipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache's side of the cloud image: complete only with every file as the manifest says, and a base disk never reused. */
class CloudImageCacheTest {
    private static final String IMAGE = CloudRecipe.IMAGE;

    @TempDir
    Path root;

    private GuestImage build(ImageCache cache, String disk) throws Exception {
        CloudRecipe.Outputs parts = cache.cloudParts(IMAGE);
        Files.createDirectories(parts.disk().getParent());
        Files.writeString(parts.disk(), disk);
        Files.writeString(parts.kernel(), "kernel");
        Files.writeString(parts.initrd(), "initrd");
        Files.writeString(parts.firmware(), "opensbi");
        return cache.commitCloud(IMAGE, "6.12.57+deb13-riscv64", "root=LABEL=jvirt-root ro console=ttyS0");
    }

    @Test
    void aCommittedImageIsCompleteWithItsBaseDiskAndBootFiles() throws Exception {
        ImageCache cache = new ImageCache(root);
        assertThat(cache.completeCloud(IMAGE)).isEmpty();

        GuestImage image = build(cache, "first");

        assertThat(image.baseDisk()).isPresent();
        assertThat(image.baseDisk().get().getFileName().toString()).matches("base-[0-9]+\\.qcow2");
        assertThat(Files.readString(image.baseDisk().get())).isEqualTo("first");
        assertThat(Files.readString(image.kernel())).isEqualTo("kernel");
        assertThat(image.initrd().getFileName().toString()).isEqualTo("initrd.img");
        assertThat(image.kernelVersion()).isEqualTo("6.12.57+deb13-riscv64");
        assertThat(image.defaultAppend()).isEqualTo("root=LABEL=jvirt-root ro console=ttyS0");
        assertThat(GuestImages.cached(IMAGE, root)).contains(image);
        assertThat(cache.complete(IMAGE)).as("not mistaken for the default image's kind").isEmpty();
    }

    @Test
    void aRebuildLeavesTheOldBaseDiskForTheVmsThatOverlayIt() throws Exception {
        ImageCache cache = new ImageCache(root);
        GuestImage first = build(cache, "first");
        Thread.sleep(2); // base names are made of milliseconds

        GuestImage second = build(cache, "second");

        assertThat(second.baseDisk()).isNotEqualTo(first.baseDisk());
        assertThat(Files.readString(first.baseDisk().get())).isEqualTo("first");
        assertThat(Files.readString(second.baseDisk().get())).isEqualTo("second");
        assertThat(cache.completeCloud(IMAGE)).contains(second);
        assertThat(cache.earlierBases(IMAGE)).as("what image prune may remove").containsExactly(first.baseDisk().get());
    }

    @Test
    void aDamagedFileOrAnotherRecipeMakesTheImageIncomplete() throws Exception {
        ImageCache cache = new ImageCache(root);
        GuestImage image = build(cache, "disk");
        Files.writeString(image.initrd(), "truncated?");
        assertThat(cache.completeCloud(IMAGE)).isEmpty();

        image = build(cache, "disk");
        Path manifest = image.kernel().resolveSibling("image.properties");
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(manifest)) {
            p.load(in);
        }
        p.setProperty("image.recipe", Integer.toString(CloudRecipe.VERSION + 1));
        try (Writer out = Files.newBufferedWriter(manifest)) {
            p.store(out, null);
        }
        assertThat(cache.completeCloud(IMAGE)).isEmpty();
    }
}
