package jvirt.virt.device;

import java.util.List;
import jvirt.core.GuestClock;
import jvirt.core.MmioDevice;
import jvirt.riscv.Hart;

/**
 * The core-local interruptor as SiFive and QEMU lay it out: {@code msip} per hart at 0x0 (ACLINT
 * MSWI), {@code mtimecmp} per hart at 0x4000 and {@code mtime} at 0xBFF8 (ACLINT MTIMER). {@code mtime}
 * is the board's {@link GuestClock}.
 */
public final class Clint implements MmioDevice {
    public static final long SIZE = 0x10000;
    private static final long MTIMECMP = 0x4000;
    private static final long MTIME = 0xBFF8;

    private final List<Hart> harts;
    private final GuestClock clock;
    private final boolean[] msip;

    public Clint(List<Hart> harts, GuestClock clock) {
        this.harts = List.copyOf(harts);
        this.clock = clock;
        this.msip = new boolean[harts.size()];
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset < MTIMECMP) {
            int hart = (int) (offset >>> 2);
            return hart < msip.length && (offset & 3) == 0 && msip[hart] ? 1 : 0;
        }
        if (offset >= MTIME && offset < MTIME + 8) {
            return slice(clock.ticks(), offset - MTIME, size);
        }
        int hart = (int) ((offset - MTIMECMP) >>> 3);
        if (hart < harts.size()) {
            return slice(harts.get(hart).mtimecmp(), (offset - MTIMECMP) & 7, size);
        }
        return 0;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (offset < MTIMECMP) {
            int hart = (int) (offset >>> 2);
            if (hart < msip.length && (offset & 3) == 0) {
                msip[hart] = (value & 1) != 0;
                harts.get(hart).setSoftwareInterrupt(msip[hart]);
            }
            return;
        }
        if (offset >= MTIME && offset < MTIME + 8) {
            clock.setTicks(merge(clock.ticks(), offset - MTIME, size, value));
            harts.forEach(Hart::timeChanged);
            return;
        }
        int hart = (int) ((offset - MTIMECMP) >>> 3);
        if (hart < harts.size()) {
            Hart h = harts.get(hart);
            h.setMtimecmp(merge(h.mtimecmp(), (offset - MTIMECMP) & 7, size, value));
        }
    }

    /** The {@code size} bytes at byte {@code at} of a 64-bit register. */
    private static long slice(long register, long at, int size) {
        long v = register >>> (8 * at);
        return size >= 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    /** A 64-bit register with {@code size} bytes at byte {@code at} replaced by {@code value}. */
    private static long merge(long register, long at, int size, long value) {
        if (size >= 8) {
            return value;
        }
        long mask = ((1L << (8 * size)) - 1) << (8 * at);
        return register & ~mask | (value << (8 * at)) & mask;
    }
}
