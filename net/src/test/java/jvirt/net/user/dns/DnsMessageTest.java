package jvirt.net.user.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DnsMessageTest {
    private static ByteBuffer query(byte[] name) {
        ByteBuffer q = ByteBuffer.allocate(12 + name.length + 4 + 11);
        q.putShort((short) 0x4242).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 1);
        q.put(name).putShort((short) 28).putShort((short) 1);
        q.put(new byte[] {0, 0, 41, 4, (byte) 0xd0, 0, 0, 0, 0, 0, 0}); // an EDNS OPT record, not repeated in the answer
        return q;
    }

    @Test
    void serverFailureRepeatsTheQuestionOnly() {
        ByteBuffer q = query(new byte[] {3, 'w', 'w', 'w', 0});
        ByteBuffer out = ByteBuffer.allocate(512);
        int n = DnsMessage.serverFailure(q, 0, q.limit(), out);
        assertThat(n).isEqualTo(12 + 5 + 4);
        assertThat(out.getShort(0)).isEqualTo((short) 0x4242);
        assertThat(out.getShort(2) & 0xFFFF).isEqualTo(0x8182);
        assertThat(out.getShort(4)).isEqualTo((short) 1);
        assertThat(out.getShort(10)).isZero();
        assertThat(out.get(12)).isEqualTo((byte) 3);
    }

    @Test
    void questionsAreBoundsChecked() {
        assertThat(DnsMessage.questionEnd(query(new byte[] {3, 'w', 'w', 'w', 0}), 0, 12 + 5 + 3)).isEqualTo(-1);
        assertThat(DnsMessage.questionEnd(query(new byte[] {64, 'w', 0}), 0, 40)).isEqualTo(-1);
        assertThat(DnsMessage.questionEnd(query(new byte[] {(byte) 0xC0, 12}), 0, 40)).isEqualTo(-1);
        assertThat(DnsMessage.questionEnd(query(new byte[] {9, 'w'}), 0, 14)).isEqualTo(-1);
        assertThat(DnsMessage.questionEnd(ByteBuffer.allocate(11), 0, 11)).isEqualTo(-1);
    }
}
