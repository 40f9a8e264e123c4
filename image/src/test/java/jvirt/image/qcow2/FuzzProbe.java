package jvirt.image.qcow2;

import java.nio.file.Path;

/**
 * Exercises one hostile image ({@link Qcow2FuzzTest#exercise}) in a JVM of its own, for the cases
 * that may hang or exhaust memory: the test gives the child a small heap and a deadline, and a
 * child that overruns either cannot disturb the rest of the suite. Prints the outcome; exits 0
 * when every rule held, 1 when one broke (the violation is printed).
 */
public final class FuzzProbe {
    private FuzzProbe() {
    }

    public static void main(String[] args) {
        Path img = Path.of(args[0]);
        boolean readWrite = args.length < 2 || Boolean.parseBoolean(args[1]);
        Qcow2FuzzTest.Outcome o = new Qcow2FuzzTest.Outcome();
        Thread phases = new Thread(() -> {
            String last = null;
            while (true) {
                String now = o.phase;
                if (!now.equals(last)) {
                    System.out.println("PHASE " + now);
                    last = now;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        phases.setDaemon(true);
        phases.start();
        try {
            Qcow2FuzzTest.exercise(img, readWrite, o);
            System.out.println("OK " + o);
            System.exit(0);
        } catch (Throwable t) {
            System.out.println("VIOLATION in the " + o.phase + " phase: " + t);
            t.printStackTrace(System.out);
            System.exit(1);
        }
    }
}
