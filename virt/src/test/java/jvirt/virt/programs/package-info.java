/**
 * Real compiled C programs run on jvirt's interpreter, on its translator and on QEMU, with the
 * same output required from all.
 */
package jvirt.virt.programs;
