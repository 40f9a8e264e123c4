/** The raw format: a file whose bytes are the disk's, kept sparse through hole punching. */
package jvirt.image.raw;
