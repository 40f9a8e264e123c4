package jvirt.guest.debian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class Deb822Test {
    @Test
    void readsParagraphsWithContinuationLinesAndCaseInsensitiveNames() throws IOException {
        List<Stanza> stanzas = Deb822.parse("""

                Package: one
                Description: short
                 long line one
                 .
                 long line two

                # a comment between paragraphs
                package: two
                """);

        assertThat(stanzas).hasSize(2);
        assertThat(stanzas.get(0).get("package")).contains("one");
        assertThat(stanzas.get(0).get("DESCRIPTION")).contains("short\nlong line one\n.\nlong line two");
        assertThat(stanzas.get(1).get("Package")).contains("two");
        assertThat(stanzas.get(1).get("Version")).isEmpty();
    }

    @Test
    void rejectsALineThatIsNotAField() {
        Deb822 reader = new Deb822(new StringReader("Package: x\nnot a field\n"));

        assertThatThrownBy(reader::next).isInstanceOf(IOException.class).hasMessageContaining("line 2");
    }
}
