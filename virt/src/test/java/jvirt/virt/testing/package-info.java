/** Test support: running bare-metal RISC-V programs on the virt board. */
package jvirt.virt.testing;
