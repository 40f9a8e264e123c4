package jvirt.image;

import java.nio.file.Path;
import java.util.Set;

/**
 * How an image is opened.
 *
 * @param readOnly    refuse writes, take a shared lock
 * @param openBacking open the backing chain too (off for tools that look at one file, like
 *                    {@code info} without {@code --backing-chain}, {@code check}, {@code rebase -u})
 * @param chain       the real paths of the images already open above this one, so that a
 *                    backing chain that loops is refused
 */
public record OpenOptions(boolean readOnly, boolean openBacking, Set<Path> chain) {
    /** Backing chains deeper than this are refused as hostile (QEMU has no limit; real chains are short). */
    public static final int MAX_CHAIN_DEPTH = 64;

    public OpenOptions {
        chain = Set.copyOf(chain);
    }

    public static OpenOptions forWriting() {
        return new OpenOptions(false, true, Set.of());
    }

    public static OpenOptions forReading() {
        return new OpenOptions(true, true, Set.of());
    }

    /** The options without the backing chain. */
    public OpenOptions withoutBacking() {
        return new OpenOptions(readOnly, false, chain);
    }

    public OpenOptions withReadOnly(boolean readOnly) {
        return new OpenOptions(readOnly, openBacking, chain);
    }
}
