# @cpus 2
# Atomicity across harts (each hart is a thread of its own in jvirt): two harts each add 1 to
# three counters 100000 times, one with amoadd.d, one with an lr.d/sc.d loop, and one with plain
# loads and stores inside a spinlock taken with amoswap.w.aq and released with amoswap.w.rl. Hart 0
# waits for both to finish and checks every counter reads exactly 200000: a lost update anywhere
# (an SC that succeeded over another hart's store, a lock that let two in) shows as a shortfall.
# This program has its own start-up: test.inc parks every hart but the first.

    .equ ITERATIONS, 100000
    .equ HARTS, 2

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    csrr a0, mhartid
    li t0, HARTS
    bgeu a0, t0, park
    li s0, ITERATIONS
    la s1, amo_counter
    la s2, lrsc_counter
    la s3, locked_counter
    la s4, lock
    la s5, done
    li s6, 1
1:  amoadd.d zero, s6, (s1)
2:  lr.d t1, (s2)
    addi t1, t1, 1
    sc.d t2, t1, (s2)
    bnez t2, 2b
3:  amoswap.w.aq t1, s6, (s4)     # spin until the lock was free
    bnez t1, 3b
    ld t1, 0(s3)
    addi t1, t1, 1
    sd t1, 0(s3)
    amoswap.w.rl zero, zero, (s4)
    addi s0, s0, -1
    bnez s0, 1b
    amoadd.d zero, s6, (s5)
    bnez a0, park
4:  ld t1, 0(s5)                   # hart 0: wait for every hart
    li t2, HARTS
    bne t1, t2, 4b
    fence rw, rw
    li t2, HARTS * ITERATIONS
    li a1, 1
    ld t1, 0(s1)
    bne t1, t2, fail
    li a1, 2
    ld t1, 0(s2)
    bne t1, t2, fail
    li a1, 3
    ld t1, 0(s3)
    bne t1, t2, fail
    la t0, passed                  # the suite's runner looks for this line on QEMU
    li t1, 0x10000000
5:  lbu t2, 0(t0)
    beqz t2, 6f
    sb t2, 0(t1)
    addi t0, t0, 1
    j 5b
6:  li t1, 1
    la t0, tohost
    sd t1, 0(t0)
    li t0, 0x100000
    li t1, 0x5555
    sw t1, 0(t0)
    j park
fail:                              # a1: which counter came up short
    slli t1, a1, 1
    ori t1, t1, 1
    la t0, tohost
    sd t1, 0(t0)
    slli t1, a1, 16
    li t2, 0x3333
    or t1, t1, t2
    li t0, 0x100000
    sw t1, 0(t0)
park:
    wfi
    j park

    .section .rodata
passed: .asciz "PASS\n"

    .data
    .balign 64
amo_counter:    .dword 0
    .balign 64
lrsc_counter:   .dword 0
    .balign 64
locked_counter: .dword 0
    .balign 64
lock:           .word 0
    .balign 64
done:           .dword 0

    .section .tohost, "aw", @progbits
    .balign 8
    .globl tohost
tohost: .dword 0
