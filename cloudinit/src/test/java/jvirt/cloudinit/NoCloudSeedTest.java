package jvirt.cloudinit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoCloudSeedTest {
    @TempDir
    Path dir;

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void generatedMetaData() {
        assertThat(text(NoCloudSeed.metaData("iid-abc", "webserver-01"))).isEqualTo("instance-id: iid-abc\nlocal-hostname: webserver-01\n");
        assertThat(text(NoCloudSeed.metaData("iid-abc", null))).isEqualTo("instance-id: iid-abc\n");
        assertThat(text(NoCloudSeed.metaData("1234", "yes"))).isEqualTo("instance-id: '1234'\nlocal-hostname: 'yes'\n");
        assertThat(NoCloudSeed.randomInstanceId()).matches("iid-[0-9a-f-]{36}").isNotEqualTo(NoCloudSeed.randomInstanceId());
        assertThatThrownBy(() -> NoCloudSeed.metaData("iid x", null)).hasMessageContaining("instance id");
        assertThatThrownBy(() -> NoCloudSeed.metaData("iid", "-bad")).hasMessageContaining("hostname");
        assertThatThrownBy(() -> NoCloudSeed.metaData("iid", "a_b")).hasMessageContaining("hostname");
    }

    @Test
    void validatesEveryFile() {
        NoCloudSeed seed = new NoCloudSeed("#cloud-config\nhostnme: a\n".getBytes(), "- x\n".getBytes())
                .withNetworkConfig("version: 3\n".getBytes())
                .withVendorData("plain text\n".getBytes());
        assertThat(seed.validate()).map(Problem::toString).containsExactly(
                "user-data line 2, column 1: unknown key 'hostnme' (did you mean 'hostname'?)",
                "meta-data line 1, column 1: must be a mapping (instance-id: …), not a list",
                "network-config line 1, column 1: version must be 1 or 2",
                "vendor-data line 1, column 1: starts with none of cloud-init's formats: '#cloud-config' (YAML), '#!' (a script),"
                        + " a MIME multipart 'Content-Type: multipart/…' header, '#include', '#cloud-boothook', '#part-handler'"
                        + " or '## template: jinja'");
    }

    @Test
    void networkConfig() {
        assertThat(NoCloudSeed.networkConfigProblems("network:\n  version: 2\n  ethernets: {}\n".getBytes())).isEmpty();
        assertThat(NoCloudSeed.networkConfigProblems("version: 1\nconfig: []\n".getBytes())).isEmpty();
        assertThat(NoCloudSeed.networkConfigProblems("ethernets: {}\n".getBytes())).map(Problem::toString)
                .containsExactly("network-config line 1, column 1: has no 'version' (2 or 1)");
        assertThat(NoCloudSeed.networkConfigProblems(new byte[0])).map(Problem::toString)
                .containsExactly("network-config: empty; it needs 'version: 2' (or 1)");
        assertThat(NoCloudSeed.networkConfigProblems("version: [2\n".getBytes())).singleElement().asString()
                .startsWith("network-config line 2, column 1: ");
    }

    @Test
    void metaDataMayBeJsonOrEmpty() {
        assertThat(NoCloudSeed.metaDataProblems("{\"instance-id\": \"i-1\"}".getBytes())).isEmpty();
        assertThat(NoCloudSeed.metaDataProblems(new byte[0])).isEmpty();
    }

    @Test
    void theImageHoldsTheFilesUnderTheirNames() throws Exception {
        byte[] user = UserDataTest.WEB_SERVER.getBytes(StandardCharsets.UTF_8);
        NoCloudSeed seed = new NoCloudSeed(user, NoCloudSeed.metaData("iid-1", "webserver-01"));
        assertThat(seed.validate()).isEmpty();
        byte[] image = seed.image(IsoImageTest.T).toByteArray();
        var joliet = IsoImageTest.directory(image, 17 * IsoImage.SECTOR_SIZE + 156);
        assertThat(joliet.stream().skip(2).map(r -> new String(r.identifier(), StandardCharsets.UTF_16BE)))
                .containsExactly("meta-data", "user-data");
        var userData = joliet.get(3);
        assertThat(new String(image, userData.extent() * IsoImage.SECTOR_SIZE, userData.dataLength(), StandardCharsets.UTF_8))
                .isEqualTo(UserDataTest.WEB_SERVER);
        assertThat(seed.image(IsoImageTest.T).toByteArray()).isEqualTo(image);
    }

    @Test
    void readRefusesLargeFiles() throws Exception {
        Path big = dir.resolve("big");
        Files.write(big, new byte[NoCloudSeed.MAX_FILE_SIZE + 1]);
        assertThatThrownBy(() -> NoCloudSeed.read(big, "user-data")).hasMessage("user-data " + big + ": larger than 16 MiB");
        Path small = dir.resolve("small");
        Files.writeString(small, "#!/bin/sh\n");
        assertThat(NoCloudSeed.read(small, "user-data")).isEqualTo("#!/bin/sh\n".getBytes());
    }
}
