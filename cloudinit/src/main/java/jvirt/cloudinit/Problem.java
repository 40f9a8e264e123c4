package jvirt.cloudinit;

/**
 * Something wrong in a seed file, where it is: {@code line} and {@code column} count from 1, and
 * are 0 for a problem with the whole file.
 *
 * @param source the file, as cloud-init names it ({@code user-data}, {@code meta-data} …)
 */
public record Problem(String source, int line, int column, String message) {
    static Problem of(String source, String message) {
        return new Problem(source, 0, 0, message);
    }

    /** One line: {@code user-data line 3, column 5: hostname must be a string, not a list}. */
    @Override
    public String toString() {
        return line > 0 ? source + " line " + line + ", column " + column + ": " + message : source + ": " + message;
    }
}
