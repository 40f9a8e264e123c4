/* Atomic read-modify-writes (AMOs) and compare-and-swap loops (LR/SC) at both widths. */
#include "lib.h"
static uint64_t counter64, bits64, cas64;
static uint32_t counter32, bits32, cas32;
static int64_t lo64 = 1000, hi64 = -1000;
int main(void) {
    for (uint64_t i = 0; i < 20000; i++) {
        __atomic_fetch_add(&counter64, i, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&counter32, (uint32_t)i * 3, __ATOMIC_RELAXED);
        __atomic_fetch_xor(&bits64, i << (i % 40), __ATOMIC_ACQ_REL);
        __atomic_fetch_or(&bits32, 1u << (i % 32), __ATOMIC_RELEASE);
        __atomic_fetch_and(&bits32, ~(1u << ((i * 7) % 32)), __ATOMIC_SEQ_CST);
        int64_t v = (int64_t)(next_random() % 5000) - 2500;
        int64_t old = __atomic_load_n(&lo64, __ATOMIC_RELAXED);
        while (v < old && !__atomic_compare_exchange_n(&lo64, &old, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        }
        old = __atomic_load_n(&hi64, __ATOMIC_RELAXED);
        while (v > old && !__atomic_compare_exchange_n(&hi64, &old, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        }
        uint64_t c = __atomic_load_n(&cas64, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&cas64, &c, c * 5 + i, 1, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        }
        uint32_t c32 = __atomic_load_n(&cas32, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&cas32, &c32, c32 * 3 + (uint32_t)i, 1, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        }
        __atomic_exchange_n(&counter32, __atomic_load_n(&counter32, __ATOMIC_RELAXED) ^ 0x5a5a, __ATOMIC_SEQ_CST);
    }
    put_line("c64", counter64);
    put_line("c32", counter32);
    put_line("b64", bits64);
    put_line("b32", bits32);
    put_line("lo", (uint64_t)lo64);
    put_line("hi", (uint64_t)hi64);
    put_line("cas64", cas64);
    put_line("cas32", cas32);
    return 0;
}
