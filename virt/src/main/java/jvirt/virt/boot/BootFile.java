package jvirt.virt.boot;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A boot file mapped read-only, so that a kernel or initrd goes from the page cache into guest RAM
 * in one copy, without passing through the Java heap.
 */
public final class BootFile implements AutoCloseable {
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment contents;
    private final String what;

    private BootFile(Path path, String what) throws BootException {
        this.what = what + " " + path;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new BootException(this.what + " is empty");
            }
            contents = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new BootException(this.what + " does not exist");
        } catch (IOException | UnsupportedOperationException e) {
            arena.close();
            throw new BootException("cannot read " + this.what + ": " + e.getMessage());
        } catch (BootException e) {
            arena.close();
            throw e;
        }
    }

    /** Opens {@code path}; {@code what} names it in messages ("kernel", "initrd", ...). */
    public static BootFile open(Path path, String what) throws BootException {
        return new BootFile(path, what);
    }

    /** "kernel /path/to/file", for messages. */
    public String what() {
        return what;
    }

    public long size() {
        return contents.byteSize();
    }

    public MemorySegment contents() {
        return contents;
    }

    /** The first {@code n} bytes (fewer if the file is shorter), for reading headers. */
    public byte[] head(int n) {
        return contents.asSlice(0, Math.min(n, size())).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The whole file in a Java array (for small files such as firmware). */
    public byte[] bytes() throws BootException {
        if (size() > Integer.MAX_VALUE - 8) {
            throw new BootException(what + " is too large (" + size() + " bytes)");
        }
        return contents.toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() {
        arena.close();
    }
}
