package jvirt.virt.diff;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * A growing little-endian image at a fixed load address, with labels whose uses may come before
 * their definition: just enough assembler for the fixed routines around the generated bodies.
 */
final class CodeBuffer {
    private final long base;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private byte[] patched;

    CodeBuffer(long base) {
        this.base = base;
    }

    /** A position in the image, bound once; uses before binding are patched when it is bound. */
    final class Label {
        private long address = -1;
        private final List<int[]> uses = new ArrayList<>();
        private final List<IntUnaryOperator> encoders = new ArrayList<>();

        void bind() {
            if (address >= 0) {
                throw new IllegalStateException("label bound twice");
            }
            address = here();
            for (int k = 0; k < uses.size(); k++) {
                int at = uses.get(k)[0];
                int from = uses.get(k)[1];
                patch(at, encoders.get(k).applyAsInt((int) (address - (base + from))));
            }
        }

        long address() {
            if (address < 0) {
                throw new IllegalStateException("label not bound");
            }
            return address;
        }
    }

    Label label() {
        return new Label();
    }

    long here() {
        return base + out.size();
    }

    void emit(Insn insn) {
        emitBits(insn.bits(0), insn.length);
    }

    void emitBits(int bits, int length) {
        patched = null;
        for (int k = 0; k < length; k++) {
            out.write(bits >>> (8 * k));
        }
    }

    void emitLong(long v) {
        emitBits((int) v, 4);
        emitBits((int) (v >>> 32), 4);
    }

    void emitBytes(byte[] bytes) {
        patched = null;
        out.writeBytes(bytes);
    }

    void align(int alignment) {
        while (out.size() % alignment != 0) {
            emitBits(0, 1);
        }
    }

    /**
     * A 4-byte instruction whose bits depend on the distance from {@code anchor} (an address at or
     * before this instruction) to {@code target}.
     */
    void emitRelative(Label target, long anchor, IntUnaryOperator encoding) {
        if (target.address >= 0) {
            emitBits(encoding.applyAsInt((int) (target.address - anchor)), 4);
        } else {
            target.uses.add(new int[] {out.size(), (int) (anchor - base)});
            target.encoders.add(encoding);
            emitBits(0, 4);
        }
    }

    private final List<int[]> patches = new ArrayList<>();

    private void patch(int at, int bits) {
        patches.add(new int[] {at, bits});
        patched = null;
    }

    byte[] bytes() {
        if (patched == null) {
            patched = out.toByteArray();
            for (int[] p : patches) {
                for (int k = 0; k < 4; k++) {
                    patched[p[0] + k] = (byte) (p[1] >>> (8 * k));
                }
            }
        }
        return patched.clone();
    }
}
