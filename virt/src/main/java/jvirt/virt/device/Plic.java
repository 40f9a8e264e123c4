package jvirt.virt.device;

import java.util.List;
import jvirt.core.InterruptLine;
import jvirt.core.MmioDevice;
import jvirt.riscv.Hart;

/**
 * The platform-level interrupt controller ({@code sifive,plic-1.0.0}) with level-triggered
 * sources 1..{@link #SOURCES}, 3-bit priorities, and two contexts per hart: 2h for M-mode and 2h+1
 * for S-mode. A source is pending while its line is high and it is not claimed; a context's
 * output is high while an enabled pending source has a priority above the context's threshold.
 */
public final class Plic implements MmioDevice {
    public static final int SOURCES = 96;
    public static final long SIZE = 0x600000;
    private static final int WORDS = (SOURCES + 1 + 31) / 32;
    private static final long PENDING = 0x1000;
    private static final long ENABLE = 0x2000;
    private static final long ENABLE_STRIDE = 0x80;
    private static final long CONTEXT = 0x200000;
    private static final long CONTEXT_STRIDE = 0x1000;
    private static final int PRIORITY_MASK = 7;

    private final List<Hart> harts;
    private final int contexts;
    private final int[] priority = new int[SOURCES + 1];
    private final boolean[] level = new boolean[SOURCES + 1];
    private final boolean[] claimed = new boolean[SOURCES + 1];
    private final int[][] enable;
    private final int[] threshold;
    private final boolean[] output;

    public Plic(List<Hart> harts) {
        this.harts = List.copyOf(harts);
        this.contexts = 2 * harts.size();
        this.enable = new int[contexts][WORDS];
        this.threshold = new int[contexts];
        this.output = new boolean[contexts];
    }

    /** The wire from a device to source {@code source} (1..{@link #SOURCES}). */
    public InterruptLine line(int source) {
        if (source < 1 || source > SOURCES) {
            throw new IllegalArgumentException("no PLIC source " + source);
        }
        return asserted -> setLevel(source, asserted);
    }

    private synchronized void setLevel(int source, boolean asserted) {
        if (level[source] != asserted) {
            level[source] = asserted;
            update();
        }
    }

    private boolean pending(int source) {
        return level[source] && !claimed[source];
    }

    private boolean enabled(int context, int source) {
        return (enable[context][source >>> 5] >>> (source & 31) & 1) != 0;
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (size != 4 || (offset & 3) != 0) {
            return 0;
        }
        if (offset < PENDING) {
            int source = (int) (offset >>> 2);
            return source >= 1 && source <= SOURCES ? priority[source] : 0;
        }
        if (offset < ENABLE) {
            int word = (int) ((offset - PENDING) >>> 2);
            if (word >= WORDS) {
                return 0;
            }
            long bits = 0;
            for (int i = 0; i < 32; i++) {
                int source = word * 32 + i;
                if (source >= 1 && source <= SOURCES && pending(source)) {
                    bits |= 1L << i;
                }
            }
            return bits;
        }
        if (offset < CONTEXT) {
            int context = (int) ((offset - ENABLE) / ENABLE_STRIDE);
            int word = (int) ((offset - ENABLE) % ENABLE_STRIDE >>> 2);
            return context < contexts && word < WORDS ? enable[context][word] & 0xFFFFFFFFL : 0;
        }
        int context = (int) ((offset - CONTEXT) / CONTEXT_STRIDE);
        long register = (offset - CONTEXT) % CONTEXT_STRIDE;
        if (context >= contexts) {
            return 0;
        }
        if (register == 0) {
            return threshold[context];
        }
        return register == 4 ? claim(context) : 0;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (size != 4 || (offset & 3) != 0) {
            return;
        }
        int v = (int) value;
        if (offset < PENDING) {
            int source = (int) (offset >>> 2);
            if (source >= 1 && source <= SOURCES) {
                priority[source] = v & PRIORITY_MASK;
            }
        } else if (offset < ENABLE) {
            return; // pending bits are read-only
        } else if (offset < CONTEXT) {
            int context = (int) ((offset - ENABLE) / ENABLE_STRIDE);
            int word = (int) ((offset - ENABLE) % ENABLE_STRIDE >>> 2);
            if (context < contexts && word < WORDS) {
                enable[context][word] = word == 0 ? v & ~1 : v; // source 0 does not exist
            }
        } else {
            int context = (int) ((offset - CONTEXT) / CONTEXT_STRIDE);
            long register = (offset - CONTEXT) % CONTEXT_STRIDE;
            if (context >= contexts) {
                return;
            }
            if (register == 0) {
                threshold[context] = v & PRIORITY_MASK;
            } else if (register == 4 && v >= 1 && v <= SOURCES && enabled(context, v)) {
                claimed[v] = false; // completion
            }
        }
        update();
    }

    /** The best pending source for {@code context}: highest priority above the threshold, lowest number on ties. */
    private int best(int context) {
        int best = 0;
        int bestPriority = threshold[context];
        for (int source = 1; source <= SOURCES; source++) {
            if (priority[source] > bestPriority && pending(source) && enabled(context, source)) {
                best = source;
                bestPriority = priority[source];
            }
        }
        return best;
    }

    private int claim(int context) {
        int source = best(context);
        if (source != 0) {
            claimed[source] = true;
            update();
        }
        return source;
    }

    private void update() {
        for (int context = 0; context < contexts; context++) {
            boolean high = best(context) != 0;
            if (high != output[context]) {
                output[context] = high;
                harts.get(context / 2).setExternalInterrupt(context % 2 == 0, high);
            }
        }
    }
}
