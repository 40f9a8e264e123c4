package jvirt.virt.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs generated programs on QEMU and on jvirt and compares the architectural state they print.
 *
 * <p>System properties scale it: {@code diff.programs} (default 2000), {@code diff.seed} (the
 * first program's seed; program i has seed + i), {@code diff.length} (body instructions, default
 * 200), {@code diff.batch} (programs per QEMU launch, default 40), {@code diff.threads} (batches
 * run at once), {@code diff.reports} (mismatches minimized and reported, default 3),
 * {@code diff.timeout} (seconds a peer may take over a batch, default 30), {@code diff.engine}
 * (jvirt's {@code interpreter} or {@code translator}; by default batches alternate). A failure
 * names the seed and the engine; {@code -Ddiff.seed=S -Ddiff.programs=1 -Ddiff.engine=E} runs that
 * program alone.
 */
class DifferentialTest {
    private static final Path DIR = Path.of("target", "diff");

    private static final int PROGRAMS = Integer.getInteger("diff.programs", 2000);
    private static final long SEED = Long.getLong("diff.seed", 1);
    private static final int LENGTH = Integer.getInteger("diff.length", 200);
    private static final int BATCH = Integer.getInteger("diff.batch", 40);
    private static final int THREADS = Integer.getInteger("diff.threads",
            Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    private static final int REPORTS = Integer.getInteger("diff.reports", 3);
    /** Batches in which a peer hung or crashed, after which the rest are not worth running. */
    private static final int BROKEN_BATCHES = 3;

    /**
     * jvirt's engine for the batch that starts at {@code firstSeed}: {@code diff.engine} names one,
     * else batches alternate between the interpreter and the translator, which compiles every
     * block to JVM bytecode before it first runs.
     */
    private static Peers.Engine engine(long firstSeed) {
        String name = System.getProperty("diff.engine");
        if (name != null) {
            return Peers.Engine.valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
        return Math.floorMod(firstSeed / BATCH, 2) == 0 ? Peers.Engine.INTERPRETER : Peers.Engine.TRANSLATOR;
    }

    @BeforeAll
    static void needQemu() {
        assumeTrue(Peers.qemuAvailable(), Peers.QEMU + " is not installed: nothing to compare with");
    }

    @Test
    void randomProgramsAgreeWithQemu() throws Exception {
        long started = System.nanoTime();
        List<Comparison.Outcome> mismatches = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> batches = new ArrayList<>();
        AtomicInteger broken = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
            for (int from = 0; from < PROGRAMS; from += BATCH) {
                long first = SEED + from;
                int count = Math.min(BATCH, PROGRAMS - from);
                batches.add(pool.submit(() -> {
                    if (broken.get() >= BROKEN_BATCHES) {
                        return null;
                    }
                    List<TestProgram> programs = new ArrayList<>();
                    for (int k = 0; k < count; k++) {
                        programs.add(Generator.generate(first + k, LENGTH));
                    }
                    List<Comparison.Outcome> outcomes = Comparison.run(programs, DIR, true, engine(first));
                    if (!outcomes.get(0).cleanEnd()) {
                        broken.incrementAndGet();
                    }
                    for (Comparison.Outcome o : outcomes) {
                        if (o.differs()) {
                            mismatches.add(o);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : batches) {
                f.get();
            }
        }
        mismatches.sort((a, b) -> Long.compare(a.program().seed(), b.program().seed()));
        System.out.printf("diff: %d programs of %d instructions in %d batches, %.1f s, %d differ%n",
                PROGRAMS, LENGTH, batches.size(), (System.nanoTime() - started) / 1e9, mismatches.size());
        if (mismatches.isEmpty()) {
            return;
        }
        StringBuilder report = new StringBuilder();
        if (broken.get() >= BROKEN_BATCHES) {
            report.append("a peer hung or failed in ").append(broken.get()).append(" batches: the rest were not run\n");
        }
        report.append(mismatches.size()).append(" of ").append(PROGRAMS).append(" programs differ; seeds:");
        mismatches.stream().limit(50).forEach(o -> report.append(' ').append(o.program().seed()));
        report.append(mismatches.size() > 50 ? " ..." : "").append('\n');
        for (Comparison.Outcome o : mismatches.subList(0, Math.min(REPORTS, mismatches.size()))) {
            Minimizer minimizer = new Minimizer(DIR, o.engine());
            report.append('\n').append(Report.describe(o, minimizer.minimize(o.program()), LENGTH));
        }
        fail(report.toString());
    }

    /**
     * Misaligned stores that run from a writable page into one they may not write raise a store
     * page fault whose mtval is where the faulting portion starts, the page boundary, and write
     * nothing.
     */
    @Test
    void misalignedStoresIntoAReadOnlyPageFaultAtItsStart() throws Exception {
        int readOnly = BatchImage.PTE_V | BatchImage.PTE_R | BatchImage.PTE_A | BatchImage.PTE_D;
        TestProgram template = Generator.generate(0, 0)
                .in(new TestProgram.Environment(1, 8, readOnly, TestProgram.Environment.FS_INITIAL, -1));
        int boundary = (int) (BatchImage.PAGE2 - BatchImage.DATA);
        List<List<Insn>> units = List.of(
                List.of(Rv64.Store.SD.of(5, BatchImage.BASE_S0, boundary - 1)),
                List.of(Rv64.Store.SW.of(6, BatchImage.BASE_S0, boundary - 3)),
                List.of(Rv64.Store.SH.of(7, BatchImage.BASE_S0, boundary - 1)),
                List.of(Rv64.Store.FSD.of(8, BatchImage.BASE_S0, boundary - 4)));
        for (Peers.Engine engine : Peers.Engine.values()) {
            Comparison.Outcome o = Comparison.run(List.of(template.withUnits(units)), DIR, true, engine).get(0);
            if (o.differs()) {
                fail(Report.describe(o, null, 0));
            }
            for (int k = 0; k < units.size(); k++) {
                int at = BatchImage.FIXED_LINES + 3 * k;
                assertThat(o.jvirt().line(at)).as("mcause").isEqualTo("%016x", 15);
                assertThat(o.jvirt().line(at + 1)).as("mtval").isEqualTo("%016x", BatchImage.PAGE2);
            }
        }
    }

    /** Each deliberately illegal encoding traps, with its bits in mtval, identically on both. */
    @Test
    void illegalEncodingsTrapAlikeOnBoth() throws Exception {
        TestProgram template = Generator.generate(0, 0).in(TestProgram.Environment.MACHINE);
        List<Insn> all = IllegalEncodings.all();
        List<TestProgram> programs = new ArrayList<>();
        for (int from = 0; from < all.size(); from += BatchImage.MAX_TRAPS) {
            List<List<Insn>> units = new ArrayList<>();
            for (Insn insn : all.subList(from, Math.min(from + BatchImage.MAX_TRAPS, all.size()))) {
                units.add(List.of(insn));
            }
            programs.add(template.withUnits(units));
        }
        List<Comparison.Outcome> outcomes = new ArrayList<>();
        for (Peers.Engine engine : Peers.Engine.values()) {
            outcomes.addAll(Comparison.run(programs, DIR, true, engine));
        }
        for (Comparison.Outcome o : outcomes) {
            if (o.differs()) {
                fail(Report.describe(o, null, 0));
            }
            List<BatchImage.Line> body = o.image().listing(o.index());
            assertThat(Long.parseUnsignedLong(o.jvirt().line(StateDump.TRAP_COUNT), 16)).as("traps").isEqualTo(body.size());
            for (int k = 0; k < body.size(); k++) {
                BatchImage.Line line = body.get(k);
                int at = BatchImage.FIXED_LINES + 3 * k;
                assertThat(o.jvirt().line(at)).as("mcause of %s", line.text()).isEqualTo("%016x", 2);
                assertThat(o.jvirt().line(at + 1)).as("mtval of %s", line.text())
                        .isEqualTo("%016x", line.bits() & 0xFFFFFFFFL);
            }
        }
    }
}
