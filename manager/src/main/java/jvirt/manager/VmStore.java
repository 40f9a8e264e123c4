package jvirt.manager;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The VMs of one user: {@code ROOT/vms/NAME/vm.json} and whatever else each VM keeps beside it
 * (disks, sockets, logs). ROOT is {@code $JVIRT_HOME}, else {@code $XDG_DATA_HOME/jvirt}, else
 * {@code ~/.local/share/jvirt}. Errors are one-line {@link IOException}s that say what to do.
 */
public final class VmStore {
    static final String DEFINITION = "vm.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path vms;

    public VmStore(Path root) {
        this.vms = root.resolve("vms");
    }

    /** The store the environment names (as {@link System#getenv()} gives it). */
    public static VmStore fromEnvironment(Map<String, String> env) {
        return new VmStore(root(env));
    }

    static Path root(Map<String, String> env) {
        String home = env.get("JVIRT_HOME");
        if (home != null && !home.isEmpty()) {
            return Path.of(home);
        }
        String data = env.get("XDG_DATA_HOME");
        if (data != null && Path.of(data).isAbsolute()) { // the XDG spec: a relative value is ignored
            return Path.of(data, "jvirt");
        }
        return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "share", "jvirt");
    }

    /** Where a VM keeps its files. */
    public Path directory(VmName name) {
        return vms.resolve(name.value());
    }

    /** Locks a VM that exists, for a command that changes it or its state. */
    public VmLock lock(VmName name) throws IOException {
        requireExists(name);
        return VmLock.take(name, directory(name));
    }

    /** Makes a new VM; refused when the name is taken. */
    public void create(VmDefinition definition) throws IOException {
        VmName name = definition.vmName();
        Files.createDirectories(vms);
        Path dir = directory(name);
        try {
            // The one atomic test for a name in use; private, as its sockets let their user run commands in the guest.
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (FileAlreadyExistsException e) {
            throw new IOException("a VM named '" + name + "' already exists; choose another name or delete it first", e);
        }
        AtomicFile.syncDirectory(vms);
        try (VmLock lock = VmLock.take(name, dir)) {
            write(dir, definition);
        }
    }

    /** Replaces a VM's definition; the caller holds its lock. */
    public void save(VmLock lock, VmDefinition definition) throws IOException {
        requireExists(definition.vmName());
        write(directory(definition.vmName()), definition);
    }

    private static void write(Path dir, VmDefinition definition) throws IOException {
        AtomicFile.write(dir.resolve(DEFINITION), JSON.writeValueAsBytes(definition));
    }

    /** A VM's definition. */
    public VmDefinition load(VmName name) throws IOException {
        Path file = directory(name).resolve(DEFINITION);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IOException("there is no VM named '" + name + "' ('jvirt vm list' shows them)", e);
        }
        VmDefinition definition;
        try {
            definition = JSON.readValue(bytes, VmDefinition.class);
        } catch (DatabindException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException bad ? bad : e;
            throw new IOException(file + " is not a valid VM definition (" + firstLine(cause.getMessage())
                    + "); fix it, or delete the VM", e);
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + "); fix it, or delete the VM", e);
        }
        if (!definition.name().equals(name.value())) {
            throw new IOException(file + " names the VM '" + definition.name() + "', not '" + name
                    + "'; a VM's directory and its name must agree");
        }
        return definition;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int end = s.indexOf('\n');
        return end < 0 ? s : s.substring(0, end);
    }

    /** The names of every VM, in order; a directory that is not a VM name is ignored. */
    public List<VmName> names() throws IOException {
        if (!Files.isDirectory(vms)) {
            return List.of();
        }
        List<VmName> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(vms, Files::isDirectory)) {
            for (Path entry : entries) {
                try {
                    names.add(new VmName(entry.getFileName().toString()));
                } catch (IllegalArgumentException e) {
                    // Not made by jvirt (a temporary or a user's own directory).
                }
            }
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /** Removes a VM and everything in its directory; the caller holds its lock. */
    public void delete(VmLock lock, VmName name) throws IOException {
        Path dir = directory(name);
        Path lockFile = dir.resolve(".lock");
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(lockFile) && !p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
        // The lock file and the directory go last, so no second command can take a half-deleted VM.
        Files.delete(lockFile);
        Files.delete(dir);
        AtomicFile.syncDirectory(vms);
    }

    private void requireExists(VmName name) throws IOException {
        if (!Files.isRegularFile(directory(name).resolve(DEFINITION))) {
            throw new IOException("there is no VM named '" + name + "' ('jvirt vm list' shows them)");
        }
    }
}
