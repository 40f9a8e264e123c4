package jvirt.image.tool;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import jvirt.image.BlockDevice;
import jvirt.image.Extent;

/** An image and its backing images, top first, and what a run of the disk is once the whole chain is asked. */
public final class Chain {
    /**
     * A run of the disk as the chain resolves it.
     *
     * @param depth   the index in the chain of the image that decides it (the last one when none does)
     * @param extent  what that image says; UNALLOCATED only when no image of the chain has the run
     * @param image   the image at {@code depth}
     */
    public record Run(int depth, Extent extent, BlockDevice image) {
        public long length() {
            return extent.length();
        }

        /** Whether reading the run yields only zeros without reading it. */
        public boolean readsAsZeros() {
            return extent.kind() == Extent.Kind.ZERO || extent.kind() == Extent.Kind.UNALLOCATED;
        }
    }

    private Chain() {
    }

    /** {@code top} and every image below it. */
    public static List<BlockDevice> of(BlockDevice top) {
        List<BlockDevice> chain = new ArrayList<>();
        for (BlockDevice d = top; d != null; d = d.backing()) {
            chain.add(d);
        }
        return chain;
    }

    /**
     * The run at {@code offset} (at most {@code max} bytes): the first image from the top that has
     * it allocated, no longer than the unallocated runs above it. Past a backing image's end the
     * disk reads zeros.
     */
    public static Run status(List<BlockDevice> chain, long offset, long max) throws IOException {
        long length = max;
        for (int depth = 0; depth < chain.size(); depth++) {
            BlockDevice image = chain.get(depth);
            if (offset >= image.size()) {
                return new Run(depth, new Extent(length, Extent.Kind.ZERO, -1), image);
            }
            Extent e = image.status(offset, Math.min(length, image.size() - offset));
            if (e.allocated() || depth == chain.size() - 1) {
                return new Run(depth, e, image);
            }
            length = e.length();
        }
        throw new IllegalStateException("empty chain");
    }
}
