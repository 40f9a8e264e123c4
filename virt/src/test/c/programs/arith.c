/* Multiplication, division and remainder at every width, signed and unsigned, with edge operands. */
#include "lib.h"
int main(void) {
    uint64_t acc = 0;
    static const int64_t edge[] = {0, 1, -1, 2, -2, 7, -7, 0x7fffffff, -0x80000000LL, 0x7fffffffffffffffLL,
                                   (int64_t)0x8000000000000000ULL, 0x123456789abcdefLL};
    for (int r = 0; r < 4000; r++) {
        int64_t x = (int64_t)next_random(), y = (int64_t)next_random() >> (r % 63);
        if (r % 5 == 0) x = edge[r % 12];
        if (r % 7 == 0) y = edge[(r / 7) % 12];
        acc = acc * 31 + (uint64_t)(x * y);
        acc ^= (uint64_t)((__int128)x * y >> 64);
        acc += (uint64_t)(((unsigned __int128)(uint64_t)x * (uint64_t)y) >> 64);
        if (y != 0 && !(x == (int64_t)0x8000000000000000ULL && y == -1)) acc += (uint64_t)(x / y) ^ (uint64_t)(x % y);
        if (y != 0) acc += ((uint64_t)x / (uint64_t)y) + ((uint64_t)x % (uint64_t)y);
        int32_t xw = (int32_t)x, yw = (int32_t)y;
        acc = acc * 7 + (uint64_t)(int64_t)(xw * yw);
        if (yw != 0 && !(xw == -0x7fffffff - 1 && yw == -1)) acc += (uint64_t)(int64_t)(xw / yw) + (uint64_t)(int64_t)(xw % yw);
        if (yw != 0) acc += (uint64_t)((uint32_t)xw / (uint32_t)yw) ^ (uint64_t)((uint32_t)xw % (uint32_t)yw);
    }
    put_line("arith", acc);
    return 0;
}
