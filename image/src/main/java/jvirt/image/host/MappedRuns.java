package jvirt.image.host;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import jvirt.image.Extent;

/**
 * What the block-mapped formats (VDI, VHD, VHDX) share: a disk seen as runs that are either
 * stored contiguously in the file or not stored (reading as zeros), and the loops that read,
 * discard and zero a range run by run.
 */
public final class MappedRuns {
    /** A run of the disk: {@code length} bytes at {@code host} in the file, or not stored where {@code host} is -1. */
    public record Run(long length, long host) {
        /** The run as {@code status()} reports it: data where stored, zeros (qemu-img map's "zero") where not. */
        public Extent extent() {
            return host < 0 ? new Extent(length, Extent.Kind.ZERO, -1) : new Extent(length, Extent.Kind.DATA, host);
        }
    }

    /** The longest run from {@code pos}, at most {@code max} bytes. */
    @FunctionalInterface
    public interface Map {
        Run run(long pos, long max) throws IOException;
    }

    /** Something done to a stored run of the file. */
    @FunctionalInterface
    public interface Stored {
        void accept(long host, long length) throws IOException;
    }

    /** Sees the buffers a stored run was just read into (VHDX patches in its log there). */
    @FunctionalInterface
    public interface AfterRead {
        void accept(long host, ByteBuffer[] buffers) throws IOException;
    }

    private MappedRuns() {
    }

    /** Fills {@code destinations} from disk offset {@code offset}: stored runs from the file, the rest zeros. */
    public static void read(HostFile file, Map map, long offset, List<MemorySegment> destinations, AfterRead after)
            throws IOException {
        long length = Buffers.total(destinations);
        for (long done = 0; done < length; ) {
            Run r = map.run(offset + done, length - done);
            ByteBuffer[] b = Buffers.slice(destinations, done, r.length());
            if (r.host() < 0) {
                Buffers.zero(b);
            } else {
                Buffers.read(file, r.host(), b);
                if (after != null) {
                    after.accept(r.host(), Buffers.slice(destinations, done, r.length()));
                }
            }
            done += r.length();
        }
    }

    /** Runs {@code action} on every stored run of {@code [offset, offset + length)}: unstored runs already read as zeros. */
    public static void eachStored(Map map, long offset, long length, Stored action) throws IOException {
        for (long done = 0; done < length; ) {
            Run r = map.run(offset + done, length - done);
            if (r.host() >= 0) {
                action.accept(r.host(), r.length());
            }
            done += r.length();
        }
    }
}
