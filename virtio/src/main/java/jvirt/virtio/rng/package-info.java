/** virtio-rng: host entropy for the guest's {@code /dev/hwrng}. */
package jvirt.virtio.rng;
