package jvirt.guest.initramfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The host's cpio(1), to check archives with a reader that is not jvirt's. */
public final class Cpio {
    private Cpio() {
    }

    /** {@code cpio -it} (or {@code -itv} when {@code verbose}) of {@code archive}: one line per entry. */
    public static List<String> list(Path archive, boolean verbose) throws IOException, InterruptedException {
        Process cpio = new ProcessBuilder("cpio", "--quiet", verbose ? "-itv" : "-it")
                .redirectInput(archive.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(cpio.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!cpio.waitFor(30, TimeUnit.SECONDS) || cpio.exitValue() != 0) {
            throw new IOException("cpio failed on " + archive);
        }
        return out.lines().toList();
    }
}
