package jvirt.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The guest physical address space: RAM plus memory-mapped device windows. Accesses that hit
 * nothing are reported to the caller (a hart turns them into access faults).
 */
public final class Bus {
    /** A device window: {@code [base, base + size)}. */
    public record Window(long base, long size, MmioDevice device, String name) {
        boolean contains(long paddr, int length) {
            long offset = paddr - base;
            return Long.compareUnsigned(offset, size) < 0 && length <= size - offset;
        }
    }

    private final GuestMemory ram;
    private Window[] windows = new Window[0];

    public Bus(GuestMemory ram) {
        this.ram = ram;
    }

    public GuestMemory ram() {
        return ram;
    }

    /** Maps a device window; overlapping RAM or another window is a wiring error. */
    public synchronized void map(long base, long size, MmioDevice device, String name) {
        Window window = new Window(base, size, device, name);
        if (overlaps(base, size, ram.base(), ram.size())) {
            throw new IllegalArgumentException(name + " overlaps RAM");
        }
        List<Window> list = new ArrayList<>(List.of(windows));
        for (Window w : list) {
            if (overlaps(base, size, w.base(), w.size())) {
                throw new IllegalArgumentException(name + " overlaps " + w.name());
            }
        }
        list.add(window);
        list.sort(Comparator.comparingLong(Window::base));
        windows = list.toArray(Window[]::new);
    }

    /** The device window holding {@code [paddr, paddr + length)}, or null. */
    public Window window(long paddr, int length) {
        for (Window w : windows) {
            if (w.contains(paddr, length)) {
                return w;
            }
        }
        return null;
    }

    private static boolean overlaps(long a, long aSize, long b, long bSize) {
        return Long.compareUnsigned(a, b + bSize) < 0 && Long.compareUnsigned(b, a + aSize) < 0;
    }
}
