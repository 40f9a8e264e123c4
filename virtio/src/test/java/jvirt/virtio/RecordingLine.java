package jvirt.virtio;

import java.util.ArrayList;
import java.util.List;
import jvirt.core.InterruptLine;

/** An interrupt line that remembers its level and every change driven onto it. */
public final class RecordingLine implements InterruptLine {
    private final List<Boolean> levels = new ArrayList<>();
    private volatile boolean level;

    @Override
    public synchronized void set(boolean asserted) {
        level = asserted;
        levels.add(asserted);
    }

    /** Whether the line is asserted now. */
    public boolean asserted() {
        return level;
    }

    /** How many times the device drove the line high. */
    public synchronized int raises() {
        return (int) levels.stream().filter(b -> b).count();
    }

    public synchronized void clear() {
        levels.clear();
    }
}
