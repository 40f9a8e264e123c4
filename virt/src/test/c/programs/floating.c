/* Double and single precision: a dot product, Newton iterations, divisions, conversions, fused ops. */
#include "lib.h"
static double vd[512];
static float vf[512];
static uint64_t bits(double d) { union { double d; uint64_t u; } x = {d}; return x.u; }
static uint32_t fbits(float f) { union { float f; uint32_t u; } x = {f}; return x.u; }
int main(void) {
    for (int i = 0; i < 512; i++) {
        vd[i] = (double)(int64_t)next_random() / 3.0e15;
        vf[i] = (float)(int32_t)next_random() / 7.0e5f;
    }
    double dot = 0, root = 0;
    float fdot = 0;
    uint64_t conv = 0;
    for (int rep = 0; rep < 20; rep++)
        for (int i = 0; i < 512; i++) {
            dot = __builtin_fma(vd[i], vd[(i * 7) % 512], dot);
            fdot += vf[i] * vf[(i * 13) % 512] / (1.0f + (float)(i & 15));
            double x = vd[i] < 0 ? -vd[i] : vd[i];
            double g = x > 1 ? x : 1;
            for (int k = 0; k < 6; k++) g = 0.5 * (g + x / g);
            root += g - __builtin_sqrt(x);
            conv = conv * 3 + (uint64_t)(int64_t)vd[i] + (uint64_t)(uint32_t)(int32_t)vf[i] + (uint64_t)(vf[i] > vd[i]);
        }
    put_line("dot", bits(dot));
    put_line("fdot", fbits(fdot));
    put_line("root", bits(root));
    put_line("conv", conv);
    return 0;
}
