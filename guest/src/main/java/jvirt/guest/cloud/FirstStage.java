package jvirt.guest.cloud;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.nio.file.DirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jvirt.guest.Progress;

/**
 * debootstrap's first stage, on the host and without root: Debian's own debootstrap chooses,
 * downloads, verifies (against Debian's archive keyring) and unpacks the packages for a foreign
 * architecture; fakeroot makes the files belong to root, and mke2fs writes the tree, with those
 * owners, into an ext4 file system image in the same fakeroot session. What must run riscv64 code
 * (the maintainer scripts) is left for the second stage, in the guest.
 */
final class FirstStage {
    static final String KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
    private static final Path SCRIPTS = Path.of("/usr/share/debootstrap/scripts");
    private static final Pattern PACKAGE_FIELD = Pattern.compile("(?m)^Package:\\s*(\\S+)");

    private FirstStage() {
    }

    /**
     * Lays out {@code recipe}'s system from {@code mirror} in {@code work} and writes it to
     * {@code disk}, an ext4 image of {@code recipe.diskSize()} bytes labelled {@code recipe.label()}.
     */
    static void run(CloudRecipe recipe, URI mirror, Path work, Path disk, Progress progress) throws IOException {
        Path debootstrap = HostTools.require("debootstrap", "debootstrap");
        Path fakeroot = HostTools.require("fakeroot", "fakeroot");
        Path mke2fs = HostTools.require("mke2fs", "e2fsprogs");
        if (!Files.isRegularFile(Path.of(KEYRING))) {
            throw new IOException(KEYRING + " is missing; install Debian's archive keyring"
                    + " ('sudo apt-get install debian-archive-keyring', or run scripts/setup)");
        }
        Path root = work.resolve("root");
        Path state = work.resolve("fakeroot.state");
        List<String> first = new ArrayList<>(List.of(fakeroot.toString(), "-s", state.toString(),
                debootstrap.toString(), "--foreign", "--arch=" + CloudRecipe.ARCHITECTURE, "--variant=minbase",
                "--components=main", "--include=" + String.join(",", recipe.packages()), "--keyring=" + KEYRING,
                CloudRecipe.SUITE, root.toString(), mirror.toString()));
        first.add(script().toString());
        progress.begin("debootstrap: choosing, fetching and unpacking packages", -1);
        try {
            HostTools.run(first, work, line -> { });
        } finally {
            progress.done();
        }
        keepOnlyFetchedStanzas(root);
        progress.begin("writing the first stage to an ext4 image", -1);
        try {
            // The same fakeroot session: the build's own files are root's like the rest, and mke2fs sees those owners.
            HostTools.run(List.of(fakeroot.toString(), "-i", state.toString(), "-s", state.toString(), "sh", "-ec", """
                    printf '%s\\n' "$2" >"$1/etc/dpkg/dpkg.cfg.d/$3"
                    mkdir -p "$1/etc/initramfs-tools/conf.d"
                    printf '%s\\n' "$4" >"$1/etc/initramfs-tools/conf.d/jvirt.conf"
                    printf '%s\\n' "$5" >"$1/etc/initramfs-tools/modules"
                    "$6" -q -F -t ext4 -L "$7" -d "$1" "$8" "$9"
                    """, "sh", root.toString(), CloudRecipe.BUILD_DPKG_OPTIONS, CloudRecipe.BUILD_DPKG_CONFIG,
                    CloudRecipe.INITRAMFS_CONFIG, CloudRecipe.INITRAMFS_MODULES, mke2fs.toString(), recipe.label(),
                    disk.toString(), Long.toString(recipe.diskSize() / 1024) + "k"), work, line -> { });
        } finally {
            progress.done();
        }
    }

    /**
     * Cuts the Packages index debootstrap keeps in the target down to the packages it fetched. The
     * second stage reads that index again and again (for dpkg's available file and for each
     * pre-dependency), with a perl script, on the emulated CPU; the whole of trixie's is 50 MB.
     * The file is rewritten in place, so fakeroot's record of its owner stays with it.
     */
    static void keepOnlyFetchedStanzas(Path root) throws IOException {
        Set<String> fetched = new HashSet<>();
        for (String line : Files.readAllLines(root.resolve("debootstrap/debpaths"))) {
            int space = line.indexOf(' ');
            if (space > 0) {
                fetched.add(line.substring(0, space));
            }
        }
        try (DirectoryStream<Path> indexes = Files.newDirectoryStream(root.resolve("var/lib/apt/lists"), "*_Packages")) {
            for (Path index : indexes) {
                StringBuilder kept = new StringBuilder();
                for (String stanza : Files.readString(index).split("\n\n+")) {
                    Matcher name = PACKAGE_FIELD.matcher(stanza);
                    if (name.find() && fetched.contains(name.group(1))) {
                        kept.append(stanza.strip()).append("\n\n");
                    }
                }
                Files.writeString(index, kept, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            }
        }
    }

    /**
     * The suite's debootstrap script: trixie's if this debootstrap knows it, else sid's, which an
     * older debootstrap (Ubuntu's, say) has and which works for every release after the one it knows.
     */
    private static Path script() {
        Path named = SCRIPTS.resolve(CloudRecipe.SUITE);
        return Files.exists(named) ? named : SCRIPTS.resolve("sid");
    }
}
