# Entry for the test programs: a stack, the FPU on, main(), then power off through sifive_test
# with main's return value as the status (0 = pass).
    .section .text.init
    .globl _start
_start:
    la sp, stack_top
    li t0, 0x6000            # mstatus.FS = dirty
    csrs mstatus, t0
    call main
    li t0, 0x100000
    beqz a0, 1f
    slli a0, a0, 16
    li t1, 0x3333
    or t1, t1, a0
    sw t1, 0(t0)
    j .
1:  li t1, 0x5555
    sw t1, 0(t0)
    j .
    .bss
    .align 12
    .space 65536
stack_top:
