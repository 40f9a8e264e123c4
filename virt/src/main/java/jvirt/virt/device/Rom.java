package jvirt.virt.device;

import jvirt.core.MmioDevice;

/** Read-only, executable memory (the reset vector's MROM). Writes are ignored. */
public final class Rom implements MmioDevice {
    private final byte[] bytes;

    public Rom(byte[] bytes) {
        this.bytes = bytes.clone();
    }

    @Override
    public long read(long offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            long at = offset + i;
            v |= (at < bytes.length ? bytes[(int) at] & 0xFFL : 0) << (8 * i);
        }
        return v;
    }

    @Override
    public void write(long offset, int size, long value) {
        // ROM.
    }

    @Override
    public boolean executable() {
        return true;
    }
}
