/* Quicksort and merge sort of pseudo-random 64-bit keys: data-dependent branches, loads and stores. */
#include "lib.h"
#define N 20000
static int64_t a[N], b[N], tmp[N];
static void quicksort(int64_t *v, long lo, long hi) {
    while (lo < hi) {
        int64_t pivot = v[(lo + hi) / 2];
        long i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) { int64_t t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { quicksort(v, lo, j); lo = i; } else { quicksort(v, i, hi); hi = j; }
    }
}
static void mergesort(int64_t *v, long n) {
    for (long width = 1; width < n; width *= 2)
        for (long lo = 0; lo < n; lo += 2 * width) {
            long mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            long i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
            while (i < mid) tmp[k++] = v[i++];
            while (j < hi) tmp[k++] = v[j++];
            for (k = lo; k < hi; k++) v[k] = tmp[k];
        }
}
int main(void) {
    for (int i = 0; i < N; i++) a[i] = b[i] = (int64_t)next_random();
    quicksort(a, 0, N - 1);
    mergesort(b, N);
    uint64_t sum = 0;
    for (int i = 0; i < N; i++) {
        if (a[i] != b[i] || (i && a[i - 1] > a[i])) return 1;
        sum = sum * 31 + (uint64_t)a[i];
    }
    put_line("sorted", sum);
    return 0;
}
