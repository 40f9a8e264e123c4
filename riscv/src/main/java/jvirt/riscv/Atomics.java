package jvirt.riscv;

import static jvirt.riscv.Mmu.ATOMIC_INT;
import static jvirt.riscv.Mmu.ATOMIC_LONG;

import java.lang.foreign.MemorySegment;

/**
 * AMO arithmetic on guest RAM, atomic across harts (each hart is a thread). The operation is the
 * instruction's funct5; the result is the old value, sign-extended.
 */
final class Atomics {
    static final int ADD = 0x00;
    static final int SWAP = 0x01;
    static final int XOR = 0x04;
    static final int OR = 0x08;
    static final int AND = 0x0C;
    static final int MIN = 0x10;
    static final int MAX = 0x14;
    static final int MINU = 0x18;
    static final int MAXU = 0x1C;

    private Atomics() {
    }

    static long amo64(MemorySegment mem, long off, int funct5, long v) {
        return switch (funct5) {
            case ADD -> (long) ATOMIC_LONG.getAndAdd(mem, off, v);
            case SWAP -> (long) ATOMIC_LONG.getAndSet(mem, off, v);
            case XOR -> (long) ATOMIC_LONG.getAndBitwiseXor(mem, off, v);
            case OR -> (long) ATOMIC_LONG.getAndBitwiseOr(mem, off, v);
            case AND -> (long) ATOMIC_LONG.getAndBitwiseAnd(mem, off, v);
            default -> {
                long old;
                do {
                    old = (long) ATOMIC_LONG.getVolatile(mem, off);
                } while (!ATOMIC_LONG.compareAndSet(mem, off, old, select64(funct5, old, v)));
                yield old;
            }
        };
    }

    static long amo32(MemorySegment mem, long off, int funct5, int v) {
        return switch (funct5) {
            case ADD -> (int) ATOMIC_INT.getAndAdd(mem, off, v);
            case SWAP -> (int) ATOMIC_INT.getAndSet(mem, off, v);
            case XOR -> (int) ATOMIC_INT.getAndBitwiseXor(mem, off, v);
            case OR -> (int) ATOMIC_INT.getAndBitwiseOr(mem, off, v);
            case AND -> (int) ATOMIC_INT.getAndBitwiseAnd(mem, off, v);
            default -> {
                int old;
                do {
                    old = (int) ATOMIC_INT.getVolatile(mem, off);
                } while (!ATOMIC_INT.compareAndSet(mem, off, old, select32(funct5, old, v)));
                yield old;
            }
        };
    }

    private static long select64(int funct5, long a, long b) {
        return switch (funct5) {
            case MIN -> Math.min(a, b);
            case MAX -> Math.max(a, b);
            case MINU -> Long.compareUnsigned(a, b) <= 0 ? a : b;
            default -> Long.compareUnsigned(a, b) >= 0 ? a : b;
        };
    }

    private static int select32(int funct5, int a, int b) {
        return switch (funct5) {
            case MIN -> Math.min(a, b);
            case MAX -> Math.max(a, b);
            case MINU -> Integer.compareUnsigned(a, b) <= 0 ? a : b;
            default -> Integer.compareUnsigned(a, b) >= 0 ? a : b;
        };
    }
}
