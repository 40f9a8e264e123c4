package jvirt.image.host;

/**
 * QEMU's image locking ({@code block/file-posix.c}), so that jvirt and QEMU or {@code qemu-img}
 * see each other's use of an image: a user takes a shared lock on byte 100 + p for each
 * permission p it holds and on byte 200 + p for each one it does not let others hold; it may
 * open the image when nobody else locks 200 + p for a permission it holds, nor 100 + p for one it
 * denies. The locks belong to one open file description, so closing another descriptor of the
 * same file (POSIX locks' trap) leaves them.
 *
 * <p>A reader holds consistent-read, as QEMU holds a backing file, and denies write and resize;
 * a writer also holds write and resize and denies the same, as a QEMU drive without
 * {@code share-rw}. So readers share an image with readers (and with {@code qemu-img info}), and
 * a writer has it alone.
 */
final class QemuLocks {
    private static final int PERMISSION_BASE = 100;
    private static final int DENIED_BASE = 200;
    private static final int CONSISTENT_READ = 0;
    private static final int WRITE = 1;
    private static final int RESIZE = 3;
    private static final int[] READER = {CONSISTENT_READ};
    private static final int[] WRITER = {CONSISTENT_READ, WRITE, RESIZE};
    private static final int[] DENIED = {WRITE, RESIZE};

    private QemuLocks() {
    }

    /** Takes the locks, then checks that no other user's conflict with them, as QEMU does (taking first closes the race). */
    static Native.LockResult take(Native calls, int fd, boolean readOnly) {
        int[] held = readOnly ? READER : WRITER;
        for (int p : held) {
            Native.LockResult r = calls.lockByte(fd, PERMISSION_BASE + p);
            if (r != Native.LockResult.TAKEN) {
                return r;
            }
        }
        for (int p : DENIED) {
            Native.LockResult r = calls.lockByte(fd, DENIED_BASE + p);
            if (r != Native.LockResult.TAKEN) {
                return r;
            }
        }
        for (int p : held) {
            if (calls.lockedElsewhere(fd, DENIED_BASE + p)) {
                return Native.LockResult.CONFLICT;
            }
        }
        for (int p : DENIED) {
            if (calls.lockedElsewhere(fd, PERMISSION_BASE + p)) {
                return Native.LockResult.CONFLICT;
            }
        }
        return Native.LockResult.TAKEN;
    }
}
