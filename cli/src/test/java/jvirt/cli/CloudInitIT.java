package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NoCloud seed jvirt writes, read by Linux's own iso9660 driver in the Debian guest: attached
 * by {@code run --cloud-init}, mounted with Rock Ridge, with Joliet alone and with neither, and
 * its files read back as written.
 */
class CloudInitIT {
    private static final Duration BOOT = Duration.ofMinutes(4);
    private static final Duration COMMAND = Duration.ofMinutes(1);
    private static final String PROMPT = "# ";
    private static final String USER_DATA = """
            #cloud-config
            hostname: webserver-01
            write_files:
              - path: /etc/motd
                content: "Provisioned by jvirt, with 'quotes' and a dash-ed name\\n"
            runcmd:
              - [touch, /var/lib/provisioned]
            """;

    @TempDir
    Path dir;


    @Test
    void linuxMountsTheSeedAndReadsItsFilesByTheirNames() throws Exception {
        Path userData = Files.writeString(dir.resolve("web.yaml"), USER_DATA);
        Path network = Files.writeString(dir.resolve("net.yaml"), "version: 2\nethernets:\n  eth0:\n    dhcp4: true\n");
        try (Console console = Console.start(List.of("run", "--net", "none", "--cloud-init",
                "user-data=" + userData + ",network-config=" + network + ",hostname=web-01"))) {
            console.await("BusyBox v", BOOT);
            console.await(PROMPT, BOOT);
            console.type("dmesg -n 1");
            console.await(PROMPT, COMMAND);

            assertThat(console.shell("mount -t iso9660 -o ro /dev/vda /mnt && ls -1 /mnt")).isEqualTo(
                    "meta-data\nnetwork-config\nuser-data");
            assertThat(console.shell("grep -o 'iso9660 ro[^ ]*' /proc/mounts")).contains("nojoliet"); // Rock Ridge's names
            assertThat(console.shell("cat /mnt/user-data")).isEqualTo(USER_DATA.strip());
            assertThat(console.shell("cat /mnt/meta-data")).matches("(?s)instance-id: iid-[0-9a-f]{16}\nlocal-hostname: web-01");
            assertThat(console.shell("stat -c '%a %s' /mnt/network-config")).isEqualTo("444 "
                    + Files.size(network));
            console.shell("umount /mnt");
            assertThat(console.shell("mount -t iso9660 -o ro,norock /dev/vda /mnt && ls -1 /mnt && cat /mnt/user-data | wc -c"))
                    .isEqualTo("meta-data\nnetwork-config\nuser-data\n" + USER_DATA.length()); // Joliet's names
            console.shell("umount /mnt");
            assertThat(console.shell("mount -t iso9660 -o ro,norock,nojoliet /dev/vda /mnt && ls -1 /mnt").toLowerCase())
                    .contains("user_dat").contains("meta_dat"); // ISO 9660's own 8.3 names
            console.type("poweroff -f");
            assertThat(console.exitCode(COMMAND)).isZero();
        }
    }
}
