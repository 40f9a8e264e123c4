package jvirt.guest.cloud;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import jvirt.core.MachineExit;
import jvirt.guest.GuestImage;
import jvirt.guest.Progress;
import jvirt.guest.initramfs.BusyboxInitramfs;
import jvirt.guest.initramfs.NewcWriter;
import jvirt.image.ImageFormats;
import jvirt.riscv.Isa;
import jvirt.virt.BoardConfig;
import jvirt.virt.Drive;
import jvirt.virt.VirtBoard;
import jvirt.virt.boot.BootException;

/**
 * debootstrap's second stage, in a jvirt machine: the default busybox guest boots with the
 * first stage's disk as {@code /dev/vda} and, appended to its initramfs, a task that chroots into
 * the disk, runs {@code debootstrap --second-stage} (the packages' maintainer scripts, Debian's
 * initramfs-tools among them, run on the emulated RISC-V CPU) and then the image's configuration.
 * The guest's console goes to the build log; debootstrap's lines move the progress bar.
 */
final class SecondStage {
    static final String DONE = "jvirt-build: done";
    static final String FAILED = "jvirt-build: failed: ";
    private static final String RESOURCES = "/jvirt/guest/cloud/";
    private static final long MEMORY = 1L << 30;
    /** debootstrap says "Unpacking" and "Configuring" once per package; the lines the bar counts. */
    private static final List<String> PACKAGE_STEPS = List.of("I: Unpacking ", "I: Configuring ");

    private SecondStage() {
    }

    /**
     * Runs the second stage on {@code disk} in a machine booted from {@code builder}, writing the
     * console to {@code log}. {@code packages} (how many .debs the first stage fetched) sizes the bar.
     */
    static void run(CloudRecipe recipe, GuestImage builder, Path disk, String environment, int packages, Path work,
            Path log, Progress progress) throws IOException {
        Path initrd = work.resolve("builder-initrd.cpio");
        writeInitrd(builder.initrd(), environment, initrd);
        int cpus = Math.min(2, Runtime.getRuntime().availableProcessors());
        BoardConfig config = new BoardConfig(MEMORY, cpus, Isa.SATP_SV48, builder.firmware(), builder.kernel(), initrd,
                "console=ttyS0 quiet")
                .withDrives(List.of(new Drive(disk, ImageFormats.RAW, false, false, "")));
        MachineExit exit;
        try (OutputStream file = Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
             ConsoleLines console = new ConsoleLines(file, progress)) {
            progress.beginItems("building " + recipe.name() + " in jvirt (debootstrap's second stage)", 2L * packages);
            try (VirtBoard board = VirtBoard.create(config, console)) {
                exit = board.run();
            } catch (BootException e) {
                throw new IOException("the build machine did not start: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while building " + recipe.name(), e);
            } finally {
                progress.done();
            }
            if (!console.done) {
                String why = console.failure != null ? console.failure
                        : exit instanceof MachineExit.Fault fault ? "the emulator stopped: " + fault.message()
                        : "the guest stopped before the build ended";
                throw new IOException("building " + recipe.name() + " failed: " + why
                        + (console.lastError != null ? " (" + console.lastError + ")" : "") + "; the guest's log is " + log);
            }
        }
    }

    /** The default guest's initramfs with a second archive after it that brings the build's task, which /init then runs. */
    private static void writeInitrd(Path base, String environment, Path target) throws IOException {
        Files.copy(base, target, StandardCopyOption.REPLACE_EXISTING);
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.APPEND);
             NewcWriter cpio = new NewcWriter(out, 0)) {
            cpio.file(BusyboxInitramfs.TASK, 0755, resource("second-stage"));
            cpio.file("jvirt-configure", 0644, resource("configure"));
            cpio.file("jvirt-build.env", 0644, environment.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SecondStage.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("jvirt is missing its resource " + RESOURCES + name);
            }
            return in.readAllBytes();
        }
    }

    /** The guest's console, split into lines: each to the log, debootstrap's package steps to the bar, the outcome kept. */
    private static final class ConsoleLines extends OutputStream {
        private final PrintStream log;
        private final Progress progress;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final long started = System.nanoTime();
        private volatile boolean done;
        private volatile String failure;
        private volatile String lastError;

        ConsoleLines(OutputStream log, Progress progress) {
            this.log = new PrintStream(log, true, StandardCharsets.UTF_8);
            this.progress = progress;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8).replace("\r", "");
                line.reset();
                accept(text);
            } else if (line.size() < 4096) {
                line.write(b);
            }
        }

        private void accept(String text) {
            // Each line stamped with the build's seconds so far: the log shows where the time goes.
            log.printf(Locale.ROOT, "[%7.1f] %s%n", (System.nanoTime() - started) / 1e9, text);
            if (PACKAGE_STEPS.stream().anyMatch(text::startsWith)) {
                progress.advance(1);
            } else if (text.startsWith(DONE)) {
                done = true;
            } else if (text.startsWith(FAILED)) {
                failure = text.substring(FAILED.length());
            } else if (text.startsWith("E: ") || text.startsWith("W: Failure")) {
                lastError = text;
            }
        }

        @Override
        public synchronized void flush() {
            log.flush();
        }

        @Override
        public synchronized void close() {
            log.flush();
        }
    }
}
