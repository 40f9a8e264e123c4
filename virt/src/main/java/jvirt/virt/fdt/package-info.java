/** Flattened device tree (DTB, version 17) writing: the board describes itself to firmware and kernel. */
package jvirt.virt.fdt;
