package jvirt.guest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import jvirt.guest.debian.PackageStanza;
import jvirt.guest.debian.RemoteFile;

/**
 * {@code image.properties}: what a cached image is (name, kernel version, default command line),
 * which recipe built it, from which packages (so that a rebuild needs no network), and the sizes of
 * its files. Written last, so that its presence says the image is complete.
 */
record ImageManifest(String name, int recipe, String kernelVersion, String append, DebianRecipe.Packages packages,
        Map<String, Long> fileSizes) {

    ImageManifest {
        fileSizes = Map.copyOf(fileSizes);
    }

    Properties toProperties() {
        Properties p = new Properties();
        p.setProperty("image.name", name);
        p.setProperty("image.recipe", Integer.toString(recipe));
        p.setProperty("kernel.version", kernelVersion);
        p.setProperty("kernel.append", append);
        putPackage(p, "kernel", packages.kernel());
        putPackage(p, "busybox", packages.busybox());
        putPackage(p, "firmware", packages.firmware());
        putPackage(p, "e2fsprogs", packages.e2fsprogs());
        for (int i = 0; i < packages.libraries().size(); i++) {
            putPackage(p, "library." + i, packages.libraries().get(i));
        }
        fileSizes.forEach((file, size) -> p.setProperty("file." + file + ".size", Long.toString(size)));
        return p;
    }

    /** Reads the manifest back; IllegalArgumentException if a field is missing or malformed. */
    static ImageManifest fromProperties(Properties p) {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (String file : ImageCache.FILES) {
            sizes.put(file, Long.parseLong(required(p, "file." + file + ".size")));
        }
        List<PackageStanza> libraries = new ArrayList<>();
        for (int i = 0; p.getProperty("package.library." + i + ".name") != null; i++) {
            libraries.add(getPackage(p, "library." + i));
        }
        return new ImageManifest(required(p, "image.name"), Integer.parseInt(required(p, "image.recipe")),
                required(p, "kernel.version"), required(p, "kernel.append"),
                new DebianRecipe.Packages(getPackage(p, "kernel"), getPackage(p, "busybox"), getPackage(p, "firmware"),
                        getPackage(p, "e2fsprogs"), libraries),
                sizes);
    }

    private static void putPackage(Properties p, String role, PackageStanza stanza) {
        String prefix = "package." + role + ".";
        p.setProperty(prefix + "name", stanza.name());
        p.setProperty(prefix + "version", stanza.version());
        p.setProperty(prefix + "architecture", stanza.architecture());
        p.setProperty(prefix + "depends", stanza.depends());
        p.setProperty(prefix + "pre-depends", stanza.preDepends());
        p.setProperty(prefix + "filename", stanza.file().path());
        p.setProperty(prefix + "size", Long.toString(stanza.file().size()));
        p.setProperty(prefix + "sha256", stanza.file().sha256());
    }

    private static PackageStanza getPackage(Properties p, String role) {
        String prefix = "package." + role + ".";
        return new PackageStanza(required(p, prefix + "name"), required(p, prefix + "version"),
                required(p, prefix + "architecture"), p.getProperty(prefix + "depends", ""),
                p.getProperty(prefix + "pre-depends", ""),
                new RemoteFile(required(p, prefix + "filename"), Long.parseLong(required(p, prefix + "size")),
                        required(p, prefix + "sha256")));
    }

    private static String required(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return value;
    }
}
