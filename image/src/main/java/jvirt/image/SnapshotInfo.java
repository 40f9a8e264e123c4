package jvirt.image;

/**
 * One internal snapshot as {@code qemu-img snapshot -l} and {@code info} list it.
 *
 * @param id          the numeric id QEMU assigns, as a string
 * @param name        the tag
 * @param vmStateSize bytes of saved VM state (0 for disk-only snapshots)
 * @param dateSeconds wall-clock time of creation, seconds since the epoch
 * @param dateNanos   and its nanoseconds
 * @param vmClockNanos guest clock at creation
 * @param icount      instruction count at creation, or -1 when not recorded
 * @param diskSize    the virtual disk size when it was taken
 */
public record SnapshotInfo(String id, String name, long vmStateSize, long dateSeconds, long dateNanos,
                           long vmClockNanos, long icount, long diskSize) {
}
