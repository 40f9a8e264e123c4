package jvirt.image.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import jvirt.image.ImageFormats;
import jvirt.image.OpenOptions;
import jvirt.image.QemuImg;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qcow2SmokeTest {
    @TempDir
    Path dir;

    @Test
    void smoke() throws Exception {
        Path img = dir.resolve("a.qcow2");
        ImageFormats.QCOW2.create(img, 64 << 20, Map.of());
        System.out.println(QemuImg.run("check", img.toString()));
        System.out.println(QemuImg.run("info", img.toString()).out());
        byte[] expected = new byte[64 << 20];
        Random r = new Random(1);
        try (Qcow2Image q = Qcow2Image.open(img, OpenOptions.forWriting())) {
            for (int i = 0; i < 200; i++) {
                int len = 1 + r.nextInt(200_000);
                int off = r.nextInt(expected.length - len);
                byte[] data = new byte[len];
                r.nextBytes(data);
                System.arraycopy(data, 0, expected, off, len);
                q.write(off, MemorySegment.ofArray(data));
            }
            q.flush();
            byte[] back = new byte[expected.length];
            q.read(0, MemorySegment.ofArray(back));
            assertThat(back).isEqualTo(expected);
        }
        Path raw = dir.resolve("e.raw");
        Files.write(raw, expected);
        System.out.println(QemuImg.run("check", img.toString()));
        assertThat(QemuImg.run("compare", "-f", "qcow2", "-F", "raw", img.toString(), raw.toString()).exit()).isZero();
    }
}
