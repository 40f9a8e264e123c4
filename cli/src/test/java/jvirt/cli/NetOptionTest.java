package jvirt.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import jvirt.net.MacAddress;
import org.junit.jupiter.api.Test;

/** {@code --net} as QEMU's {@code -nic} lines write it. */
class NetOptionTest {
    private final PrintWriter err = new PrintWriter(new StringWriter());

    @Test
    void userIsOneCardWithQemusDefaultMacAndNoneIsNoCard() {
        assertThat(NetOption.parse("user", null, err)).singleElement()
                .satisfies(nic -> assertThat(nic.mac()).isEqualTo(MacAddress.QEMU_DEFAULT));
        assertThat(NetOption.parse("none", null, err)).isEmpty();
    }

    @Test
    void aQemuNicLineWithIdModelAndMacIsTaken() {
        assertThat(NetOption.parse("user,id=n0,model=virtio-net-pci,mac=52:54:00:00:00:07,hostfwd=tcp::2222-:22", null, err))
                .singleElement().satisfies(nic -> assertThat(nic.mac()).isEqualTo(MacAddress.parse("52:54:00:00:00:07")));
        assertThat(NetOption.parse("user", "52:54:00:00:00:08", err)).singleElement()
                .satisfies(nic -> assertThat(nic.mac()).isEqualTo(MacAddress.parse("52:54:00:00:00:08")));
    }

    @Test
    void whatCannotBeHadIsAOneLineError() {
        assertThatThrownBy(() -> NetOption.parse("user,model=e1000", null, err))
                .hasMessageContaining("model=e1000 is not available");
        assertThatThrownBy(() -> NetOption.parse("user,mac=52:54:00:00:00:07", "52:54:00:00:00:08", err))
                .hasMessageContaining("given twice");
        assertThatThrownBy(() -> NetOption.parse("tap,ifname=tap0", null, err)).hasMessageContaining("--net tap is not available");
        assertThatThrownBy(() -> NetOption.parse("none,restrict=on", null, err)).hasMessageContaining("takes no options");
        assertThatThrownBy(() -> NetOption.parse("user,hostfwd=tcp::0-:80", null, err)).hasMessageStartingWith("--net user,");
    }
}
