package jvirt.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jvirt.core.MachineExit;
import jvirt.cloudinit.NoCloudSeed;
import jvirt.guest.GuestImage;
import jvirt.guest.GuestImages;
import jvirt.image.ImageFormats;
import jvirt.riscv.Isa;
import jvirt.virt.BoardConfig;
import jvirt.virt.Drive;
import jvirt.virt.VirtBoard;
import jvirt.virt.boot.BootException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jvirt run}: boots a virt machine in the foreground with its serial console on this
 * terminal, like {@code qemu-system-riscv64 -M virt -nographic}. With no kernel and no firmware it
 * boots the default guest, pulling it first if needed.
 */
@Command(name = "run", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Boot a RISC-V virt machine with its serial console on this terminal.",
            "With no --kernel and no --bios, boots the default Debian guest (pulled on first use).",
            "Ctrl-A X quits; Ctrl-A H lists the console's escapes."},
        footer = {"", "Exit status: 0 when the guest powers off (or reboots with --no-reboot, or Ctrl-A X);",
            "the guest's own status when it reports a failure (sifive_test, tohost);",
            "1 for bad arguments or boot files; 3 when the machine cannot go on."})
final class RunCommand implements Callable<Integer> {
    /** Where Debian's opensbi package puts the firmware on a host that has it installed. */
    private static final Path HOST_OPENSBI = Path.of("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin");

    @Spec
    private CommandSpec spec;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "512M",
            description = "Guest RAM, e.g. 512M or 2G (no suffix: MiB). Default: ${DEFAULT-VALUE}.")
    private String memory;

    @Option(names = {"--smp", "-smp"}, paramLabel = "N", defaultValue = "1",
            description = "Number of harts (CPUs), each on its own thread. Default: ${DEFAULT-VALUE}.")
    private int cpus;

    @Option(names = {"--bios", "-bios"}, paramLabel = "FILE",
            description = "Firmware: a flat binary loaded at 0x80000000, or a RISC-V ELF loaded at its own"
                    + " addresses and entered in M-mode (an ELF defining 'tohost' ends the run when it writes there)."
                    + " Default: OpenSBI fw_dynamic.bin.")
    private Path bios;

    @Option(names = {"--kernel", "-kernel"}, paramLabel = "FILE", description = "Linux kernel Image.")
    private Path kernel;

    @Option(names = {"--initrd", "-initrd"}, paramLabel = "FILE", description = "Initial RAM disk (cpio archive).")
    private Path initrd;

    @Option(names = {"--append", "-append"}, paramLabel = "CMDLINE", description = "Kernel command line.")
    private String append;

    @Option(names = {"--drive", "-drive"}, paramLabel = "file=PATH[,format=raw][,readonly=on][,if=virtio]",
            description = "A virtio disk; repeat for more (/dev/vda, /dev/vdb ... in order). A doubled comma is a"
                    + " comma in a value.")
    private List<String> drives = new ArrayList<>();

    @Option(names = {"--net", "-nic", "-net"}, paramLabel = "user[,hostfwd=tcp::HOSTPORT-:GUESTPORT]…|none",
            defaultValue = "user", description = {"The network card's network: user-mode NAT (default; the guest gets"
                + " 10.0.2.15 by DHCP, the host is 10.0.2.2, DNS 10.0.2.3) or none.",
                "Options as QEMU's -nic user: hostfwd=tcp|udp:[HOSTADDR]:PORT-[GUESTADDR]:PORT (repeatable),"
                + " restrict=on, net=, host=, dns=, dhcpstart=, hostname=."})
    private String net;

    @Option(names = {"--mac"}, paramLabel = "52:54:00:12:34:56",
            description = "The network card's MAC address (default QEMU's 52:54:00:12:34:56).")
    private String mac;

    @Option(names = "--cloud-init", paramLabel = "user-data=FILE[,meta-data=FILE][,network-config=FILE][,hostname=H][,instance-id=ID]",
            description = {"Attach a NoCloud seed made from these files (checked first: a problem stops the boot) as the"
                + " last drive.", "The instance id defaults to one derived from the user-data, so booting the same disk"
                + " again does not provision it again; give instance-id= to provision afresh."})
    private String cloudInit;

    @Option(names = "--console", paramLabel = "serial|virtio", defaultValue = "serial",
            description = "The device on this terminal: the 16550 UART (ttyS0) or virtio-console (hvc0)."
                    + " Default: ${DEFAULT-VALUE}.")
    private String consoleDevice;

    @Option(names = {"--no-reboot", "-no-reboot"}, description = "Exit instead of restarting when the guest reboots.")
    private boolean noReboot;

    @Option(names = "--dump-dtb", paramLabel = "FILE",
            description = "Write the device tree the machine would boot with to FILE and exit (QEMU's dumpdtb).")
    private Path dumpDtb;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        BoardConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException | IOException e) {
            Main.report(err, e);
            return 1;
        }
        if (dumpDtb != null) {
            try (VirtBoard board = VirtBoard.create(config, OutputStream.nullOutputStream())) {
                Files.write(dumpDtb, board.deviceTreeBlob());
                spec.commandLine().getOut().println("device tree written to " + dumpDtb);
                return 0;
            } catch (BootException e) {
                err.println("jvirt: " + e.getMessage());
                return 1;
            }
        }
        try (StdioConsole console = StdioConsole.ofProcess()) {
            while (true) {
                MachineExit exit;
                try (VirtBoard board = VirtBoard.create(config, console.output())) {
                    console.attach(board.console(), board::quit);
                    exit = board.run();
                } catch (BootException e) {
                    err.println("jvirt: " + e.getMessage());
                    return 1;
                }
                if (exit instanceof MachineExit.Reset && !noReboot && !console.quitRequested()) {
                    continue;
                }
                console.close();
                if (exit instanceof MachineExit.Fault fault) {
                    err.println("jvirt: " + fault.message());
                }
                return exit.exitCode();
            }
        }
    }

    private BoardConfig config() throws IOException {
        long bytes = Sizes.parseMemory(memory);
        BoardConfig.ConsoleDevice consoleKind = switch (consoleDevice) {
            case "serial" -> BoardConfig.ConsoleDevice.SERIAL;
            case "virtio" -> BoardConfig.ConsoleDevice.VIRTIO;
            default -> throw new IllegalArgumentException("--console " + consoleDevice + ": choose serial or virtio");
        };
        List<Drive> disks = new ArrayList<>();
        for (String d : drives) {
            disks.add(DriveOption.parse(d, spec.commandLine().getErr()));
        }
        if (cloudInit != null) {
            disks.add(seedDrive(SeedSpec.parse(cloudInit, "--cloud-init")));
        }
        Path firmware = bios;
        Path kernelImage = kernel;
        Path initrdImage = initrd;
        String cmdline = append;
        if (kernelImage == null && initrdImage != null) {
            throw new IllegalArgumentException("--initrd needs --kernel");
        }
        if (kernelImage == null && bios == null) {
            GuestImage guest = GuestImages.pull(GuestImages.DEFAULT_IMAGE, GuestImages.cacheRoot(), false,
                    TerminalProgress.onStderr());
            firmware = guest.firmware();
            kernelImage = guest.kernel();
            initrdImage = guest.initrd();
            cmdline = append == null ? onConsole(guest.defaultAppend(), consoleKind) : append;
        } else if (firmware == null) {
            firmware = defaultFirmware();
        }
        return new BoardConfig(bytes, cpus, Isa.SATP_SV48, firmware, kernelImage, initrdImage, cmdline)
                .withNics(NetOption.parse(net, mac, spec.commandLine().getErr())).withDrives(disks).withConsole(consoleKind);
    }

    /** The seed, written to a temporary file for this run, as a read-only raw drive. */
    private static Drive seedDrive(SeedSpec seed) throws IOException {
        if (seed.metaData() == null && seed.instanceId() == null) {
            seed = seed.withInstanceId(contentInstanceId(seed.userData()));
        }
        NoCloudSeed checked = seed.seed();
        Path file = Files.createTempFile("jvirt-seed-", ".iso");
        file.toFile().deleteOnExit();
        checked.image(Instant.now()).writeTo(file);
        return new Drive(file, ImageFormats.RAW, true, false, NoCloudSeed.VOLUME_ID);
    }

    /** {@code iid-} and the first 16 hex digits of the user-data's SHA-256: the same user-data, the same instance. */
    private static String contentInstanceId(Path userData) throws IOException {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(NoCloudSeed.read(userData, "user-data"));
            return "iid-" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchFileException e) {
            throw new IOException(e.getFile() + ": no such file", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    /** The default guest's command line names the serial console; with virtio-console it is hvc0. */
    private static String onConsole(String defaultAppend, BoardConfig.ConsoleDevice device) {
        return device == BoardConfig.ConsoleDevice.VIRTIO ? defaultAppend.replace("console=ttyS0", "console=hvc0")
                : defaultAppend;
    }

    /** OpenSBI for a user-supplied kernel: the default guest's, else the host's opensbi package, else pulled. */
    private static Path defaultFirmware() throws IOException {
        var cached = GuestImages.cached(GuestImages.DEFAULT_IMAGE, GuestImages.cacheRoot());
        if (cached.isPresent()) {
            return cached.get().firmware();
        }
        if (Files.isReadable(HOST_OPENSBI)) {
            return HOST_OPENSBI;
        }
        return GuestImages.pull(GuestImages.DEFAULT_IMAGE, GuestImages.cacheRoot(), false, TerminalProgress.onStderr())
                .firmware();
    }
}
