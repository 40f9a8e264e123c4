package jvirt.riscv;

/**
 * A synchronous exception on its way to the hart's trap logic. Each hart owns one preallocated
 * instance (no stack trace, no allocation), so raising a page fault costs no more than a branch.
 */
final class TrapException extends RuntimeException {
    /** {@code tval} placeholder: fill in the faulting instruction's bits when the trap is taken. */
    static final long TVAL_INSTRUCTION = Long.MIN_VALUE + 1;

    long cause;
    long tval;

    TrapException() {
        super(null, null, false, false);
    }

    TrapException set(long cause, long tval) {
        this.cause = cause;
        this.tval = tval;
        return this;
    }
}
