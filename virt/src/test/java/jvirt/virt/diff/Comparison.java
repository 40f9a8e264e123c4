package jvirt.virt.diff;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs programs as one batch on both peers and compares what each program printed. */
final class Comparison {
    /** Per batch and peer: a batch of 40 takes well under a second on either. */
    private static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("diff.timeout", 30));
    private static final AtomicInteger SERIAL = new AtomicInteger();

    private Comparison() {
    }

    /**
     * One program's two states and where they differ (empty: they agree); {@code binary} is the
     * batch it ran in (kept on disk when a difference was kept), {@code index} its place there,
     * {@code cleanEnd} whether both peers ended that batch by powering off with status 0.
     */
    record Outcome(TestProgram program, BatchImage image, Path binary, int index, Peers.Engine engine,
            StateDump.State qemu, StateDump.State jvirt, List<Integer> differences, String endings, boolean cleanEnd) {
        boolean differs() {
            return !differences.isEmpty();
        }

        String describeFirst() {
            if (!differs()) {
                return "no difference";
            }
            int i = differences.get(0);
            return String.format("%s: qemu %s, jvirt %s", StateDump.name(i), qemu.line(i), jvirt.line(i));
        }
    }

    /**
     * Builds the programs into one binary under {@code dir} and runs it on both peers (QEMU in
     * parallel, jvirt with {@code engine}). The binary is deleted unless a program differs and
     * {@code keep} is set.
     */
    static List<Outcome> run(List<TestProgram> programs, Path dir, boolean keep, Peers.Engine engine) throws Exception {
        BatchImage image = BatchImage.build(programs);
        Files.createDirectories(dir);
        Path binary = dir.resolve(String.format("batch-%d-seed-%d.bin", SERIAL.incrementAndGet(), programs.get(0).seed()));
        Files.write(binary, image.image());
        FutureTask<Peers.Run> qemu = new FutureTask<>(() -> {
            try {
                return Peers.qemu(binary, TIMEOUT);
            } catch (Exception e) {
                return new Peers.Run("", false, "qemu failed to run: " + e);
            }
        });
        Thread.ofVirtual().start(qemu);
        Peers.Run jvirt = Peers.jvirt(binary, TIMEOUT, engine);
        Peers.Run reference = qemu.get();
        List<StateDump.State> q = StateDump.parse(reference.console());
        List<StateDump.State> j = StateDump.parse(jvirt.console());
        String endings = "qemu: " + reference.ending() + "; jvirt: " + jvirt.ending();
        boolean bothPassed = reference.passed() && jvirt.passed();
        // A peer that did not end cleanly makes its last program differ, whatever it printed.
        List<Outcome> outcomes = new ArrayList<>();
        for (int k = 0; k < programs.size(); k++) {
            StateDump.State qs = k < q.size() ? q.get(k) : new StateDump.State(List.of());
            StateDump.State js = k < j.size() ? j.get(k) : new StateDump.State(List.of());
            List<Integer> diff = new ArrayList<>(StateDump.differences(qs, js));
            if (diff.isEmpty() && (qs.size() == 0 || (!bothPassed && k == programs.size() - 1))) {
                diff.add(0);
            }
            outcomes.add(new Outcome(programs.get(k), image, binary, k, engine, qs, js, List.copyOf(diff), endings, bothPassed));
        }
        if (!keep || outcomes.stream().noneMatch(Outcome::differs)) {
            Files.deleteIfExists(binary);
        }
        return outcomes;
    }
}
