package jvirt.riscv;

/** Guest code translated to a JVM method by {@link Translator}. */
interface CompiledRegion {
    /**
     * Runs from block {@code entry} of the region (the hart's pc is that block's start) until the
     * region is left; the hart's registers, pc and instruction count are then up to date.
     */
    void run(Hart hart, int entry);
}
