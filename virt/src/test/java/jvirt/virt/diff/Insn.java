package jvirt.virt.diff;

import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * One instruction of a generated program: its length, its encoding and its mnemonic.
 *
 * <p>Most instructions are fixed bits. A forward control transfer is encoded only at layout, when
 * its offset is known: it lands {@link #skip} units past the end of its own unit (clamped to the
 * end of the body), and its offset is measured from the instruction {@link #anchorDelta} places
 * before it in its unit (0 for branches and jal; -1 or -2 for the auipc that a jalr or an addi
 * builds on).
 */
final class Insn {
    final int length;
    final int skip;
    final int anchorDelta;
    private final IntUnaryOperator encoding;
    private final IntFunction<String> text;

    private Insn(int length, int skip, int anchorDelta, IntUnaryOperator encoding, IntFunction<String> text) {
        this.length = length;
        this.skip = skip;
        this.anchorDelta = anchorDelta;
        this.encoding = encoding;
        this.text = text;
    }

    /** An instruction with fixed bits; its length follows from the low two bits. */
    static Insn fixed(int bits, String mnemonic) {
        int length = (bits & 3) == 3 ? 4 : 2;
        if (length == 2 && (bits & 0xFFFF0000) != 0) {
            throw new IllegalArgumentException("compressed instruction wider than 16 bits: " + Integer.toHexString(bits));
        }
        return new Insn(length, -1, 0, offset -> bits, offset -> mnemonic);
    }

    /** A forward transfer of {@code length} bytes whose bits and mnemonic depend on the offset. */
    static Insn forward(int length, int skip, int anchorDelta, IntUnaryOperator encoding, IntFunction<String> text) {
        return new Insn(length, skip, anchorDelta, encoding, text);
    }

    boolean isForward() {
        return skip >= 0;
    }

    int bits(int offset) {
        return encoding.applyAsInt(offset);
    }

    String text(int offset) {
        return text.apply(offset);
    }
}
