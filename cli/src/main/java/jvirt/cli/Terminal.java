package jvirt.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The controlling terminal on standard input, switched to raw mode (as {@code cfmakeraw}, keeping
 * output post-processing like QEMU does) so that every key reaches the guest, and restored on
 * exit. Uses libc's termios calls through {@code java.lang.foreign}.
 */
public final class Terminal implements AutoCloseable {
    private static final int STDIN = 0;
    private static final int TCSANOW = 0;
    /** Larger than glibc's {@code struct termios} on every Linux ABI. */
    private static final int TERMIOS_SIZE = 128;
    private static final long C_OFLAG_OFFSET = 4;
    private static final int OPOST = 1;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment saved;
    private final MethodHandle tcsetattr;
    private boolean restored;

    private Terminal(MethodHandle tcgetattr, MethodHandle tcsetattr, MethodHandle cfmakeraw) throws Throwable {
        this.tcsetattr = tcsetattr;
        saved = arena.allocate(TERMIOS_SIZE);
        if ((int) tcgetattr.invokeExact(STDIN, saved) != 0) {
            throw new IllegalStateException("tcgetattr failed");
        }
        MemorySegment raw = arena.allocate(TERMIOS_SIZE);
        raw.copyFrom(saved);
        cfmakeraw.invokeExact(raw);
        raw.set(ValueLayout.JAVA_INT, C_OFLAG_OFFSET, raw.get(ValueLayout.JAVA_INT, C_OFLAG_OFFSET) | OPOST);
        if ((int) tcsetattr.invokeExact(STDIN, TCSANOW, raw) != 0) {
            throw new IllegalStateException("tcsetattr failed");
        }
    }

    /** Raw mode when standard input is a terminal; null when it is not (or the host has no termios). */
    public static Terminal rawIfTerminal() {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle isatty = linker.downcallHandle(libc.find("isatty").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            if ((int) isatty.invokeExact(STDIN) != 1) {
                return null;
            }
            MethodHandle get = linker.downcallHandle(libc.find("tcgetattr").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            MethodHandle set = linker.downcallHandle(libc.find("tcsetattr").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS));
            MethodHandle makeRaw = linker.downcallHandle(libc.find("cfmakeraw").orElseThrow(),
                    FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
            Terminal terminal = new Terminal(get, set, makeRaw);
            Runtime.getRuntime().addShutdownHook(new Thread(terminal::close));
            return terminal;
        } catch (Throwable e) {
            return null; // not a POSIX terminal: the console still works, line by line
        }
    }

    @Override
    public synchronized void close() {
        if (restored) {
            return;
        }
        restored = true;
        try {
            int ignored = (int) tcsetattr.invokeExact(STDIN, TCSANOW, saved);
        } catch (Throwable e) {
            // Nothing more can be done for the terminal.
        }
    }
}
