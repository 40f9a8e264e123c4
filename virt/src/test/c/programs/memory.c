/* Byte, halfword and misaligned memory traffic: copies, fills, searches and unaligned word loads. */
#include "lib.h"
static uint8_t src[40000], dst[40000];
static uint64_t load_unaligned(const uint8_t *p) { uint64_t v; __builtin_memcpy(&v, p, 8); return v; }
int main(void) {
    for (unsigned i = 0; i < sizeof src; i++) src[i] = (uint8_t)next_random();
    uint64_t sum = 0;
    for (int rep = 0; rep < 30; rep++) {
        unsigned off = (unsigned)(next_random() % 1000), len = 30000 - off;
        for (unsigned i = 0; i < len; i++) dst[i + (rep & 7)] = src[i + off];
        for (unsigned i = 0; i + 8 < len; i += 13) sum = sum * 3 + load_unaligned(dst + i + 1);
        volatile uint16_t *h = (volatile uint16_t *)(dst + 2);
        for (unsigned i = 0; i < 1000; i++) sum += h[i] ^ (uint16_t)(h[i] << 3);
        uint8_t *p = dst;
        while (*p != (uint8_t)rep && p < dst + len) p++;
        sum += (uint64_t)(p - dst);
        for (unsigned i = 0; i < 3000; i++) *(volatile uint32_t *)(dst + 4 * i + 1) = (uint32_t)(i * 0x9e3779b9u);
        for (unsigned i = 0; i < 3000; i++) sum ^= *(volatile uint32_t *)(dst + 4 * i + 3);
    }
    put_line("mem", sum);
    return 0;
}
