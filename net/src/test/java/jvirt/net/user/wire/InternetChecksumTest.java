package jvirt.net.user.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {
    /** RFC 1071 as written: 16-bit words, end-around carry at every step. */
    private static int reference(byte[] data, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i += 2) {
            int word = (data[i] & 0xFF) << 8 | (i + 1 < to ? data[i + 1] & 0xFF : 0);
            sum += word;
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return sum;
    }

    @Test
    void matchesRfc1071AtEveryLengthAndAlignment() {
        SplittableRandom random = new SplittableRandom(1071);
        for (int n = 0; n < 2000; n++) {
            byte[] data = new byte[random.nextInt(1, 3000)];
            random.nextBytes(data);
            int from = random.nextInt(data.length);
            int to = from + random.nextInt(data.length - from + 1);
            long sum = InternetChecksum.add(0, ByteBuffer.wrap(data), from, to);
            assertThat(InternetChecksum.fold(sum)).isEqualTo(reference(data, from, to));
        }
    }

    @Test
    void rfc1071Example() {
        byte[] data = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        assertThat(InternetChecksum.fold(InternetChecksum.add(0, ByteBuffer.wrap(data), 0, 8))).isEqualTo(0xddf2);
        assertThat(InternetChecksum.finish(InternetChecksum.add(0, ByteBuffer.wrap(data), 0, 8))).isEqualTo(0x220d);
    }

    @Test
    void aFilledTransportChecksumVerifies() {
        ByteBuffer b = ByteBuffer.allocate(100);
        for (int i = 0; i < 100; i++) {
            b.put(i, (byte) (i * 7));
        }
        InternetChecksum.fillTransport(b, 10, 81, Ipv4Header.PROTOCOL_TCP, 0x0A00020F, 0x7F000001, 16);
        assertThat(InternetChecksum.verifiesTransport(b, 10, 81, Ipv4Header.PROTOCOL_TCP, 0x0A00020F, 0x7F000001)).isTrue();
        b.put(50, (byte) (b.get(50) + 1));
        assertThat(InternetChecksum.verifiesTransport(b, 10, 81, Ipv4Header.PROTOCOL_TCP, 0x0A00020F, 0x7F000001)).isFalse();
    }

    @Test
    void tcpOptionsAreBoundsChecked() {
        ByteBuffer b = ByteBuffer.allocate(40);
        TcpSegment.write(b, 0, 1, 2, 3, 4, TcpSegment.SYN, 5, 20);
        TcpSegment.writeSynOptions(b, 20, 1460, 7);
        b.put(28, (byte) 4).put(29, (byte) 2); // SACK permitted
        b.put(30, (byte) 1).put(31, (byte) 0); // NOP, END
        TcpSegment s = new TcpSegment();
        assertThat(s.decode(b, 0, 40, 0, 0, false)).isNull();
        assertThat(s.mss).isEqualTo(1460);
        assertThat(s.windowScale).isEqualTo(7);
        b.put(28, (byte) 8).put(29, (byte) 40); // an option running past the header
        assertThat(s.decode(b, 0, 40, 0, 0, false)).isEqualTo(Defect.MALFORMED);
        b.put(28, (byte) 8).put(29, (byte) 0); // a zero-length option would never end
        assertThat(s.decode(b, 0, 40, 0, 0, false)).isEqualTo(Defect.MALFORMED);
        b.put(12, (byte) 0x40); // data offset 16 bytes
        assertThat(s.decode(b, 0, 40, 0, 0, false)).isEqualTo(Defect.MALFORMED);
        b.put(12, (byte) 0xF0); // data offset 60 bytes, past the segment
        assertThat(s.decode(b, 0, 40, 0, 0, false)).isEqualTo(Defect.TRUNCATED);
    }
}
