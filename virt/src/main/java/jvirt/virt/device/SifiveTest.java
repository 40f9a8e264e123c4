package jvirt.virt.device;

import jvirt.core.MachineExit;
import jvirt.core.MmioDevice;
import java.util.function.Consumer;

/**
 * SiFive's test finisher ({@code sifive,test0}): a 32-bit write of 0x5555 powers off, 0x7777 resets,
 * and {@code code << 16 | 0x3333} powers off reporting failure {@code code}. Linux and OpenSBI reach
 * it through the {@code syscon-poweroff}/{@code syscon-reboot} nodes.
 */
public final class SifiveTest implements MmioDevice {
    private static final int FAIL = 0x3333;
    private static final int PASS = 0x5555;
    private static final int RESET = 0x7777;

    private final Consumer<MachineExit> exit;

    public SifiveTest(Consumer<MachineExit> exit) {
        this.exit = exit;
    }

    @Override
    public long read(long offset, int size) {
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset != 0 || size < 2) {
            return;
        }
        int status = (int) value & 0xFFFF;
        switch (status) {
            case PASS -> exit.accept(new MachineExit.PowerOff(0));
            case RESET -> exit.accept(new MachineExit.Reset());
            case FAIL -> exit.accept(new MachineExit.PowerOff((int) (value >>> 16) & 0xFFFF));
            default -> {
                // Other values mean nothing to this device.
            }
        }
    }
}
