package jvirt.guest.debian;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the deb822 control format, paragraph by paragraph: {@code Field: value} lines, continuation
 * lines starting with a space or tab, paragraphs separated by blank lines, {@code #} comment lines
 * (allowed in apt's {@code .sources} files) skipped. Streaming, so a 50 MB Packages index is never
 * held as text.
 */
public final class Deb822 {
    private final BufferedReader in;
    private int lineNumber;

    public Deb822(Reader in) {
        this.in = in instanceof BufferedReader buffered ? buffered : new BufferedReader(in);
    }

    /** Every paragraph of {@code text}; IOException for a line that is not deb822. */
    public static List<Stanza> parse(String text) throws IOException {
        Deb822 reader = new Deb822(new StringReader(text));
        List<Stanza> stanzas = new ArrayList<>();
        for (Stanza s; (s = reader.next()) != null; ) {
            stanzas.add(s);
        }
        return stanzas;
    }

    /** The next paragraph, or null at the end of the input. */
    public Stanza next() throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        String field = null;
        StringBuilder value = new StringBuilder();
        for (String line; (line = in.readLine()) != null; ) {
            lineNumber++;
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isBlank()) {
                if (field != null) {
                    break;
                }
                continue; // blank lines before a paragraph
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (field == null) {
                    throw new IOException("line " + lineNumber + ": continuation line outside a field");
                }
                value.append('\n').append(line.strip());
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("line " + lineNumber + ": expected 'Field: value', got '" + line + "'");
            }
            if (field != null) {
                fields.put(field, value.toString());
            }
            field = line.substring(0, colon).strip();
            value.setLength(0);
            value.append(line.substring(colon + 1).strip());
        }
        if (field == null) {
            return null;
        }
        fields.put(field, value.toString());
        return new Stanza(fields);
    }
}
