/* A bytecode interpreter: a dense switch compiles to a jump table (indirect jumps inside a page). */
#include "lib.h"
enum { PUSH, ADD, SUB, MUL, DUP, SWAP, JNZ, DEC, XOR, SHL, HALT };
static const uint8_t program[] = {PUSH, 7, PUSH, 200, /* loop: */ SWAP, DUP, MUL, PUSH, 3, XOR, PUSH, 1, SHL,
                                  SWAP, DEC, DUP, JNZ, 4, HALT};
static uint64_t run(void) {
    uint64_t stack[16];
    int sp = 0, pc = 0;
    for (;;) {
        switch (program[pc++]) {
            case PUSH: stack[sp++] = program[pc++]; break;
            case ADD: sp--; stack[sp - 1] += stack[sp]; break;
            case SUB: sp--; stack[sp - 1] -= stack[sp]; break;
            case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
            case DUP: stack[sp] = stack[sp - 1]; sp++; break;
            case SWAP: { uint64_t t = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = t; } break;
            case JNZ: { uint8_t to = program[pc++]; if (stack[--sp]) pc = to; } break;
            case DEC: stack[sp - 1]--; break;
            case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
            case SHL: sp--; stack[sp - 1] <<= stack[sp] & 63; break;
            default: return stack[sp - 1] ^ stack[sp - 2];
        }
    }
}
int main(void) {
    uint64_t r = 0;
    for (int i = 0; i < 200; i++) r = r * 1000003 + run();
    put_line("vm", r);
    return 0;
}
