/* What the test programs share: printing on the virt board's 16550 UART. */
#include <stdint.h>
#define UART ((volatile uint8_t *)0x10000000)

static void put_char(char c) {
    while (!(UART[5] & 0x20)) {
    }
    UART[0] = c;
}

static void put_str(const char *s) {
    while (*s) {
        put_char(*s++);
    }
}

static void put_hex(uint64_t v) {
    for (int s = 60; s >= 0; s -= 4) {
        put_char("0123456789abcdef"[(v >> s) & 15]);
    }
}

static void put_line(const char *label, uint64_t v) {
    put_str(label);
    put_char(' ');
    put_hex(v);
    put_char('\n');
}

/* xorshift64: the same pseudo-random numbers everywhere. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
