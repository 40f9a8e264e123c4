package jvirt.riscv;

/**
 * A run of pre-decoded instructions from one page, ending with a control transfer, a system
 * instruction, or {@link Op#END}. Cached by the RAM offset of its first instruction and valid while
 * its page's write generation is unchanged.
 */
final class Block {
    /** RAM offset of the first instruction, or -1 for a block that is not cached (ROM). */
    final long ramOffset;
    final int generation;
    /** The instructions packed (see {@link Op}), as the translator reads them. */
    final long[] code;
    /** The same, as the interpreter runs them: all but the last, which is {@link #end}. */
    final Insn[] body;
    /** The instruction that ends the block: it sets the pc and counts the block's instructions. */
    final Insn end;
    /** Bytes of guest code covered: the pc after the block's last instruction is start + this. */
    final int byteLength;
    /** Guest instructions in the block (the trailing {@link Op#END} is not one). */
    final int count;
    /**
     * For a lone instruction whose second half is on the next page: that half's RAM offset and the
     * generation of its page when decoded, both checked on every use; -1 otherwise.
     */
    long tailOffset = -1;
    int tailGeneration;
    /** Times the interpreter has run it: hot blocks get translated. */
    int hits;
    /** Its translation, and its entry number there; null while interpreted. */
    CompiledRegion region;
    int entry;

    Block(long ramOffset, int generation, long[] code, int byteLength, int count) {
        this.ramOffset = ramOffset;
        this.generation = generation;
        this.code = code;
        this.byteLength = byteLength;
        this.count = count;
        this.body = new Insn[code.length - 1];
        for (int i = 0; i < body.length; i++) {
            body[i] = Insn.of(code[i]);
        }
        this.end = Insn.end(code[code.length - 1], byteLength, count);
    }
}
