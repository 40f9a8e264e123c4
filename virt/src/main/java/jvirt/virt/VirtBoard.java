package jvirt.virt;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import jvirt.core.Bus;
import jvirt.core.ConsoleInput;
import jvirt.core.DeadlineTimer;
import jvirt.core.GuestClock;
import jvirt.core.GuestMemory;
import jvirt.core.Machine;
import jvirt.core.MachineExit;
import jvirt.image.BlockDevice;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.riscv.Hart;
import jvirt.riscv.Isa;
import jvirt.virt.boot.BootException;
import jvirt.virt.boot.BootFile;
import jvirt.virt.boot.ElfImage;
import jvirt.virt.boot.Initramfs;
import jvirt.virt.boot.LinuxImage;
import jvirt.virt.device.Clint;
import jvirt.virt.device.GoldfishRtc;
import jvirt.virt.device.Plic;
import jvirt.virt.device.Rom;
import jvirt.virt.device.SifiveTest;
import jvirt.virt.device.Uart16550;
import jvirt.virt.fdt.Fdt;
import jvirt.virtio.MmioTransport;
import jvirt.virtio.VirtioDevice;
import jvirt.virtio.blk.VirtioBlk;
import jvirt.virtio.console.HostPort;
import jvirt.virtio.console.VirtioConsole;
import jvirt.virtio.net.VirtioNet;
import jvirt.virtio.rng.VirtioRng;

/**
 * The RISC-V {@code virt} board, laid out as QEMU's: this one file places every device, writes the
 * device tree that describes them, loads firmware, kernel and initrd, and builds the reset ROM
 * that hands over to the firmware with the {@code fw_dynamic} protocol.
 */
public final class VirtBoard implements AutoCloseable {
    public static final long MROM_BASE = 0x1000;
    public static final long MROM_SIZE = 0xF000;
    public static final long TEST_BASE = 0x100000;
    public static final long RTC_BASE = 0x101000;
    public static final long CLINT_BASE = 0x2000000;
    public static final long PLIC_BASE = 0xC000000;
    public static final long UART0_BASE = 0x10000000;
    public static final long DRAM_BASE = 0x80000000L;
    public static final int UART0_IRQ = 10;
    public static final int RTC_IRQ = 11;
    public static final long VIRTIO_BASE = 0x10001000;
    public static final long VIRTIO_STRIDE = 0x1000;
    public static final int VIRTIO_SLOTS = 8;
    /** Slot n interrupts on PLIC source VIRTIO_IRQ + n. */
    public static final int VIRTIO_IRQ = 1;
    public static final long TIMEBASE_HZ = 10_000_000;

    private static final long MIB = 1 << 20;
    private static final long KERNEL_ALIGN = 2 * MIB;
    private static final int FDT_SPARE = 64 * 1024;
    private static final long FW_DYNAMIC_MAGIC = 0x4942534f;
    private static final long FW_DYNAMIC_VERSION = 2;
    private static final long NEXT_MODE_S = 1;

    private final Machine machine = new Machine();
    private final GuestMemory ram;
    private final GuestClock clock = new GuestClock(TIMEBASE_HZ);
    private final DeadlineTimer deadlines;
    private final List<Hart> harts = new ArrayList<>();
    private final ConsoleInput consoleInput;
    private final List<Long> virtioSlots = new ArrayList<>();
    /** The virtio-console device that carries the named ports, if any. */
    private VirtioConsole portDevice;
    private byte[] deviceTree;

    private VirtBoard(BoardConfig config, OutputStream console) throws BootException {
        if (config.initrd() != null && config.kernel() == null) {
            throw new BootException("an initrd needs a kernel (--kernel)");
        }
        try (BootFile firmware = BootFile.open(config.bios(), "firmware");
                BootFile kernel = config.kernel() == null ? null : BootFile.open(config.kernel(), "kernel");
                BootFile initrd = config.initrd() == null ? null : BootFile.open(config.initrd(), "initrd")) {
            ram = machine.own(new GuestMemory(DRAM_BASE, config.memoryBytes()));
            deadlines = machine.own(new DeadlineTimer(clock));
            consoleInput = build(config, console, firmware, kernel, initrd);
        } catch (BootException | RuntimeException e) {
            machine.close();
            throw e;
        }
    }

    /** Loads the boot files, wires the devices and harts; returns the device that takes typed input. */
    private ConsoleInput build(BoardConfig config, OutputStream console, BootFile firmware, BootFile kernel, BootFile initrd)
            throws BootException {
        Bus bus = new Bus(ram);
        Loaded fw = loadFirmware(firmware);
        long kernelStart = 0;
        long kernelEnd = fw.end();
        if (kernel != null) {
            LinuxImage image = LinuxImage.parse(kernel.head(LinuxImage.HEADER_SIZE), kernel.size(), kernel.what());
            kernelStart = Math.max(alignUp(fw.end(), KERNEL_ALIGN), DRAM_BASE + image.textOffset());
            kernelEnd = kernelStart + image.imageSize();
            requireFits(kernelStart, image.imageSize(), "the kernel");
            ram.write(kernelStart, kernel.contents());
        }

        for (int i = 0; i < config.cpus(); i++) {
            harts.add(new Hart(i, bus, clock, deadlines, machine, config.satpMode(), config.translateThreshold()));
        }
        Plic plic = new Plic(harts);
        Uart16550 uart = new Uart16550(console, plic.line(UART0_IRQ));
        bus.map(TEST_BASE, 0x1000, new SifiveTest(machine::exit), "test");
        bus.map(RTC_BASE, GoldfishRtc.SIZE, new GoldfishRtc(plic.line(RTC_IRQ), clock, deadlines), "rtc");
        bus.map(CLINT_BASE, Clint.SIZE, new Clint(harts, clock), "clint");
        bus.map(PLIC_BASE, Plic.SIZE, plic, "plic");
        bus.map(UART0_BASE, Uart16550.SIZE, uart, "uart0");
        ConsoleInput input = uart;
        for (Drive drive : config.drives()) {
            plugVirtio(bus, plic, openDrive(drive));
        }
        for (Nic nic : config.nics()) {
            plugVirtio(bus, plic, openNic(nic));
        }
        if (config.console() == BoardConfig.ConsoleDevice.VIRTIO) {
            // The named ports share hvc0's device, as QEMU's virtconsole and virtserialports share a virtio-serial.
            portDevice = plugVirtio(bus, plic, machine.own(new VirtioConsole(console, config.ports())));
            input = portDevice;
        } else if (!config.ports().isEmpty()) {
            portDevice = plugVirtio(bus, plic, machine.own(VirtioConsole.withoutConsole(config.ports())));
        }
        plugVirtio(bus, plic, machine.own(VirtioRng.secure()));

        long initrdStart = 0;
        long initrdEnd = 0;
        if (initrd != null) {
            Initramfs.check(initrd.head(Initramfs.HEADER_SIZE), initrd.what());
            // As QEMU: far enough above the kernel that unpacking it cannot clobber the initrd.
            initrdStart = alignUp(Math.max(kernelEnd, kernelStart + Math.min(config.memoryBytes() / 2, 128 * MIB)), 4096);
            initrdEnd = initrdStart + initrd.size();
        }
        byte[] fdt = deviceTree(config, initrdStart, initrdEnd);
        deviceTree = fdt.clone();
        long fdtAddr = alignDown(Math.min(ram.end(), DRAM_BASE + 3L * 1024 * MIB) - fdt.length, KERNEL_ALIGN);
        if (fdtAddr < Math.max(kernelEnd, initrdEnd)) {
            throw new BootException("the boot files do not fit in " + (config.memoryBytes() / MIB)
                    + " MiB of RAM; give the machine more memory with -m");
        }
        if (initrd != null) {
            ram.write(initrdStart, initrd.contents());
        }
        ram.write(fdtAddr, fdt);
        bus.map(MROM_BASE, MROM_SIZE, new Rom(resetRom(fw.entry(), fdtAddr, kernelStart)), "mrom");

        fw.tohost().ifPresent(address -> ram.monitor().hook(address - DRAM_BASE, 8, (off, size, value) -> {
            if (off == address - DRAM_BASE && (value & 1) != 0) {
                machine.exit(new MachineExit.PowerOff((int) (value >>> 1)));
            }
        }));
        for (Hart h : harts) {
            h.reset(MROM_BASE);
            machine.addVcpu(h);
        }
        return input;
    }

    /**
     * How many virtio slots the board fills besides the drives and NICs: the entropy device, and a
     * virtio-console if the console is virtio or there are named ports.
     */
    static int virtioDevicesBesideDrives(BoardConfig.ConsoleDevice console, List<String> ports) {
        return console == BoardConfig.ConsoleDevice.VIRTIO || !ports.isEmpty() ? 2 : 1;
    }

    private VirtioBlk openDrive(Drive drive) throws BootException {
        BlockDevice disk;
        try {
            disk = drive.snapshot() ? TemporaryOverlay.open(drive)
                    : ImageFormats.open(drive.file(), drive.format(),
                            drive.readOnly() ? OpenOptions.forReading() : OpenOptions.forWriting());
        } catch (IOException | IllegalArgumentException e) {
            throw new BootException(e.getMessage());
        }
        int index = virtioSlots.size();
        return machine.own(new VirtioBlk(disk, drive.serial(), "jvirt-blk" + index));
    }

    private VirtioNet openNic(Nic nic) throws BootException {
        int index = virtioSlots.size();
        try {
            return machine.own(VirtioNet.open(nic.mac(), nic.network().get(), "jvirt-net" + index));
        } catch (IOException | IllegalArgumentException e) {
            throw new BootException(e.getMessage());
        }
    }

    /** Puts a device in the next free virtio-mmio slot, as QEMU's {@code -device virtio-*-device} does. */
    private <T extends VirtioDevice> T plugVirtio(Bus bus, Plic plic, T device) {
        int slot = virtioSlots.size();
        long base = VIRTIO_BASE + slot * VIRTIO_STRIDE;
        bus.map(base, VIRTIO_STRIDE, new MmioTransport(device, ram, plic.line(VIRTIO_IRQ + slot)), "virtio" + slot);
        virtioSlots.add(base);
        return device;
    }

    /**
     * Builds the board: reads and checks the boot files, loads them and wires the devices. The
     * console's bytes go to {@code console}; typed input is fed with {@link #console()}.
     */
    public static VirtBoard create(BoardConfig config, OutputStream console) throws BootException {
        return new VirtBoard(config, console);
    }

    /** The flattened device tree the board hands its firmware (as QEMU's {@code dumpdtb}). */
    public byte[] deviceTreeBlob() {
        return deviceTree.clone();
    }

    /** The console device (UART0, or virtio-console when chosen), for feeding it typed input. */
    public ConsoleInput console() {
        return consoleInput;
    }

    /** The named virtio-console port called {@code name} ({@link BoardConfig#withPorts}), for a host program to talk to. */
    public Optional<HostPort> port(String name) {
        return portDevice == null ? Optional.empty() : portDevice.port(name);
    }

    /** Runs the machine until it ends; returns why it ended. */
    public MachineExit run() throws InterruptedException {
        deadlines.start();
        machine.start();
        return machine.awaitExit();
    }

    /** Pauses the guest, as QEMU's {@code stop}: its harts are held and its clock stands still. */
    public void pause() throws InterruptedException {
        machine.pause();
        clock.freeze();
    }

    /** Lets a paused guest go on (QEMU's {@code cont}); its timers see only the time it ran. */
    public void resume() {
        clock.thaw();
        machine.resume();
        deadlines.reschedule();
    }

    public boolean paused() {
        return machine.paused();
    }

    /** Ends the machine from outside (the user quit). */
    public void quit() {
        machine.exit(new MachineExit.Quit());
    }

    @Override
    public void close() {
        machine.close();
    }

    // ---- loading ----

    private record Loaded(long entry, long end, OptionalLong tohost) {
    }

    /** An ELF is loaded at its segments' physical addresses and entered at its entry; a flat binary at RAM's start. */
    private Loaded loadFirmware(BootFile file) throws BootException {
        String what = file.what();
        if (!ElfImage.isElf(file.head(4))) {
            requireFits(DRAM_BASE, file.size(), what);
            ram.write(DRAM_BASE, file.contents());
            return new Loaded(DRAM_BASE, DRAM_BASE + file.size(), OptionalLong.empty());
        }
        byte[] bytes = file.bytes();
        ElfImage elf = ElfImage.parse(bytes, what);
        long end = DRAM_BASE;
        for (ElfImage.Segment s : elf.segments()) {
            requireFits(s.physicalAddress(), s.memorySize(), what + " (segment at 0x" + Long.toHexString(s.physicalAddress()) + ")");
            byte[] data = new byte[s.fileSize()];
            System.arraycopy(bytes, s.fileOffset(), data, 0, s.fileSize());
            ram.write(s.physicalAddress(), data);
            end = Math.max(end, s.physicalAddress() + s.memorySize());
        }
        if (!ram.contains(elf.entry(), 2)) {
            throw new BootException(what + " has its entry point 0x" + Long.toHexString(elf.entry()) + " outside RAM");
        }
        return new Loaded(elf.entry(), end, elf.symbol("tohost"));
    }

    private void requireFits(long address, long length, String what) throws BootException {
        if (!ram.contains(address, length)) {
            throw new BootException(String.format("%s needs 0x%x-0x%x, outside RAM 0x%x-0x%x; check the file, or give"
                    + " the machine more memory with -m", what, address, address + length, ram.base(), ram.end()));
        }
    }

    private static long alignUp(long v, long to) {
        return (v + to - 1) & -to;
    }

    private static long alignDown(long v, long to) {
        return v & -to;
    }

    /**
     * The reset vector: {@code a0} = hart id, {@code a1} = FDT, {@code a2} = {@code fw_dynamic_info},
     * then a jump to the firmware; the data words follow the code.
     */
    private static byte[] resetRom(long start, long fdt, long kernel) {
        ByteBuffer rom = ByteBuffer.allocate(0x58).order(ByteOrder.LITTLE_ENDIAN);
        rom.putInt(0x00000297); // auipc t0, 0
        rom.putInt(0x02828613); // addi  a2, t0, 40     (fw_dynamic_info)
        rom.putInt(0xF1402573); // csrr  a0, mhartid
        rom.putInt(0x0202B583); // ld    a1, 32(t0)     (FDT address)
        rom.putInt(0x0182B283); // ld    t0, 24(t0)     (firmware entry)
        rom.putInt(0x00028067); // jr    t0
        rom.putLong(start);
        rom.putLong(fdt);
        rom.putLong(FW_DYNAMIC_MAGIC);
        rom.putLong(FW_DYNAMIC_VERSION);
        rom.putLong(kernel); // next_addr
        rom.putLong(NEXT_MODE_S);
        rom.putLong(0); // options
        rom.putLong(0); // boot_hart
        return rom.array();
    }

    // ---- the device tree ----

    private byte[] deviceTree(BoardConfig config, long initrdStart, long initrdEnd) {
        Fdt fdt = new Fdt();
        Fdt.Node root = fdt.root();
        root.cells("#address-cells", 2).cells("#size-cells", 2);
        root.string("compatible", "riscv-virtio");
        root.string("model", "jvirt,virt");

        Fdt.Node chosen = root.node("chosen");
        if (!config.append().isEmpty()) {
            chosen.string("bootargs", config.append());
        }
        chosen.string("stdout-path", "/soc/serial@" + Long.toHexString(UART0_BASE));
        if (initrdEnd > initrdStart) {
            chosen.longs("linux,initrd-start", initrdStart).longs("linux,initrd-end", initrdEnd);
        }
        byte[] seed = new byte[32];
        new SecureRandom().nextBytes(seed);
        chosen.bytes("rng-seed", seed);

        root.node("memory@" + Long.toHexString(DRAM_BASE))
                .string("device_type", "memory")
                .longs("reg", DRAM_BASE, config.memoryBytes());

        Fdt.Node cpus = root.node("cpus");
        cpus.cells("#address-cells", 1).cells("#size-cells", 0).cells("timebase-frequency", (int) TIMEBASE_HZ);
        int[] intc = new int[harts.size()];
        int[] cpuPhandles = new int[harts.size()];
        for (int i = 0; i < harts.size(); i++) {
            cpuPhandles[i] = fdt.allocatePhandle();
            Fdt.Node cpu = cpus.node("cpu@" + i);
            cpu.cells("phandle", cpuPhandles[i]).string("device_type", "cpu").cells("reg", i)
                    .string("status", "okay").string("compatible", "riscv")
                    .string("riscv,isa", Isa.STRING)
                    .string("riscv,isa-base", "rv64i")
                    .string("riscv,isa-extensions", Isa.EXTENSIONS.toArray(String[]::new))
                    .string("mmu-type", Isa.mmuType(config.satpMode()));
            intc[i] = fdt.allocatePhandle();
            cpu.node("interrupt-controller").cells("#address-cells", 0).cells("#interrupt-cells", 1)
                    .flag("interrupt-controller")
                    .string("compatible", "riscv,cpu-intc").cells("phandle", intc[i]);
        }
        Fdt.Node cluster = cpus.node("cpu-map").node("cluster0");
        for (int i = 0; i < harts.size(); i++) {
            cluster.node("core" + i).cells("cpu", cpuPhandles[i]);
        }

        Fdt.Node soc = root.node("soc");
        soc.cells("#address-cells", 2).cells("#size-cells", 2).string("compatible", "simple-bus").flag("ranges");

        int plicPhandle = fdt.allocatePhandle();
        int testPhandle = fdt.allocatePhandle();
        soc.node("rtc@" + Long.toHexString(RTC_BASE)).cells("interrupts", RTC_IRQ).cells("interrupt-parent", plicPhandle)
                .longs("reg", RTC_BASE, GoldfishRtc.SIZE).string("compatible", "google,goldfish-rtc");
        soc.node("serial@" + Long.toHexString(UART0_BASE)).cells("interrupts", UART0_IRQ)
                .cells("interrupt-parent", plicPhandle).cells("clock-frequency", 3686400)
                .longs("reg", UART0_BASE, Uart16550.SIZE).string("compatible", "ns16550a");
        for (int slot = 0; slot < virtioSlots.size(); slot++) {
            long base = virtioSlots.get(slot);
            soc.node("virtio_mmio@" + Long.toHexString(base)).cells("interrupts", VIRTIO_IRQ + slot)
                    .cells("interrupt-parent", plicPhandle).longs("reg", base, VIRTIO_STRIDE)
                    .string("compatible", "virtio,mmio");
        }
        soc.node("test@" + Long.toHexString(TEST_BASE)).cells("phandle", testPhandle).longs("reg", TEST_BASE, 0x1000)
                .string("compatible", "sifive,test1", "sifive,test0", "syscon");

        int[] plicTargets = new int[harts.size() * 4];
        int[] clintTargets = new int[harts.size() * 4];
        for (int i = 0; i < harts.size(); i++) {
            plicTargets[4 * i] = intc[i];
            plicTargets[4 * i + 1] = 11; // M-mode external
            plicTargets[4 * i + 2] = intc[i];
            plicTargets[4 * i + 3] = 9; // S-mode external
            clintTargets[4 * i] = intc[i];
            clintTargets[4 * i + 1] = 3; // M-mode software
            clintTargets[4 * i + 2] = intc[i];
            clintTargets[4 * i + 3] = 7; // M-mode timer
        }
        soc.node("plic@" + Long.toHexString(PLIC_BASE)).cells("phandle", plicPhandle)
                .cells("riscv,ndev", Plic.SOURCES).longs("reg", PLIC_BASE, Plic.SIZE)
                .cells("interrupts-extended", plicTargets).flag("interrupt-controller")
                .string("compatible", "sifive,plic-1.0.0", "riscv,plic0")
                .cells("#address-cells", 0).cells("#interrupt-cells", 1);
        soc.node("clint@" + Long.toHexString(CLINT_BASE)).cells("interrupts-extended", clintTargets)
                .longs("reg", CLINT_BASE, Clint.SIZE).string("compatible", "sifive,clint0", "riscv,clint0");

        root.node("poweroff").cells("value", 0x5555).cells("offset", 0).cells("regmap", testPhandle)
                .string("compatible", "syscon-poweroff");
        root.node("reboot").cells("value", 0x7777).cells("offset", 0).cells("regmap", testPhandle)
                .string("compatible", "syscon-reboot");
        return fdt.toBlob(FDT_SPARE);
    }
}
