package jvirt.riscv;

/** Exception and interrupt cause codes ({@code mcause}/{@code scause}). */
final class Cause {
    private Cause() {
    }

    static final int FETCH_MISALIGNED = 0;
    static final int FETCH_ACCESS = 1;
    static final int ILLEGAL_INSTRUCTION = 2;
    static final int BREAKPOINT = 3;
    static final int LOAD_MISALIGNED = 4;
    static final int LOAD_ACCESS = 5;
    static final int STORE_MISALIGNED = 6;
    static final int STORE_ACCESS = 7;
    static final int ECALL_U = 8;
    static final int ECALL_S = 9;
    static final int ECALL_M = 11;
    static final int FETCH_PAGE_FAULT = 12;
    static final int LOAD_PAGE_FAULT = 13;
    static final int STORE_PAGE_FAULT = 15;

    static final int IRQ_S_SOFT = 1;
    static final int IRQ_M_SOFT = 3;
    static final int IRQ_S_TIMER = 5;
    static final int IRQ_M_TIMER = 7;
    static final int IRQ_S_EXT = 9;
    static final int IRQ_M_EXT = 11;

    static final long INTERRUPT = 1L << 63;

    private static final String[] EXCEPTIONS = {
        "instruction address misaligned", "instruction access fault", "illegal instruction", "breakpoint",
        "load address misaligned", "load access fault", "store/AMO address misaligned",
        "store/AMO access fault", "environment call from U-mode", "environment call from S-mode",
        "reserved (10)", "environment call from M-mode", "instruction page fault", "load page fault",
        "reserved (14)", "store/AMO page fault",
    };

    static String describe(long cause) {
        if (cause < 0) {
            return "interrupt " + (cause & ~INTERRUPT);
        }
        return cause < EXCEPTIONS.length ? EXCEPTIONS[(int) cause] : "exception " + cause;
    }
}
