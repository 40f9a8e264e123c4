package jvirt.guest.debian;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DebianVersionTest {
    @ParameterizedTest
    @CsvSource({
        "1.0, 1.1",
        "1.9, 1.10",
        "1.0~rc1, 1.0",
        "1.0~~, 1.0~",
        "1.0, 1.0a",
        "1.0a, 1.0+",
        "1.0-1, 1.0-2",
        "1.0-9, 1.0-10",
        "6.12.94-1, 6.12.107-1",
        "9.9, 1:0.1",
        "1.37.0-6+b8, 1.37.0-6+b9",
        "1:1.37.0-6, 1:1.37.0-6+b9",
    })
    void ordersAsDpkgDoes(String lower, String higher) {
        assertThat(DebianVersion.parse(lower)).isLessThan(DebianVersion.parse(higher));
        assertThat(DebianVersion.parse(higher)).isGreaterThan(DebianVersion.parse(lower));
    }

    @ParameterizedTest
    @CsvSource({"1.0, 1.00", "0:1.0, 1.0", "1.01-1, 1.1-1"})
    void equalVersions(String a, String b) {
        assertThat(DebianVersion.parse(a).compareTo(DebianVersion.parse(b))).isZero();
    }

    @ParameterizedTest
    @CsvSource({"1:1.37.0-6+b9, 1, 1.37.0, 6+b9", "6.12.107-1, 0, 6.12.107, 1", "1.6, 0, 1.6, ''", "2.0-rc1-3, 0, 2.0-rc1, 3"})
    void splitsEpochUpstreamAndRevision(String version, long epoch, String upstream, String revision) {
        assertThat(DebianVersion.parse(version)).isEqualTo(new DebianVersion(epoch, upstream, revision));
        assertThat(DebianVersion.parse(version)).hasToString(version);
    }
}
