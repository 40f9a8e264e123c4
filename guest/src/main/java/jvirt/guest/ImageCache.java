package jvirt.guest;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import jvirt.guest.cloud.CloudRecipe;
import jvirt.guest.debian.PackageStanza;

/**
 * The on-disk cache:
 * <pre>
 * ROOT/images/NAME/vmlinux, initrd.cpio, fw_dynamic.bin, image.properties, .lock
 * ROOT/images/NAME/base-MILLIS.qcow2, vmlinux, initrd.img, fw_dynamic.bin, image.properties, build.log, .lock  (a cloud image)
 * ROOT/downloads/SHA256.deb
 * </pre>
 * Every file is written as {@code FILE.part} and renamed into place; the manifest goes last and is
 * removed first when an image is rebuilt, so a pull killed at any point leaves either a complete
 * image or none. Pulls of one image take turns through a file lock on {@code .lock} (and, within one
 * JVM, a lock object, since file locks are per process).
 */
final class ImageCache {
    static final String KERNEL = "vmlinux";
    static final String INITRD = "initrd.cpio";
    static final String FIRMWARE = "fw_dynamic.bin";
    static final String MANIFEST = "image.properties";
    static final List<String> FILES = List.of(KERNEL, INITRD, FIRMWARE);
    /** A cloud image's initramfs, as Debian names it in /boot (it is compressed, unlike jvirt's own). */
    static final String BOOT_INITRD = "initrd.img";
    static final List<String> CLOUD_BOOT_FILES = List.of(KERNEL, BOOT_INITRD, FIRMWARE);
    /** The manifest's name for the cloud image's current base disk, {@code base-MILLIS.qcow2}. */
    private static final String BASE_PROPERTY = "disk.file";
    private static final String BASE_PART = "base.qcow2.part";
    static final String BUILD_LOG = "build.log";

    private static final String PART = ".part";
    private static final Map<Path, ReentrantLock> LOCKS_IN_THIS_JVM = new ConcurrentHashMap<>();

    private final Path root;

    ImageCache(Path root) {
        this.root = root;
    }

    Path imageDirectory(String name) {
        return root.resolve("images").resolve(name);
    }

    /** Where the .deb of {@code pkg} is kept, named by its SHA256. */
    Path download(PackageStanza pkg) {
        return root.resolve("downloads").resolve(pkg.file().sha256() + ".deb");
    }

    /** The manifest of {@code name}, if there is a readable one (of any recipe version). */
    Optional<ImageManifest> manifest(String name) {
        try {
            return properties(name).map(ImageManifest::fromProperties);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // unreadable counts as absent: the image gets rebuilt
        }
    }

    private Optional<Properties> properties(String name) {
        Path file = imageDirectory(name).resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
            return Optional.of(p);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The image, if it is complete and built by the current recipe. */
    Optional<GuestImage> complete(String name) {
        Path directory = imageDirectory(name);
        return manifest(name)
                .filter(m -> m.name().equals(name) && m.recipe() == DebianRecipe.VERSION)
                .filter(m -> FILES.stream().allMatch(f -> hasSize(directory.resolve(f), m.fileSizes().get(f))))
                .map(m -> new GuestImage(name, directory.resolve(KERNEL), directory.resolve(INITRD),
                        directory.resolve(FIRMWARE), m.append(), m.kernelVersion()));
    }

    /** Where a build writes before {@link #commit}. */
    DebianRecipe.Outputs parts(String name) {
        Path directory = imageDirectory(name);
        return new DebianRecipe.Outputs(directory.resolve(KERNEL + PART), directory.resolve(INITRD + PART),
                directory.resolve(FIRMWARE + PART));
    }

    /** The cloud image {@code name}, if it is complete and built by the current recipe. */
    Optional<GuestImage> completeCloud(String name) {
        Path directory = imageDirectory(name);
        return properties(name)
                .filter(p -> name.equals(p.getProperty("image.name"))
                        && Integer.toString(CloudRecipe.VERSION).equals(p.getProperty("image.recipe"))
                        && p.getProperty("kernel.version") != null && p.getProperty("kernel.append") != null
                        && p.getProperty(BASE_PROPERTY, "").matches("base-[0-9]+\\.qcow2"))
                .filter(p -> Stream.concat(Stream.of(p.getProperty(BASE_PROPERTY)), CLOUD_BOOT_FILES.stream())
                        .allMatch(f -> hasSize(directory.resolve(f), size(p, f))))
                .map(p -> new GuestImage(name, directory.resolve(KERNEL), directory.resolve(BOOT_INITRD),
                        directory.resolve(FIRMWARE), p.getProperty("kernel.append"), p.getProperty("kernel.version"),
                        directory.resolve(p.getProperty(BASE_PROPERTY))));
    }

    private static Long size(Properties p, String file) {
        try {
            return Long.valueOf(p.getProperty("file." + file + ".size", ""));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Where a cloud image's build writes before {@link #commitCloud}. */
    CloudRecipe.Outputs cloudParts(String name) {
        Path directory = imageDirectory(name);
        return new CloudRecipe.Outputs(directory.resolve(BASE_PART), directory.resolve(KERNEL + PART),
                directory.resolve(BOOT_INITRD + PART), directory.resolve(FIRMWARE + PART));
    }

    /**
     * Moves a cloud image's built files into place, then writes the manifest that makes it complete.
     * The base disk gets a name of its own, never reused: the VMs made from an earlier build keep
     * their backing file, unchanged, when the image is built again.
     */
    GuestImage commitCloud(String name, String kernelVersion, String append) throws IOException {
        Path directory = imageDirectory(name);
        String base = "base-" + System.currentTimeMillis() + ".qcow2";
        Files.move(directory.resolve(BASE_PART), directory.resolve(base + PART), StandardCopyOption.ATOMIC_MOVE);
        Properties manifest = new Properties();
        manifest.setProperty("image.name", name);
        manifest.setProperty("image.recipe", Integer.toString(CloudRecipe.VERSION));
        manifest.setProperty("kernel.version", kernelVersion);
        manifest.setProperty("kernel.append", append);
        manifest.setProperty(BASE_PROPERTY, base);
        commitFiles(name, Stream.concat(Stream.of(base), CLOUD_BOOT_FILES.stream()).toList(), manifest);
        return completeCloud(name).orElseThrow(() -> new IOException("the image just written to "
                + directory + " is incomplete"));
    }

    /** The base disks earlier builds of cloud image {@code name} left (every one but the current image's), oldest first. */
    List<Path> earlierBases(String name) throws IOException {
        Path directory = imageDirectory(name);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        Optional<Path> current = completeCloud(name).flatMap(GuestImage::baseDisk);
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().matches("base-[0-9]+\\.qcow2"))
                    .filter(f -> current.map(c -> !c.equals(f)).orElse(true))
                    .sorted().toList();
        }
    }

    /** Marks the image incomplete before its files are replaced. */
    void invalidate(String name) throws IOException {
        Files.deleteIfExists(imageDirectory(name).resolve(MANIFEST));
    }

    /** Moves the built files into place, then writes the manifest that makes the image complete. */
    GuestImage commit(String name, DebianRecipe.Packages packages) throws IOException {
        Path directory = imageDirectory(name);
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (String file : FILES) {
            sizes.put(file, Files.size(directory.resolve(file + PART)));
        }
        ImageManifest manifest = new ImageManifest(name, DebianRecipe.VERSION, packages.kernelVersion(),
                DebianRecipe.APPEND, packages, sizes);
        commitFiles(name, FILES, manifest.toProperties());
        return complete(name).orElseThrow(() -> new IOException("the image just written to " + directory + " is incomplete"));
    }

    /** Moves each of {@code files} from its part into place, then writes {@code manifest} with their sizes, last. */
    private void commitFiles(String name, List<String> files, Properties manifest) throws IOException {
        Path directory = imageDirectory(name);
        for (String file : files) {
            Path part = directory.resolve(file + PART);
            manifest.setProperty("file." + file + ".size", Long.toString(Files.size(part)));
            moveIntoPlace(part, directory.resolve(file));
        }
        Path part = directory.resolve(MANIFEST + PART);
        try (Writer out = Files.newBufferedWriter(part)) {
            manifest.store(out, "jvirt guest image; written last: while it exists, the image is complete");
        }
        moveIntoPlace(part, directory.resolve(MANIFEST));
    }

    /** Waits for, then holds, the right to change image {@code name}. */
    Lock lock(String name, Progress progress) throws IOException {
        Path directory = imageDirectory(name);
        try {
            Files.createDirectories(directory);
        } catch (FileSystemException e) {
            String reason = e instanceof AccessDeniedException ? "permission denied"
                    : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
            throw new IOException("cannot write to the image cache " + root + " (" + reason + " at " + e.getFile()
                    + "); set JVIRT_CACHE to a writable directory", e);
        }
        Path file = directory.resolve(".lock").toAbsolutePath().normalize();
        ReentrantLock inThisJvm = LOCKS_IN_THIS_JVM.computeIfAbsent(file, f -> new ReentrantLock());
        if (!inThisJvm.tryLock()) {
            waitingFor(name, progress, () -> {
                inThisJvm.lock();
                return inThisJvm;
            });
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                lock = waitingFor(name, progress, channel::lock);
            }
            return new Lock(inThisJvm, channel, lock);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            inThisJvm.unlock();
            throw e;
        }
    }

    private interface Wait<T> {
        T get() throws IOException;
    }

    /** Blocks in {@code wait}, telling the user why nothing happens meanwhile. */
    private static <T> T waitingFor(String name, Progress progress, Wait<T> wait) throws IOException {
        progress.begin("waiting for another pull of " + name + " to finish", -1);
        try {
            return wait.get();
        } finally {
            progress.done();
        }
    }

    /** Held while an image is being changed; closing releases it. */
    static final class Lock implements AutoCloseable {
        private final ReentrantLock inThisJvm;
        private final FileChannel channel;
        private final FileLock fileLock;

        private Lock(ReentrantLock inThisJvm, FileChannel channel, FileLock fileLock) {
            this.inThisJvm = inThisJvm;
            this.channel = channel;
            this.fileLock = fileLock;
        }

        @Override
        public void close() throws IOException {
            try {
                fileLock.release();
                channel.close();
            } finally {
                inThisJvm.unlock();
            }
        }
    }

    /** Flushes {@code part} to the disk, then renames it over {@code target} in one step. */
    static void moveIntoPlace(Path part, Path target) throws IOException {
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean hasSize(Path file, Long size) {
        try {
            return size != null && Files.isRegularFile(file) && Files.size(file) == size;
        } catch (IOException e) {
            return false;
        }
    }
}
