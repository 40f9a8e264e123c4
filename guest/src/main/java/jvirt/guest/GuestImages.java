package jvirt.guest;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jvirt.guest.cloud.CloudRecipe;
import jvirt.guest.debian.AptSources;
import jvirt.guest.debian.DebianMirror;
import jvirt.guest.debian.MirrorLocator;
import jvirt.guest.debian.PackageStanza;
import jvirt.guest.debian.PackagesIndex;
import jvirt.guest.debian.Sha256;

/**
 * The guest images jvirt can boot: which exist, which are cached, and pulling one. Pulling
 * downloads Debian packages from the host's Debian mirror (see {@link AptSources}), checks them
 * against the archive's SHA256s, and builds the image from them in Java.
 */
public final class GuestImages {
    /** The image jvirt boots unless told otherwise. */
    public static final String DEFAULT_IMAGE = DebianRecipe.IMAGE;

    private GuestImages() {
    }

    /** The names of the images that can be pulled. */
    public static List<String> available() {
        return List.of(DebianRecipe.IMAGE, CloudRecipe.IMAGE);
    }

    /** {@code $JVIRT_CACHE}, else {@code $XDG_CACHE_HOME/jvirt}, else {@code ~/.cache/jvirt}. */
    public static Path cacheRoot() {
        return cacheRoot(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static Path cacheRoot(Map<String, String> environment, Path home) {
        String jvirtCache = environment.get("JVIRT_CACHE");
        if (jvirtCache != null && !jvirtCache.isBlank()) {
            return Path.of(jvirtCache);
        }
        String xdgCache = environment.get("XDG_CACHE_HOME");
        if (xdgCache != null && Path.of(xdgCache).isAbsolute()) { // the XDG spec says to ignore a relative one
            return Path.of(xdgCache, "jvirt");
        }
        return home.resolve(".cache").resolve("jvirt");
    }

    /** The image, if it is in the cache complete and current; never touches the network. */
    public static Optional<GuestImage> cached(String name, Path cacheRoot) {
        requireKnown(name);
        ImageCache cache = new ImageCache(cacheRoot);
        return name.equals(CloudRecipe.IMAGE) ? cache.completeCloud(name) : cache.complete(name);
    }

    /** The base disks that earlier builds of the cloud image left in the cache, oldest first: VMs made then may still use them. */
    public static List<Path> earlierCloudBases(Path cacheRoot) throws IOException {
        return new ImageCache(cacheRoot).earlierBases(CloudRecipe.IMAGE);
    }

    /**
     * Makes image {@code name} complete in the cache and returns it. A complete image is returned at
     * once. Otherwise the packages named by the image's last manifest are used again (from the
     * download cache when they are there, so a rebuild for a new recipe needs no network), or, with
     * {@code refresh} or without a manifest, chosen afresh from the mirror's current indexes.
     *
     * @throws IllegalArgumentException if no image has that name
     * @throws IOException with a one-line message saying what failed and what to do
     */
    public static GuestImage pull(String name, Path cacheRoot, boolean refresh, Progress progress) throws IOException {
        return pull(name, cacheRoot, refresh, progress, AptSources::hostMirror);
    }

    static GuestImage pull(String name, Path cacheRoot, boolean refresh, Progress progress, MirrorLocator mirrors)
            throws IOException {
        requireKnown(name);
        if (name.equals(CloudRecipe.IMAGE)) {
            return pullCloud(CloudRecipe.debian13(), cacheRoot, refresh, progress, mirrors);
        }
        ImageCache cache = new ImageCache(cacheRoot);
        if (!refresh) {
            Optional<GuestImage> ready = cache.complete(name);
            if (ready.isPresent()) {
                return ready.get();
            }
        }
        try (ImageCache.Lock _ = cache.lock(name, progress); LazyMirror mirror = new LazyMirror(mirrors)) {
            Optional<GuestImage> ready = cache.complete(name);
            if (ready.isPresent() && !refresh) {
                return ready.get(); // another pull finished it while this one waited
            }
            Optional<ImageManifest> previous = cache.manifest(name);
            boolean resolved = refresh || previous.isEmpty();
            DebianRecipe.Packages packages = resolved ? resolve(mirror.get(), progress) : previous.get().packages();
            if (ready.isPresent() && previous.get().packages().equals(packages)) {
                return ready.get(); // refreshed, and nothing changed
            }
            Map<PackageStanza, Path> debs;
            try {
                debs = fetchAll(cache, packages, mirror, progress);
            } catch (FileNotFoundException superseded) {
                if (resolved) {
                    throw superseded;
                }
                packages = resolve(mirror.get(), progress); // the mirror dropped the versions the manifest named
                debs = fetchAll(cache, packages, mirror, progress);
            }
            cache.invalidate(name);
            DebianRecipe.build(packages, debs::get, cache.parts(name), progress);
            return cache.commit(name, packages);
        }
    }

    /**
     * The cloud image: built, when it is not in the cache (or with {@code refresh}), by debootstrap
     * from the mirror as it is now, its second stage in a machine that boots the default image.
     */
    private static GuestImage pullCloud(CloudRecipe recipe, Path cacheRoot, boolean refresh, Progress progress,
            MirrorLocator mirrors) throws IOException {
        ImageCache cache = new ImageCache(cacheRoot);
        Optional<GuestImage> ready = cache.completeCloud(recipe.name());
        if (ready.isPresent() && !refresh) {
            return ready.get();
        }
        GuestImage builder = pull(DEFAULT_IMAGE, cacheRoot, false, progress, mirrors);
        try (ImageCache.Lock _ = cache.lock(recipe.name(), progress)) {
            ready = cache.completeCloud(recipe.name());
            if (ready.isPresent() && !refresh) {
                return ready.get(); // another pull finished it while this one waited
            }
            cache.invalidate(recipe.name());
            Path directory = cache.imageDirectory(recipe.name());
            String kernelVersion = recipe.build(builder, mirrors.locate(), AptSources.hostSecurityMirror(),
                    directory.resolve("build"), directory.resolve(ImageCache.BUILD_LOG), cache.cloudParts(recipe.name()), progress);
            return cache.commitCloud(recipe.name(), kernelVersion, recipe.append());
        }
    }

    private static DebianRecipe.Packages resolve(DebianMirror mirror, Progress progress) throws IOException {
        PackagesIndex index = mirror.packages(mirror.release(DebianRecipe.SUITE), DebianRecipe.COMPONENT,
                DebianRecipe.ARCHITECTURES, progress);
        return DebianRecipe.resolve(index);
    }

    private static Map<PackageStanza, Path> fetchAll(ImageCache cache, DebianRecipe.Packages packages, LazyMirror mirror,
            Progress progress) throws IOException {
        Map<PackageStanza, Path> debs = new HashMap<>();
        for (PackageStanza pkg : packages.all()) {
            debs.put(pkg, fetch(cache, pkg, mirror, progress));
        }
        return debs;
    }

    /** The package's .deb from the download cache if it is there intact, else from the mirror. */
    private static Path fetch(ImageCache cache, PackageStanza pkg, LazyMirror mirror, Progress progress) throws IOException {
        Path deb = cache.download(pkg);
        if (Files.isRegularFile(deb) && Files.size(deb) == pkg.file().size() && Sha256.of(deb).equals(pkg.file().sha256())) {
            return deb;
        }
        Files.createDirectories(deb.getParent());
        mirror.get().download(pkg.file(), deb, "fetching " + pkg.name(), progress);
        return deb;
    }

    private static void requireKnown(String name) {
        if (!available().contains(name)) {
            throw new IllegalArgumentException("unknown image '" + name + "'; available: " + String.join(", ", available()));
        }
    }

    /** The mirror, found and connected to only once a pull turns out to need the network. */
    private static final class LazyMirror implements AutoCloseable {
        private final MirrorLocator locator;
        private DebianMirror mirror;

        LazyMirror(MirrorLocator locator) {
            this.locator = locator;
        }

        DebianMirror get() throws IOException {
            if (mirror == null) {
                mirror = new DebianMirror(locator.locate());
            }
            return mirror;
        }

        @Override
        public void close() {
            if (mirror != null) {
                mirror.close();
            }
        }
    }
}
