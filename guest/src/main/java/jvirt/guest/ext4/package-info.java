/**
 * Reading a guest's ext2/3/4 file system from its disk, as a boot loader does: {@link
 * jvirt.guest.ext4.Ext4Volume} resolves paths through symbolic links and copies out regular
 * files, checking every number the (possibly hostile) disk supplies. Nothing here writes.
 */
package jvirt.guest.ext4;
