package jvirt.image.tool;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.LongConsumer;
import jvirt.image.BlockDevice;

/**
 * {@code qemu-img compare}: whether two disks read the same, and where they first differ
 * (reported at a 512-byte sector, as qemu-img does). Runs both chains know to be zeros are not read.
 */
public final class Compare {
    /**
     * The outcome.
     *
     * @param identical whether the disks read the same
     * @param message   qemu-img's line: "Images are identical." or what differs where
     * @param warning   a line for stderr (a size mismatch that was not itself a difference), or null
     */
    public record Result(boolean identical, String message, String warning) {
    }

    private Compare() {
    }

    public static Result run(BlockDevice a, BlockDevice b, boolean strict, LongConsumer progress) throws IOException {
        if (strict && a.size() != b.size()) {
            return new Result(false, "Strict mode: Image size mismatch!", null);
        }
        List<BlockDevice> chainA = Chain.of(a);
        List<BlockDevice> chainB = Chain.of(b);
        long common = Math.min(a.size(), b.size());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bufA = arena.allocate(Convert.CHUNK, 4096);
            MemorySegment bufB = arena.allocate(Convert.CHUNK, 4096);
            for (long pos = 0; pos < common; ) {
                long n = Math.min(Convert.CHUNK, common - pos);
                Chain.Run ra = Chain.status(chainA, pos, n);
                Chain.Run rb = Chain.status(chainB, pos, ra.length());
                long length = Math.min(ra.length(), rb.length());
                if (strict && ra.extent().allocated() != rb.extent().allocated()) {
                    return new Result(false, "Strict mode: Offset " + pos + " block status mismatch!", null);
                }
                if (!(ra.readsAsZeros() && rb.readsAsZeros())) {
                    long at;
                    if (ra.readsAsZeros() || rb.readsAsZeros()) {
                        MemorySegment data = (ra.readsAsZeros() ? bufB : bufA).asSlice(0, length);
                        (ra.readsAsZeros() ? b : a).read(pos, data);
                        at = Zeros.first(data);
                    } else {
                        a.read(pos, bufA.asSlice(0, length));
                        b.read(pos, bufB.asSlice(0, length));
                        at = bufA.asSlice(0, length).mismatch(bufB.asSlice(0, length));
                    }
                    if (at >= 0) {
                        return mismatch(pos + at);
                    }
                }
                pos += length;
                progress.accept(length);
            }
            if (a.size() != b.size()) {
                BlockDevice longer = a.size() > b.size() ? a : b;
                List<BlockDevice> chain = longer == a ? chainA : chainB;
                for (long pos = common; pos < longer.size(); ) {
                    long n = Math.min(Convert.CHUNK, longer.size() - pos);
                    Chain.Run r = Chain.status(chain, pos, n);
                    if (!r.readsAsZeros()) {
                        MemorySegment data = bufA.asSlice(0, r.length());
                        longer.read(pos, data);
                        long at = Zeros.first(data);
                        if (at >= 0) {
                            return new Result(false, "Content mismatch at offset " + sector(pos + at) + "!",
                                    "Warning: Image size mismatch!");
                        }
                    }
                    pos += r.length();
                }
                return new Result(true, "Images are identical.", "Warning: Image size mismatch!");
            }
        }
        return new Result(true, "Images are identical.", null);
    }

    private static Result mismatch(long offset) {
        return new Result(false, "Content mismatch at offset " + sector(offset) + "!", null);
    }

    private static long sector(long offset) {
        return offset & ~511L;
    }
}
