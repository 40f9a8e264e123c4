package jvirt.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** {@link Machine#pause()}: every vCPU held between steps until {@link Machine#resume()} or the end. */
class MachinePauseTest {
    /** A vCPU that counts steps and, like a hart, looks at the machine when asked to attend. */
    private static final class CountingVcpu implements Machine.Vcpu {
        final AtomicLong steps = new AtomicLong();
        private final Machine machine;
        private volatile boolean attention;
        private volatile boolean stop;

        CountingVcpu(Machine machine) {
            this.machine = machine;
        }

        @Override
        public void run() {
            while (!stop) {
                if (attention) {
                    attention = false;
                    machine.pausePoint();
                    continue;
                }
                steps.incrementAndGet();
                LockSupport.parkNanos(10_000);
            }
        }

        @Override
        public void stop() {
            stop = true;
            attention = true;
        }

        @Override
        public String describe() {
            return "steps " + steps;
        }

        @Override
        public void attend() {
            attention = true;
        }
    }

    @Test
    void pauseHoldsEveryVcpuAndResumeLetsThemGoOn() throws InterruptedException {
        try (Machine machine = new Machine()) {
            CountingVcpu a = new CountingVcpu(machine);
            CountingVcpu b = new CountingVcpu(machine);
            machine.addVcpu(a);
            machine.addVcpu(b);
            machine.start();
            Thread.sleep(20);
            machine.pause();
            assertThat(machine.paused()).isTrue();
            long heldA = a.steps.get();
            long heldB = b.steps.get();
            Thread.sleep(50);
            assertThat(a.steps.get()).isEqualTo(heldA);
            assertThat(b.steps.get()).isEqualTo(heldB);
            machine.resume();
            Thread.sleep(50);
            assertThat(a.steps.get()).isGreaterThan(heldA);
            assertThat(b.steps.get()).isGreaterThan(heldB);
        }
    }

    @Test
    void aPausedMachineCanStillEnd() throws InterruptedException {
        Machine machine = new Machine();
        CountingVcpu vcpu = new CountingVcpu(machine);
        machine.addVcpu(vcpu);
        machine.start();
        machine.pause();
        machine.exit(new MachineExit.Quit());
        assertThat(machine.awaitExit()).isInstanceOf(MachineExit.Quit.class);
        machine.close(); // joins the vCPU thread: it left the pause
    }
}
