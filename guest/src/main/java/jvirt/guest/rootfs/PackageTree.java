package jvirt.guest.rootfs;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files and symbolic links of some Debian packages, at the paths a merged-/usr system has them
 * ({@code sbin/x} is {@code usr/sbin/x}), and what some wanted paths need from them: the symbolic
 * links on the way to each file, and for an ELF file its dynamic loader and shared libraries, each
 * library found as the loader finds it, by soname in the library directories in order, and then
 * what it needs in turn. Only files that can be needed are kept: those in the wanted paths'
 * directories and in the library directories.
 */
public final class PackageTree {
    /** The top-level directories that merged /usr makes into symbolic links to their namesakes under {@code usr/}. */
    public static final List<String> MERGED_DIRECTORIES = List.of("bin", "sbin", "lib");
    /** As many symbolic links as Linux follows in one lookup. */
    private static final int MAX_SYMLINKS = 40;

    private final List<String> wanted;
    private final List<String> libraryDirectories;
    private final Set<String> keptDirectories = new HashSet<>();
    private final Map<String, RootEntry> entries = new HashMap<>();

    /**
     * {@code wanted}: the paths {@link #select} starts from; {@code libraryDirectories}: where the
     * dynamic loader looks for libraries, in its order. Paths are relative to the root.
     */
    public PackageTree(List<String> wanted, List<String> libraryDirectories) {
        this.wanted = wanted.stream().map(PackageTree::canonical).toList();
        this.libraryDirectories = libraryDirectories.stream().map(PackageTree::canonical).toList();
        this.wanted.forEach(path -> keptDirectories.add(parent(path)));
        keptDirectories.addAll(this.libraryDirectories);
    }

    /** Whether {@link #select} can need the file at {@code path}; only such files need be read and added. */
    public boolean keeps(String path) {
        return keptDirectories.contains(parent(canonical(path)));
    }

    public void addFile(String path, int mode, byte[] content) {
        String canonical = canonical(path);
        entries.put(canonical, new RootEntry.File(canonical, mode, content));
    }

    public void addSymlink(String path, String target) {
        String canonical = canonical(path);
        entries.put(canonical, new RootEntry.Symlink(canonical, target));
    }

    /** The wanted paths and all they need, each entry once, a file after the links that lead to it. */
    public List<RootEntry> select() throws IOException {
        Map<String, RootEntry> selected = new LinkedHashMap<>();
        Set<String> read = new HashSet<>();
        for (String path : wanted) {
            take(path, null, selected, read);
        }
        return List.copyOf(selected.values());
    }

    /** Adds {@code path} (needed by {@code neededBy}, null for a wanted path) and, for an ELF file, what it needs. */
    private void take(String path, String neededBy, Map<String, RootEntry> selected, Set<String> read) throws IOException {
        RootEntry.File file = follow(path, neededBy, selected);
        if (!read.add(file.path()) || !ElfDynamic.isElf(file.content())) {
            return;
        }
        ElfDynamic dynamic;
        try {
            dynamic = ElfDynamic.read(file.content());
        } catch (IOException e) {
            throw new IOException(file.path() + ": " + e.getMessage(), e);
        }
        if (dynamic.interpreter().isPresent()) {
            take(dynamic.interpreter().get(), file.path(), selected, read);
        }
        for (String soname : dynamic.needed()) {
            take(library(soname, file.path()), file.path(), selected, read);
        }
    }

    private String library(String soname, String neededBy) throws IOException {
        for (String directory : libraryDirectories) {
            String path = directory + "/" + soname;
            if (entries.containsKey(path)) {
                return path;
            }
        }
        throw new IOException(neededBy + " needs " + soname + ", which none of the packages holds in "
                + String.join(" or ", libraryDirectories) + "; the recipe must take the package that does");
    }

    /** The file that {@code path} names, after adding each symbolic link on the way and the file to {@code selected}. */
    private RootEntry.File follow(String path, String neededBy, Map<String, RootEntry> selected) throws IOException {
        String current = canonical(path);
        for (int links = 0; links <= MAX_SYMLINKS; links++) {
            RootEntry entry = entries.get(current);
            if (entry == null) {
                String missing = "none of the packages holds " + current + (links == 0 ? "" : " (where " + path + " leads)");
                throw new IOException(neededBy == null ? missing : neededBy + " needs " + path + ", but " + missing);
            }
            selected.putIfAbsent(current, entry);
            switch (entry) {
                case RootEntry.File file -> {
                    return file;
                }
                case RootEntry.Symlink link -> current = resolve(parent(current), link.target());
            }
        }
        throw new IOException(path + ": more than " + MAX_SYMLINKS + " symbolic links (a loop?)");
    }

    /** {@code path} as merged /usr has it: {@code lib/x} → {@code usr/lib/x}. */
    static String canonical(String path) {
        return resolve("", path);
    }

    /**
     * Where {@code target} leads from directory {@code from}: "." and ".." resolved (".." at the
     * root stays there, as in the kernel), merged directories replaced by their {@code usr/} namesakes.
     */
    static String resolve(String from, String target) {
        Deque<String> parts = new ArrayDeque<>();
        List<String> elements = new ArrayList<>();
        if (!target.startsWith("/")) {
            elements.addAll(List.of(from.split("/")));
        }
        elements.addAll(List.of(target.split("/")));
        for (String element : elements) {
            if (element.isEmpty() || element.equals(".")) {
                continue;
            }
            if (element.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(element);
                if (parts.size() == 1 && MERGED_DIRECTORIES.contains(element)) {
                    parts.addFirst("usr");
                }
            }
        }
        return String.join("/", parts);
    }

    private static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }
}
