package jvirt.guest.kernel;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tukaani.xz.XZInputStream;

/**
 * The modules a kernel package ships, by name, and those built into the kernel (from
 * {@code modules.builtin}). Module names treat '-' and '_' alike, as the kernel does; files may be
 * plain {@code .ko} or {@code .ko.xz}, and come out of {@link #select} uncompressed.
 */
public final class KernelModules {
    private static final String XZ = ".xz";

    private final Map<String, Packed> files = new HashMap<>();
    private final Set<String> builtin = new HashSet<>();

    private record Packed(String path, byte[] bytes) {
    }

    /** A module's name in the kernel's own spelling, '_' for '-'. */
    public static String normalize(String name) {
        return name.replace('-', '_');
    }

    /** Whether {@code path} names a module file that jvirt reads. */
    public static boolean isModuleFile(String path) {
        return path.endsWith(".ko") || path.endsWith(".ko" + XZ);
    }

    /** {@code kernel/drivers/char/hw_random/virtio-rng.ko.xz} → {@code virtio_rng}. */
    public static String moduleName(String path) {
        String file = path.substring(path.lastIndexOf('/') + 1);
        return normalize(file.substring(0, file.indexOf(".ko")));
    }

    /** Adds a module file; {@code path} is relative to {@code lib/modules/<version>/}. */
    public void addFile(String path, byte[] bytes) {
        if (!isModuleFile(path)) {
            throw new IllegalArgumentException("not a module file: " + path);
        }
        files.put(moduleName(path), new Packed(path, bytes));
    }

    /** Reads {@code modules.builtin}: one {@code kernel/.../name.ko} line per built-in module. */
    public void addBuiltin(String modulesBuiltin) {
        modulesBuiltin.lines().map(String::strip).filter(l -> !l.isEmpty()).map(KernelModules::moduleName).forEach(builtin::add);
    }

    /**
     * The {@code wanted} modules and everything they need (read from each module's
     * {@code .modinfo}), in load order; built-in ones need no file and are left out.
     */
    public ModuleSelection select(List<String> wanted) throws IOException {
        Map<String, KernelModule> chosen = new LinkedHashMap<>();
        Map<String, String> neededBy = new HashMap<>();
        Deque<String> todo = new ArrayDeque<>();
        wanted.stream().map(KernelModules::normalize).forEach(todo::add);
        while (!todo.isEmpty()) {
            String name = todo.removeFirst();
            if (chosen.containsKey(name) || builtin.contains(name)) {
                continue;
            }
            Packed file = files.get(name);
            if (file == null) {
                throw new IOException("the kernel package has no module " + name
                        + (neededBy.containsKey(name) ? " (needed by " + neededBy.get(name) + ")" : "")
                        + " and does not list it as built in");
            }
            byte[] image = unpack(file);
            List<String> depends;
            try {
                depends = Modinfo.read(image).depends().stream().map(KernelModules::normalize)
                        .filter(d -> !builtin.contains(d)).toList();
            } catch (IOException e) {
                throw new IOException("cannot read the .modinfo of " + file.path() + ": " + e.getMessage(), e);
            }
            String installed = file.path().endsWith(XZ) ? file.path().substring(0, file.path().length() - XZ.length()) : file.path();
            chosen.put(name, new KernelModule(name, installed, image, depends));
            for (String dependency : depends) {
                neededBy.putIfAbsent(dependency, name);
                todo.addLast(dependency);
            }
        }
        return ModuleSelection.of(chosen);
    }

    private static byte[] unpack(Packed file) throws IOException {
        if (!file.path().endsWith(XZ)) {
            return file.bytes();
        }
        try (XZInputStream in = new XZInputStream(new ByteArrayInputStream(file.bytes()))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IOException("the module " + file.path() + " is damaged: " + e.getMessage(), e);
        }
    }
}
