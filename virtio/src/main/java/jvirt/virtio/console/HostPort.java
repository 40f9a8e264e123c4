package jvirt.virtio.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The host's end of a named port of a {@link VirtioConsole} (QEMU's {@code virtserialport}
 * chardev): what the guest writes to {@code /dev/virtio-ports/NAME} comes out of
 * {@link #fromGuest()}, and what the host writes to {@link #toGuest()} the guest reads there.
 * Both directions are bounded buffers: a reader blocks until the guest sends, a writer blocks
 * while the guest does not read. Closing the device wakes both.
 */
public final class HostPort {
    private final VirtioConsole.NamedPort port;

    private final InputStream fromGuest = new InputStream() {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            try {
                return port.read(b, off, len);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted reading port " + port.name);
            }
        }
    };

    private final OutputStream toGuest = new OutputStream() {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            boolean open;
            try {
                open = port.send(b, off, len);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted writing port " + port.name);
            }
            if (!open) {
                throw new IOException("port " + port.name + " is closed: the machine has ended");
            }
        }
    };

    HostPort(VirtioConsole.NamedPort port) {
        this.port = port;
    }

    /** The name the guest sees ({@code /dev/virtio-ports/NAME}). */
    public String name() {
        return port.name;
    }

    /** The bytes the guest transmitted on the port; reads block until there are some, and end when the device closes. */
    public InputStream fromGuest() {
        return fromGuest;
    }

    /**
     * Bytes for the guest to read on the port. Writes block while the buffer (64 KiB) is full;
     * bytes wait there while the guest does not have the port open. Fails once the device closes.
     */
    public OutputStream toGuest() {
        return toGuest;
    }

    /** Whether a program in the guest has the port open (the driver's last PORT_OPEN). */
    public boolean guestConnected() {
        return port.guestConnected();
    }
}
