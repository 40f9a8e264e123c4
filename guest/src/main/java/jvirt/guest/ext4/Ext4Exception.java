package jvirt.guest.ext4;

import java.io.IOException;

/** A file system that is not ext2/3/4, is damaged, uses a feature this reader lacks, or has no such file: one line. */
public final class Ext4Exception extends IOException {
    public Ext4Exception(String message) {
        super(message);
    }
}
