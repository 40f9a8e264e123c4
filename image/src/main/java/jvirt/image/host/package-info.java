/**
 * Image files on the host: opening with locks, positional I/O that moves every byte, and Linux's
 * sparse-file calls ({@code fallocate}, {@code SEEK_DATA}/{@code SEEK_HOLE}, {@code statx})
 * through {@code java.lang.foreign}. Every format's backend stores its bytes through here.
 */
package jvirt.image.host;
