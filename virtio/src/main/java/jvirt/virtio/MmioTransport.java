package jvirt.virtio;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import jvirt.core.GuestMemory;
import jvirt.core.InterruptLine;
import jvirt.core.MmioDevice;

/**
 * virtio over MMIO, version 2 (virtio 1.2 §4.2.2): the register window through which the driver
 * negotiates features, walks the device status, sets up queues and notifies; and the interrupt
 * line through which the device answers.
 *
 * <p>The driver is not trusted: features it was not offered, queue settings that do not fit RAM
 * and changes to a queue in use are refused, and a device that saw a protocol violation sits in
 * DEVICE_NEEDS_RESET until the driver resets it.
 */
public final class MmioTransport implements MmioDevice, Transport {
    public static final int SIZE = 0x1000;
    public static final int MAGIC = 0x74726976; // "virt"
    public static final int VERSION = 2;
    /** QEMU's vendor ID ("QEMU"), which drivers do not interpret. */
    public static final int VENDOR = 0x554D4551;

    static final int REG_MAGIC = 0x000;
    static final int REG_VERSION = 0x004;
    static final int REG_DEVICE_ID = 0x008;
    static final int REG_VENDOR_ID = 0x00C;
    static final int REG_DEVICE_FEATURES = 0x010;
    static final int REG_DEVICE_FEATURES_SEL = 0x014;
    static final int REG_DRIVER_FEATURES = 0x020;
    static final int REG_DRIVER_FEATURES_SEL = 0x024;
    static final int REG_QUEUE_SEL = 0x030;
    static final int REG_QUEUE_NUM_MAX = 0x034;
    static final int REG_QUEUE_NUM = 0x038;
    static final int REG_QUEUE_READY = 0x044;
    static final int REG_QUEUE_NOTIFY = 0x050;
    static final int REG_INTERRUPT_STATUS = 0x060;
    static final int REG_INTERRUPT_ACK = 0x064;
    static final int REG_STATUS = 0x070;
    static final int REG_QUEUE_DESC_LOW = 0x080;
    static final int REG_QUEUE_DESC_HIGH = 0x084;
    static final int REG_QUEUE_DRIVER_LOW = 0x090;
    static final int REG_QUEUE_DRIVER_HIGH = 0x094;
    static final int REG_QUEUE_DEVICE_LOW = 0x0A0;
    static final int REG_QUEUE_DEVICE_HIGH = 0x0A4;
    static final int REG_SHM_LEN_LOW = 0x0B0;
    static final int REG_SHM_LEN_HIGH = 0x0B4;
    static final int REG_SHM_BASE_LOW = 0x0B8;
    static final int REG_SHM_BASE_HIGH = 0x0BC;
    static final int REG_CONFIG_GENERATION = 0x0FC;
    static final int REG_CONFIG = 0x100;

    public static final int STATUS_ACKNOWLEDGE = 1;
    public static final int STATUS_DRIVER = 2;
    public static final int STATUS_DRIVER_OK = 4;
    public static final int STATUS_FEATURES_OK = 8;
    public static final int STATUS_NEEDS_RESET = 64;
    public static final int STATUS_FAILED = 128;

    public static final int INTERRUPT_USED_BUFFER = 1;
    public static final int INTERRUPT_CONFIG_CHANGE = 2;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final InterruptLine line;
    private final long offered;
    private final List<Virtqueue> queues = new ArrayList<>();
    private final boolean[] queueReady;

    // Driver-facing registers, guarded by this.
    private volatile int status; // volatile: fail() reads it from device threads
    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private int queueSel;

    // Set by device threads; never guarded by this (see Transport).
    private final Object irq = new Object();
    private int interruptStatus;
    private volatile boolean needsReset;
    private volatile int configGeneration;
    private volatile String failure;

    public MmioTransport(VirtioDevice device, GuestMemory memory, InterruptLine line) {
        this.device = device;
        this.memory = memory;
        this.line = line;
        this.offered = device.features() | Features.TRANSPORT;
        for (int max : device.maxQueueSizes()) {
            queues.add(new Virtqueue(max));
        }
        this.queueReady = new boolean[queues.size()];
    }

    /** The device behind this transport. */
    public VirtioDevice device() {
        return device;
    }

    /** Why the device last asked for a reset, or {@code null}. */
    public String failure() {
        return failure;
    }

    @Override
    public long read(long offset, int size) {
        if (offset >= REG_CONFIG) {
            long value = 0;
            for (int i = size - 1; i >= 0; i--) {
                value = (value << 8) | (device.readConfig((int) (offset - REG_CONFIG) + i) & 0xFF);
            }
            return value;
        }
        if (size != 4 || (offset & 3) != 0) {
            return 0; // §4.2.2.2: the common registers take 32-bit accesses only
        }
        return Integer.toUnsignedLong(register((int) offset));
    }

    private synchronized int register(int offset) {
        Virtqueue q = selected() ? queues.get(queueSel) : null;
        return switch (offset) {
            case REG_MAGIC -> MAGIC;
            case REG_VERSION -> VERSION;
            case REG_DEVICE_ID -> device.deviceId();
            case REG_VENDOR_ID -> VENDOR;
            case REG_DEVICE_FEATURES -> Integer.compareUnsigned(deviceFeaturesSel, 1) > 0
                    ? 0 : (int) (offered >>> (32 * deviceFeaturesSel));
            case REG_QUEUE_NUM_MAX -> q == null ? 0 : q.maxSize();
            case REG_QUEUE_READY -> q != null && queueReady[queueSel] ? 1 : 0;
            case REG_INTERRUPT_STATUS -> interruptStatus();
            case REG_STATUS -> status | (needsReset ? STATUS_NEEDS_RESET : 0);
            case REG_SHM_LEN_LOW, REG_SHM_LEN_HIGH -> -1; // no shared memory regions
            case REG_CONFIG_GENERATION -> configGeneration;
            default -> 0;
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset >= REG_CONFIG) {
            for (int i = 0; i < size; i++) {
                device.writeConfig((int) (offset - REG_CONFIG) + i, (int) (value >>> (8 * i)) & 0xFF);
            }
            return;
        }
        if (size != 4 || (offset & 3) != 0) {
            return;
        }
        int v = (int) value;
        if (offset == REG_QUEUE_NOTIFY) {
            notifyQueue(v);
            return;
        }
        if (offset == REG_INTERRUPT_ACK) {
            acknowledge(v);
            return;
        }
        Runnable afterUnlock = writeRegister((int) offset, v);
        if (afterUnlock != null) {
            afterUnlock.run();
        }
    }

    /** Applies a register write; returns what must then run on the device without this lock held. */
    private synchronized Runnable writeRegister(int offset, int v) {
        switch (offset) {
            case REG_DEVICE_FEATURES_SEL -> deviceFeaturesSel = v;
            case REG_DRIVER_FEATURES_SEL -> driverFeaturesSel = v;
            case REG_DRIVER_FEATURES -> {
                if ((status & (STATUS_FEATURES_OK | STATUS_DRIVER_OK)) == 0
                        && Integer.compareUnsigned(driverFeaturesSel, 1) <= 0) {
                    int shift = 32 * driverFeaturesSel;
                    driverFeatures = driverFeatures & ~(0xFFFFFFFFL << shift) | (Integer.toUnsignedLong(v) << shift);
                }
            }
            case REG_QUEUE_SEL -> queueSel = v;
            case REG_QUEUE_NUM -> setUpQueue(q -> q.setSize(v));
            case REG_QUEUE_DESC_LOW -> setUpQueue(q -> q.setDescAddr(low(q.descAddr(), v)));
            case REG_QUEUE_DESC_HIGH -> setUpQueue(q -> q.setDescAddr(high(q.descAddr(), v)));
            case REG_QUEUE_DRIVER_LOW -> setUpQueue(q -> q.setAvailAddr(low(q.availAddr(), v)));
            case REG_QUEUE_DRIVER_HIGH -> setUpQueue(q -> q.setAvailAddr(high(q.availAddr(), v)));
            case REG_QUEUE_DEVICE_LOW -> setUpQueue(q -> q.setUsedAddr(low(q.usedAddr(), v)));
            case REG_QUEUE_DEVICE_HIGH -> setUpQueue(q -> q.setUsedAddr(high(q.usedAddr(), v)));
            case REG_QUEUE_READY -> setQueueReady(v);
            case REG_STATUS -> {
                return status(v);
            }
            default -> {
                // Read-only and unknown registers ignore writes.
            }
        }
        return null;
    }

    private static long low(long old, int v) {
        return old & 0xFFFFFFFF00000000L | Integer.toUnsignedLong(v);
    }

    private static long high(long old, int v) {
        return old & 0xFFFFFFFFL | (long) v << 32;
    }

    /** Whether QueueSel names a queue; the registers are unsigned, so 0xFFFFFFFF names none. */
    private boolean selected() {
        return Integer.compareUnsigned(queueSel, queues.size()) < 0;
    }

    /** Queue settings change only on a selected, existing queue that is not in use. */
    private void setUpQueue(Consumer<Virtqueue> change) {
        if (!selected()) {
            return;
        }
        if (queueReady[queueSel] || (status & STATUS_DRIVER_OK) != 0) {
            fail("the driver changed queue " + queueSel + " while it was in use");
            return;
        }
        change.accept(queues.get(queueSel));
    }

    private void setQueueReady(int v) {
        if (!selected()) {
            return;
        }
        if ((status & STATUS_DRIVER_OK) != 0) {
            fail("the driver changed QueueReady of queue " + queueSel + " after DRIVER_OK");
            return;
        }
        if (v == 0) {
            queueReady[queueSel] = false;
            return;
        }
        String problem = queues.get(queueSel).checkLayout(memory);
        if (problem != null) {
            fail("queue " + queueSel + ": " + problem);
            return;
        }
        queueReady[queueSel] = true;
    }

    private Runnable status(int v) {
        if (v == 0) {
            return this::reset;
        }
        if ((v & status) != status) {
            fail("the driver cleared status bits without a reset");
            return null;
        }
        int added = v & ~status;
        if ((added & STATUS_FEATURES_OK) != 0 && !featuresAcceptable()) {
            v &= ~STATUS_FEATURES_OK; // §3.1.1: the driver reads it back and gives up
        }
        if ((added & STATUS_DRIVER_OK) != 0 && (v & STATUS_FEATURES_OK) == 0) {
            fail("the driver set DRIVER_OK before FEATURES_OK");
            return null;
        }
        status = v;
        if ((added & STATUS_DRIVER_OK) == 0 || needsReset) {
            return null;
        }
        List<Virtqueue> active = new ArrayList<>();
        for (int i = 0; i < queues.size(); i++) {
            Virtqueue q = queues.get(i);
            if (queueReady[i]) {
                q.activate(memory, driverFeatures);
            }
            active.add(q);
        }
        return () -> device.activate(this, List.copyOf(active));
    }

    private boolean featuresAcceptable() {
        return (driverFeatures & ~offered) == 0 && (driverFeatures & Features.VERSION_1) != 0;
    }

    private void notifyQueue(int index) {
        boolean deliver;
        synchronized (this) {
            deliver = (status & STATUS_DRIVER_OK) != 0 && !needsReset && index >= 0 && index < queues.size()
                    && queueReady[index];
        }
        if (deliver) {
            device.queueNotify(index);
        }
    }

    private void reset() {
        device.reset(); // first: when it returns, the device has stopped touching the queues
        synchronized (this) {
            status = 0;
            deviceFeaturesSel = 0;
            driverFeaturesSel = 0;
            driverFeatures = 0;
            queueSel = 0;
            for (int i = 0; i < queues.size(); i++) {
                queues.get(i).reset();
                queueReady[i] = false;
            }
            needsReset = false;
            failure = null;
        }
        synchronized (irq) {
            interruptStatus = 0;
            line.set(false);
        }
    }

    private int interruptStatus() {
        synchronized (irq) {
            return interruptStatus;
        }
    }

    private void acknowledge(int bits) {
        synchronized (irq) {
            interruptStatus &= ~bits;
            line.set(interruptStatus != 0);
        }
    }

    private void raise(int bits) {
        synchronized (irq) {
            interruptStatus |= bits;
            line.set(true);
        }
    }

    // ---- Transport: called by the device ----

    @Override
    public GuestMemory memory() {
        return memory;
    }

    @Override
    public synchronized long negotiatedFeatures() {
        return driverFeatures;
    }

    @Override
    public void usedBuffers() {
        raise(INTERRUPT_USED_BUFFER);
    }

    @Override
    public void configChanged() {
        synchronized (irq) {
            configGeneration++;
        }
        raise(INTERRUPT_CONFIG_CHANGE);
    }

    @Override
    public void fail(String why) {
        if (!needsReset) {
            failure = why;
            needsReset = true;
            // §2.1.2: the device tells the driver through a configuration change notification.
            if ((status & STATUS_DRIVER_OK) != 0) {
                raise(INTERRUPT_CONFIG_CHANGE);
            }
        }
    }
}
