package jvirt.image.qcow2;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Starts a test's helper {@code main} in a JVM of its own: the crash writer, a probe of a hostile image. */
final class ChildJvm {
    private static String classpath;

    private ChildJvm() {
    }

    /** The command line that runs {@code main} with {@code jvmArgs} and {@code args}. */
    static List<String> command(Class<?> main, List<String> jvmArgs, String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xss4m");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * The test's class path, with its class folders and jvirt's own jars copied once to a private
     * folder: the project may be rebuilt while the suite runs, and a child must not start on
     * half-written class files. Surefire's manifest-only jar is expanded.
     */
    static synchronized String classpath() throws IOException {
        if (classpath != null) {
            return classpath;
        }
        List<Path> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            entries.add(p);
            if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar")) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    Manifest m = jar.getManifest();
                    String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
                    if (cp != null) {
                        for (String u : cp.trim().split("\\s+")) {
                            entries.add(Path.of(p.toUri().resolve(u)));
                        }
                    }
                }
            }
        }
        Path snapshot = Files.createTempDirectory("qcow2-test-cp");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> walk = Files.walk(snapshot)) {
                for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                // a temporary folder left behind
            }
        }));
        List<String> out = new ArrayList<>();
        int n = 0;
        for (Path p : entries) {
            String s = p.toString();
            if (Files.isDirectory(p)) {
                Path to = snapshot.resolve("dir" + n++);
                try (Stream<Path> walk = Files.walk(p)) {
                    for (Path f : walk.toList()) {
                        Path t = to.resolve(p.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(f, t);
                        }
                    }
                }
                out.add(to.toString());
            } else if (Files.isRegularFile(p) && s.contains("/jvirt/")) {
                Path to = snapshot.resolve("jar" + n++ + ".jar");
                Files.copy(p, to);
                out.add(to.toString());
            } else if (Files.exists(p)) {
                out.add(s);
            }
        }
        classpath = String.join(File.pathSeparator, out);
        return classpath;
    }
}
