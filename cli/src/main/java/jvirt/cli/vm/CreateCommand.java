package jvirt.cli.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import jvirt.cli.SeedSpec;
import jvirt.cli.Sizes;
import jvirt.cli.TerminalProgress;
import jvirt.cloudinit.NoCloudSeed;
import jvirt.guest.GuestImage;
import jvirt.guest.GuestImages;
import jvirt.image.BlockDevice;
import jvirt.image.OpenOptions;
import jvirt.image.ImageFormats;
import jvirt.manager.VmDefinition;
import jvirt.manager.VmName;
import jvirt.manager.VmStore;
import jvirt.net.MacAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvirt vm create NAME [--image I] [--cpus N] [--memory SIZE] [--disk SIZE] [--forward [udp:]HOST:GUEST]…} */
@Command(name = "create", description = "Define a new VM (the guest image is pulled first if it is not cached).")
final class CreateCommand extends VmSubcommand {
    static final String DISK_FILE = "disk.qcow2";
    static final String SEED_FILE = "seed.iso";
    static final String USER_DATA_FILE = "user-data";
    static final String KERNEL_FILE = "vmlinux";
    static final String INITRD_FILE = "initrd.img";
    static final String FIRMWARE_FILE = "fw_dynamic.bin";
    /**
     * The network a cloud image's cloud-init sets up: DHCP on the one NIC, IPv4 only. cloud-init's
     * fallback asks DHCPv6 too, which the user-mode NAT does not answer, and ifupdown waits for it.
     */
    static final String NETWORK_CONFIG = """
            # jvirt: the user-mode NAT's DHCP (10.0.2.0/24); it has no DHCPv6
            version: 2
            ethernets:
              eth0:
                dhcp4: true
            """;

    /**
     * The platform's defaults, which user-data overrides (vendor-data, as clouds give it): the
     * host name in /etc/hosts, as Debian's own cloud images have it, so that sudo and others can
     * resolve it.
     */
    static final String VENDOR_DATA = """
            #cloud-config
            manage_etc_hosts: true
            """;

    @Parameters(index = "0", paramLabel = "NAME",
            description = "Letters, digits and hyphens, starting with a letter; it becomes the guest's host name.")
    String name;

    @Option(names = "--image", paramLabel = "IMAGE", defaultValue = GuestImages.DEFAULT_IMAGE,
            description = "The guest image (jvirt image list). Default: ${DEFAULT-VALUE}.")
    String image;

    @Option(names = {"--cpus", "--smp"}, paramLabel = "N", defaultValue = "1", description = "Harts. Default: ${DEFAULT-VALUE}.")
    int cpus;

    @Option(names = {"--memory", "-m"}, paramLabel = "SIZE", defaultValue = "512M",
            description = "Guest RAM, e.g. 512M or 2G. Default: ${DEFAULT-VALUE}.")
    String memory;

    @Option(names = "--disk", paramLabel = "SIZE",
            description = "The guest's /dev/vda, a qcow2 file in the VM's directory: for an image with a disk (a cloud"
                    + " image), an overlay on it of this size (at least the image's; default the image's), else a blank"
                    + " disk of this size (e.g. 8G).")
    String disk;

    @Option(names = {"--net", "-nic"}, paramLabel = "user[,OPTIONS]|none", defaultValue = VmDefinition.USER_NETWORK,
            description = "The network: user-mode NAT (default) with jvirt run's options (restrict=on, net=, dns=, …),"
                    + " or none.")
    String network;

    @Option(names = {"--kernel", "-kernel"}, paramLabel = "FILE", description = "Boot this kernel instead of the image's.")
    Path kernel;

    @Option(names = {"--initrd", "-initrd"}, paramLabel = "FILE", description = "With --kernel: its initial RAM disk.")
    Path initrd;

    @Option(names = {"--bios", "-bios"}, paramLabel = "FILE", description = "Firmware instead of the image's OpenSBI.")
    Path bios;

    @Option(names = {"--append", "-append"}, paramLabel = "CMDLINE",
            description = "The kernel command line (default: the image's, or none with --kernel).")
    String append;

    @Option(names = "--cloud-init", paramLabel = "USER-DATA",
            description = "Provision the guest with cloud-init: this user-data (checked now) in a NoCloud seed, with the VM's"
                    + " name as local-hostname and an instance id of its own, attached read-only after the disk. A VM of a"
                    + " cloud image gets such a seed with empty user-data when this is left out.")
    Path userData;

    @Option(names = "--network-config", paramLabel = "FILE",
            description = "cloud-init's network-config (version 1 or 2) for the seed, in place of the default (a cloud"
                    + " image's: DHCPv4 on eth0). Needs a seed: --cloud-init, or a cloud image.")
    Path networkConfig;

    @Option(names = "--forward", paramLabel = "[udp:][HOSTADDR:]HOSTPORT:GUESTPORT",
            description = "Forward a host port to the guest (TCP unless udp:); repeatable. HOSTADDR defaults to 127.0.0.1.")
    List<String> forwards = new ArrayList<>();

    @Override
    int execute() throws IOException {
        VmName vm = name(name);
        List<String> hostfwds = new ArrayList<>();
        for (String forward : forwards) {
            hostfwds.add(hostfwd(forward));
        }
        long diskBytes = disk == null ? 0 : diskSize(disk);
        // Checked before anything is made; the instance id is this VM's for good, so later boots do not provision again.
        NoCloudSeed seed = userData == null ? null
                : new SeedSpec(userData, null, networkConfig, null, vm.value(), NoCloudSeed.randomInstanceId()).seed();
        VmDefinition.Boot boot = new VmDefinition.Boot(bootFile(kernel, "--kernel"), bootFile(initrd, "--initrd"),
                bootFile(bios, "--bios"), append);
        String mac = randomMac().toString();
        // Every argument is checked (the definition checks its own) before the image, which may take long, is pulled.
        new VmDefinition(vm.value(), cpus, Sizes.parseMemory(memory), image, boot, List.of(), network, mac, hostfwds);
        if (!GuestImages.available().contains(image)) {
            throw new IllegalArgumentException("there is no guest image '" + image + "'; 'jvirt image list' shows them");
        }
        GuestImage guest = GuestImages.pull(image, GuestImages.cacheRoot(), false, TerminalProgress.onStderr());
        VmStore store = store();
        Path dir = store.directory(vm);
        Optional<Path> base = guest.baseDisk();
        long baseBytes = base.isPresent() ? virtualSize(base.get()) : 0;
        if (diskBytes > 0 && diskBytes < baseBytes) {
            throw new IllegalArgumentException("--disk " + disk + " is smaller than the image's disk ("
                    + jvirt.image.Sizes.human(baseBytes) + "); give at least that");
        }
        boolean fromDisk = base.isPresent() && kernel == null;
        if (fromDisk) {
            // The VM boots the kernel on its own disk (copied out at each boot), and keeps the firmware it was made with.
            boot = new VmDefinition.Boot(dir.resolve(KERNEL_FILE).toString(), dir.resolve(INITRD_FILE).toString(),
                    bios != null ? boot.firmware() : dir.resolve(FIRMWARE_FILE).toString(),
                    append != null ? append : guest.defaultAppend(), true);
        }
        if (base.isPresent()) {
            if (seed == null) {
                // A cloud image without a seed would have cloud-init find no data source and leave even the network down.
                seed = new NoCloudSeed("#cloud-config\n".getBytes(StandardCharsets.UTF_8),
                        NoCloudSeed.metaData(NoCloudSeed.randomInstanceId(), vm.value()));
                if (networkConfig != null) {
                    seed = seed.withNetworkConfig(SeedSpec.read(networkConfig, "network-config"));
                }
            }
            if (networkConfig == null) {
                seed = seed.withNetworkConfig(NETWORK_CONFIG.getBytes(StandardCharsets.UTF_8));
            }
            seed = seed.withVendorData(VENDOR_DATA.getBytes(StandardCharsets.UTF_8)).requireValid();
        } else if (networkConfig != null && seed == null) {
            throw new IllegalArgumentException("--network-config goes into a cloud-init seed: give --cloud-init too,"
                    + " or make the VM from a cloud image");
        }
        List<VmDefinition.Disk> disks = new ArrayList<>();
        if (base.isPresent() || disk != null) {
            disks.add(new VmDefinition.Disk(DISK_FILE, "qcow2"));
        }
        if (seed != null) {
            disks.add(new VmDefinition.Disk(SEED_FILE, "raw", true));
        }
        VmDefinition definition = new VmDefinition(vm.value(), cpus, Sizes.parseMemory(memory), image, boot, disks,
                network, mac, hostfwds);
        store.create(definition);
        try {
            if (base.isPresent()) {
                ImageFormats.QCOW2.create(dir.resolve(DISK_FILE), Math.max(diskBytes, baseBytes),
                        Map.of("backing_file", base.get().toAbsolutePath().toString(), "backing_fmt", "qcow2"));
            } else if (diskBytes > 0) {
                ImageFormats.QCOW2.create(dir.resolve(DISK_FILE), diskBytes, Map.of());
            }
            if (fromDisk && bios == null) {
                Files.copy(guest.firmware(), dir.resolve(FIRMWARE_FILE));
            }
            if (userData != null) {
                Files.copy(userData, dir.resolve(USER_DATA_FILE)); // kept beside the seed, for the record
            }
            if (seed != null) {
                seed.image(Instant.now()).writeTo(dir.resolve(SEED_FILE));
            }
        } catch (IOException | RuntimeException e) {
            try (var lock = store.lock(vm)) {
                store.delete(lock, vm);
            }
            throw e;
        }
        out().println("VM '" + vm + "' created in " + store.directory(vm) + "; 'jvirt vm start " + vm + "' starts it");
        return 0;
    }

    /** A boot file's absolute path, checked now so that a typo fails at create, not at every start. */
    private static String bootFile(Path file, String option) {
        if (file == null) {
            return null;
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such readable file");
        }
        return file.toAbsolutePath().normalize().toString();
    }

    private static long virtualSize(Path image) throws IOException {
        try (BlockDevice device = ImageFormats.open(image, ImageFormats.QCOW2, OpenOptions.forReading())) {
            return device.size();
        }
    }

    private static long diskSize(String text) {
        long bytes = jvirt.image.Sizes.parse(text);
        if (bytes < 1 << 20) {
            throw new IllegalArgumentException("--disk " + text + ": a disk needs at least 1M");
        }
        return bytes;
    }

    /** {@code [udp:][HOSTADDR:]HOSTPORT:GUESTPORT} as QEMU's {@code hostfwd=PROTO:HOSTADDR:HOSTPORT-:GUESTPORT}. */
    static String hostfwd(String forward) {
        String protocol = "tcp";
        String rest = forward;
        for (String p : List.of("tcp:", "udp:")) {
            if (rest.startsWith(p)) {
                protocol = p.substring(0, 3);
                rest = rest.substring(4);
            }
        }
        String[] parts = rest.split(":", -1);
        String address;
        String hostPort;
        String guestPort;
        if (parts.length == 2) {
            address = "";
            hostPort = parts[0];
            guestPort = parts[1];
        } else if (parts.length == 3) {
            address = parts[0];
            hostPort = parts[1];
            guestPort = parts[2];
        } else {
            throw new IllegalArgumentException("--forward " + forward + ": write [udp:][HOSTADDR:]HOSTPORT:GUESTPORT,"
                    + " e.g. 8080:80");
        }
        return protocol + ":" + address + ":" + hostPort + "-:" + guestPort;
    }

    /** QEMU's prefix 52:54:00 and three random bytes, as libvirt gives each new domain. */
    private static MacAddress randomMac() {
        return new MacAddress(0x5254_0000_0000L | RandomGenerator.getDefault().nextLong(1 << 24));
    }
}
