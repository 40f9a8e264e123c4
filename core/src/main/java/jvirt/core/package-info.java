/**
 * What every machine is made of, independent of the CPU architecture: guest physical memory
 * ({@link jvirt.core.GuestMemory}, one {@code MemorySegment}), the physical address space that
 * routes accesses to RAM or to memory-mapped devices ({@link jvirt.core.Bus}), interrupt lines,
 * the guest clock and its deadline timer, and the machine lifecycle ({@link jvirt.core.Machine}).
 */
package jvirt.core;
