/**
 * What jvirt needs to know about a Linux kernel package: the RISC-V {@code Image} header
 * ({@link jvirt.guest.kernel.RiscvImage}), a module's ELF {@code .modinfo} section
 * ({@link jvirt.guest.kernel.Modinfo}), and choosing modules with everything they depend on, in
 * load order, with the {@code modules.dep} that modprobe reads
 * ({@link jvirt.guest.kernel.KernelModules}, {@link jvirt.guest.kernel.ModuleGraph}).
 */
package jvirt.guest.kernel;
