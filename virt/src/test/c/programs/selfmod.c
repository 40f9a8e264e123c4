/*
 * Self-modifying code: a routine written into a buffer runs hot (long enough to be translated),
 * is rewritten, and after fence.i the new instructions must run, not the old translation.
 */
#include "lib.h"
static uint32_t code[64] __attribute__((aligned(4096)));
typedef uint64_t (*fn)(uint64_t);
static void emit(uint32_t addi_imm) {
    code[0] = 0x00050513u | (addi_imm << 20); /* addi a0, a0, imm */
    code[1] = 0x00151513u;                    /* slli a0, a0, 1 */
    code[2] = 0x00008067u;                    /* ret */
    __asm__ volatile("fence.i" ::: "memory");
}
int main(void) {
    uint64_t sum = 0;
    for (uint32_t version = 1; version <= 5; version++) {
        emit(version * 3);
        for (int i = 0; i < 5000; i++) sum = sum * 3 + ((fn)code)((uint64_t)i);
        put_line("version", sum);
    }
    return 0;
}
