package jvirt.riscv;

/**
 * A run of pre-decoded instructions from one page, ending with a control transfer, a system
 * instruction, or {@link Op#END}. Cached by the RAM offset of its first instruction and valid while
 * its page's write generation is unchanged.
 */
final class Block {
    /** RAM offset of the first instruction, or -1 for a block that is not cached (ROM, page-straddling). */
    final long ramOffset;
    final int generation;
    final long[] code;
    /** Bytes of guest code covered: the pc after the block's last instruction is start + this. */
    final int byteLength;
    /** Guest instructions in the block (the trailing {@link Op#END} is not one). */
    final int count;

    Block(long ramOffset, int generation, long[] code, int byteLength, int count) {
        this.ramOffset = ramOffset;
        this.generation = generation;
        this.code = code;
        this.byteLength = byteLength;
        this.count = count;
    }
}
