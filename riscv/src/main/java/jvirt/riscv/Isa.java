package jvirt.riscv;

import java.util.List;

/** What the hart implements, as a device tree names it for firmware and kernel. */
public final class Isa {
    private Isa() {
    }

    public static final int SATP_SV39 = Mmu.MODE_SV39;
    public static final int SATP_SV48 = Mmu.MODE_SV48;
    public static final int SATP_SV57 = Mmu.MODE_SV57;

    /** The extensions, in the canonical order of {@code riscv,isa-extensions}. */
    public static final List<String> EXTENSIONS = List.of("i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei",
            "zihpm", "zba", "zbb", "zbc", "zbs", "sstc");

    /** The {@code riscv,isa} string. */
    public static final String STRING = "rv64imafdc_zicntr_zicsr_zifencei_zihpm_zba_zbb_zbc_zbs_sstc";

    /** The device tree's {@code mmu-type} for the widest paging mode a hart supports. */
    public static String mmuType(int satpMode) {
        return switch (satpMode) {
            case SATP_SV39 -> "riscv,sv39";
            case SATP_SV48 -> "riscv,sv48";
            case SATP_SV57 -> "riscv,sv57";
            default -> throw new IllegalArgumentException("no paging mode " + satpMode);
        };
    }
}
