/**
 * Disk images as the devices see them: the {@link jvirt.image.BlockDevice} interface (byte
 * ranges read and written in place, flush, discard, write-zeroes) and its backends, one
 * sub-package per format ({@code raw} now; qcow2 and the imported formats later), opened through
 * {@link jvirt.image.BlockDevices}.
 */
package jvirt.image;
