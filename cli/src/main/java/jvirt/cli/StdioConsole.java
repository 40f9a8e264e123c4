package jvirt.cli;

import java.io.FileInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import jvirt.core.ConsoleInput;

/**
 * The guest's serial console on the process's standard input and output, like QEMU's
 * {@code -nographic}: raw keys go to the guest, Ctrl-A X quits, Ctrl-A H lists the escapes.
 * Output is buffered and flushed every few milliseconds, so a guest printing a byte at a time
 * does not cost a system call per byte.
 */
final class StdioConsole implements AutoCloseable {
    private static final int CTRL_A = 0x01;
    private static final long FLUSH_INTERVAL_MS = 10;

    private final Terminal terminal;
    private final Output output;
    private final InputStream in;
    private volatile ConsoleInput target;
    private volatile Runnable quit = () -> { };
    private volatile boolean quitRequested;

    StdioConsole(InputStream in, OutputStream out) {
        this.terminal = in instanceof FileInputStream ? Terminal.rawIfTerminal() : null;
        this.output = new Output(out);
        this.in = in;
        Thread.ofPlatform().daemon().name("jvirt-console-in").start(this::readInput);
        Thread.ofPlatform().daemon().name("jvirt-console-out").start(output::flushPeriodically);
    }

    static StdioConsole ofProcess() {
        return new StdioConsole(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out));
    }

    /** Where guest output goes. */
    OutputStream output() {
        return output;
    }

    /** Connects typed input to a (new) machine's console device and its quit action. */
    void attach(ConsoleInput device, Runnable quitAction) {
        this.target = device;
        this.quit = quitAction;
        if (quitRequested) {
            quitAction.run();
        }
    }

    /** Whether the user asked to quit (Ctrl-A X): it holds across reboots, unlike one machine's exit. */
    boolean quitRequested() {
        return quitRequested;
    }

    private void readInput() {
        boolean escape = false;
        try {
            int b;
            while ((b = in.read()) >= 0) {
                if (escape) {
                    escape = false;
                    switch (Character.toLowerCase(b)) {
                        case 'x' -> {
                            message("QEMU-style console: terminated by Ctrl-A X");
                            quitRequested = true;
                            quit.run();
                        }
                        case 'h' -> message("C-a h    print this help\r\nC-a x    exit jvirt\r\nC-a C-a  send C-a");
                        case CTRL_A -> send(CTRL_A);
                        default -> {
                            // Unknown escapes are dropped, as QEMU does.
                        }
                    }
                } else if (b == CTRL_A) {
                    escape = true;
                } else {
                    send(b);
                }
            }
        } catch (IOException | InterruptedException e) {
            // Input is gone: the guest keeps running without it.
        }
    }

    private void send(int b) throws InterruptedException {
        ConsoleInput device = target;
        if (device != null) {
            device.receive((byte) b);
        }
    }

    private void message(String text) {
        try {
            output.write(("\r\n" + text + "\r\n").getBytes());
            output.flush();
        } catch (IOException e) {
            // The terminal is gone.
        }
    }

    @Override
    public void close() {
        try {
            output.flush();
        } catch (IOException e) {
            // Nothing to flush to.
        }
        if (terminal != null) {
            terminal.close();
        }
    }

    /** Buffered output flushed by a background thread. */
    private static final class Output extends OutputStream {
        private final OutputStream out;
        private final byte[] buffer = new byte[8192];
        private int count;

        Output(OutputStream out) {
            this.out = out;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            if (count == buffer.length) {
                flush();
            }
            buffer[count++] = (byte) b;
        }

        @Override
        public synchronized void flush() throws IOException {
            if (count > 0) {
                out.write(buffer, 0, count);
                count = 0;
            }
            out.flush();
        }

        void flushPeriodically() {
            try {
                while (true) {
                    Thread.sleep(FLUSH_INTERVAL_MS);
                    synchronized (this) {
                        if (count > 0) {
                            flush();
                        }
                    }
                }
            } catch (InterruptedException | IOException e) {
                // Stop flushing: the process is ending or the output is gone.
            }
        }
    }
}
