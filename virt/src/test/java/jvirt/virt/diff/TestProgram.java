package jvirt.virt.diff;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One generated test: where it runs, the initial architectural state (x1..x31, f0..f31, fcsr,
 * the scratch area) and a body of units. A unit is one instruction or a short sequence that must
 * run whole (an address computation and the AMO that uses it, an auipc and the jalr built on it):
 * forward control transfers land only on unit boundaries.
 *
 * @param seed the seed it was generated from (the name by which a failure is reproduced)
 * @param env the privilege and address translation the body runs under
 * @param x initial integer registers, index 0 unused
 * @param f initial float registers
 * @param fcsr initial fcsr
 * @param memory initial contents of the scratch area
 * @param units the body
 */
record TestProgram(long seed, Environment env, long[] x, long[] f, long fcsr, byte[] memory, List<List<Insn>> units) {

    /**
     * Where the body runs: its privilege (0 U, 1 S, 3 M), satp mode (0 Bare, 8 Sv39, 9 Sv48, 10
     * Sv57) and the mstatus bits set on entry besides MPP (SUM, MXR, MPRV, TVM, TW, TSR, and FS
     * unless the FPU is off). Under translation everything is identity-mapped; {@code page2Flags}
     * are the low PTE bits (V R W X U G A D) of the scratch area's second page. With MPRV an
     * M-mode body's loads and stores are U-mode ones (mret leaves MPP at U). {@code page2Pmp} is
     * -1, or the permissions (R 1, W 2, X 4) of a PMP entry over that page, ahead of the entry
     * that opens all memory (it binds S and U, and M under MPRV).
     */
    record Environment(int priv, int satpMode, int page2Flags, long mstatus, int page2Pmp) {
        static final long FS_INITIAL = 1L << 13;
        static final long MPRV = 1L << 17;
        static final long SUM = 1L << 18;
        static final long MXR = 1L << 19;
        static final long TVM = 1L << 20;
        static final long TW = 1L << 21;
        static final long TSR = 1L << 22;

        static final Environment MACHINE = new Environment(3, 0, 0, FS_INITIAL, -1);

        boolean has(long bit) {
            return (mstatus & bit) != 0;
        }

        /** The privilege of the body's loads and stores. */
        int dataPriv() {
            return has(MPRV) ? 0 : priv;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder().append("MSU".charAt(priv == 3 ? 0 : priv == 1 ? 1 : 2)).append("-mode");
            if (satpMode == 0) {
                sb.append(priv == 3 ? "" : ", no translation");
            } else {
                sb.append(String.format(", Sv%d, page %x flags ", 39 + 9 * (satpMode - 8), BatchImage.PAGE2));
                for (int b = 7; b >= 0; b--) {
                    sb.append((page2Flags >> b & 1) != 0 ? "DAGUXWRV".charAt(7 - b) : '-');
                }
            }
            String[] names = {"MPRV (loads and stores as U-mode)", "SUM", "MXR", "TVM", "TW", "TSR"};
            for (int k = 0; k < names.length; k++) {
                sb.append(has(MPRV << k) ? ", " + names[k] : "");
            }
            if (page2Pmp >= 0) {
                sb.append(String.format(", PMP over page %x: %c%c%c", BatchImage.PAGE2, (page2Pmp & 1) != 0 ? 'R' : '-',
                        (page2Pmp & 2) != 0 ? 'W' : '-', (page2Pmp & 4) != 0 ? 'X' : '-'));
            }
            return sb.append(has(FS_INITIAL) ? "" : ", FPU off (mstatus.FS = 0)").toString();
        }
    }

    /** The same test with only the first {@code n} units of its body. */
    TestProgram truncated(int n) {
        return withUnits(units.subList(0, n));
    }

    /** The same test without the units whose indices are in {@code drop}. */
    TestProgram without(Set<Integer> drop) {
        List<List<Insn>> kept = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            if (!drop.contains(i)) {
                kept.add(units.get(i));
            }
        }
        return withUnits(kept);
    }

    /** The same test run in another environment. */
    TestProgram in(Environment where) {
        return new TestProgram(seed, where, x, f, fcsr, memory, units);
    }

    /** The same initial state with another body. */
    TestProgram withUnits(List<List<Insn>> body) {
        return new TestProgram(seed, env, x, f, fcsr, memory, List.copyOf(body));
    }
}
