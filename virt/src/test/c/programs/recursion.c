/* Calls and returns (JALR) everywhere: recursive Fibonacci, Ackermann, and mutual recursion. */
#include "lib.h"
__attribute__((noinline)) static uint64_t fib(uint64_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
__attribute__((noinline)) static uint64_t ack(uint64_t m, uint64_t n) {
    return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1));
}
__attribute__((noinline)) static int is_odd(unsigned n);
__attribute__((noinline)) static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
__attribute__((noinline)) static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }
int main(void) {
    put_line("fib24", fib(24));
    put_line("ack2.9", ack(2, 9));
    uint64_t parity = 0;
    for (unsigned i = 0; i < 3000; i++) parity = parity * 3 + is_even(i % 97);
    put_line("parity", parity);
    return 0;
}
