/**
 * The virt board's own devices, each a register window on the bus: the CLINT (ACLINT MSWI and
 * MTIMER), the PLIC, the ns16550a UART, the sifive_test power/reset device, the Goldfish RTC and
 * the reset ROM.
 */
package jvirt.virt.device;
