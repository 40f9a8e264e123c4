package jvirt.cli;

import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;
import jvirt.guest.Progress;

/**
 * Shows the progress of a guest pull on stderr. On a terminal, one line redrawn in place: what is
 * happening, a bar, the percentage and megabytes. Elsewhere (a log, a pipe), one line when each
 * item starts and one when it ends, so logs stay short.
 */
public final class TerminalProgress implements Progress {
    private static final long REDRAW_NANOS = 100_000_000L;
    /** Label, bar and figures fit in 79 columns, so the carriage return redraws one line. */
    private static final int LABEL_WIDTH = 44;
    private static final int BAR_WIDTH = 10;

    private final PrintStream out;
    private final boolean terminal;
    private String what;
    private long total;
    private long done;
    private boolean items;
    private long startedNanos;
    private long drawnNanos;

    TerminalProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** Progress on this process's stderr, drawn as a bar when stderr is a terminal. */
    public static TerminalProgress onStderr() {
        Console console = System.console();
        return new TerminalProgress(System.err, console != null && console.isTerminal());
    }

    @Override
    public void begin(String what, long totalBytes) {
        start(what, totalBytes, false);
    }

    @Override
    public void beginItems(String what, long totalItems) {
        start(what, totalItems, true);
    }

    private void start(String what, long totalBytes, boolean items) {
        this.items = items;
        this.what = what;
        this.total = totalBytes;
        this.done = 0;
        this.startedNanos = System.nanoTime();
        if (terminal) {
            draw();
        } else {
            out.println("jvirt: " + what + (totalBytes >= 0 ? " (" + amount(totalBytes) + ")" : ""));
        }
    }

    @Override
    public void advance(long bytes) {
        done += bytes;
        if (terminal && System.nanoTime() - drawnNanos >= REDRAW_NANOS) {
            draw();
        }
    }

    @Override
    public void done() {
        if (terminal) {
            draw();
            out.println();
        } else {
            double seconds = (System.nanoTime() - startedNanos) / 1e9;
            out.println("jvirt: " + what + ": " + (done > 0 ? amount(done) + " in " : "")
                    + String.format(Locale.ROOT, "%.1f s", seconds));
        }
        out.flush();
    }

    private void draw() {
        drawnNanos = System.nanoTime();
        String label = what.length() <= LABEL_WIDTH ? what : what.substring(0, LABEL_WIDTH - 3) + "...";
        StringBuilder line = new StringBuilder("\r").append(label);
        if (total > 0) {
            int filled = (int) (BAR_WIDTH * Math.min(done, total) / total);
            line.append("  [").append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%% ", 100 * Math.min(done, total) / total))
                    .append(items ? done + "/" + total : megabytes(done, total));
        } else if (done > 0) {
            line.append("  ").append(amount(done));
        }
        out.print(line.append("\033[K"));
        out.flush();
    }

    private String amount(long n) {
        return items ? Long.toString(n) : megabytes(n);
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static String megabytes(long bytes, long total) {
        return String.format(Locale.ROOT, "%.1f/%.1f MB", bytes / 1e6, total / 1e6);
    }
}
