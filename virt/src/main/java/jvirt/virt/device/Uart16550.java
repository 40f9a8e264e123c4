package jvirt.virt.device;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import jvirt.core.ConsoleInput;
import jvirt.core.InterruptLine;
import jvirt.core.MmioDevice;

/**
 * An ns16550a UART with one-byte registers (reg-shift 0), as on QEMU's virt board. Transmitted
 * bytes go to the console's output at once, so the transmitter is always empty; received bytes
 * wait in a queue that stands in for the receive FIFO and lets the input side block instead of
 * overrunning.
 */
public final class Uart16550 implements MmioDevice, ConsoleInput {
    public static final long SIZE = 0x100;
    private static final int RX_CAPACITY = 4096;

    private static final int IER_RDI = 0x01;
    private static final int IER_THRI = 0x02;
    private static final int IER_RLSI = 0x04;
    private static final int IER_MSI = 0x08;

    private static final int IIR_NO_INT = 0x01;
    private static final int IIR_MSI = 0x00;
    private static final int IIR_THRI = 0x02;
    private static final int IIR_RDI = 0x04;
    private static final int IIR_RLSI = 0x06;
    private static final int IIR_FIFO_ENABLED = 0xC0;

    private static final int LCR_DLAB = 0x80;
    private static final int MCR_LOOP = 0x10;
    private static final int LSR_DR = 0x01;
    private static final int LSR_OE = 0x02;
    private static final int LSR_THRE = 0x20;
    private static final int LSR_TEMT = 0x40;
    private static final int FCR_ENABLE = 0x01;
    private static final int FCR_CLEAR_RX = 0x02;
    /** CTS, DSR and DCD asserted: a terminal is attached. */
    private static final int MSR_CONNECTED = 0xB0;

    private final OutputStream out;
    private final InterruptLine irq;
    private final ArrayDeque<Byte> rx = new ArrayDeque<>();
    private int ier;
    private int lcr;
    private int mcr;
    private int lsrErrors;
    private int msr = MSR_CONNECTED;
    private int scr;
    private int dll = 0x0C;
    private int dlm;
    private boolean fifoEnabled;
    private boolean thrInterruptPending;

    public Uart16550(OutputStream out, InterruptLine irq) {
        this.out = out;
        this.irq = irq;
    }

    /**
     * Queues a byte typed on the console for the guest; blocks while the guest has
     * {@value #RX_CAPACITY} bytes it has not read yet.
     */
    @Override
    public void receive(byte b) throws InterruptedException {
        synchronized (this) {
            while (rx.size() >= RX_CAPACITY) {
                wait();
            }
            rx.add(b);
            updateIrq();
        }
    }

    @Override
    public synchronized long read(long offset, int size) {
        int reg = (int) offset;
        if ((lcr & LCR_DLAB) != 0 && reg <= 1) {
            return reg == 0 ? dll : dlm;
        }
        return switch (reg) {
            case 0 -> {
                Byte b = rx.poll();
                notifyAll();
                updateIrq();
                yield b == null ? 0 : b & 0xFF;
            }
            case 1 -> ier;
            case 2 -> {
                int iir = iir();
                if (iir == IIR_THRI) {
                    thrInterruptPending = false; // reading IIR acknowledges THRE
                    updateIrq();
                }
                yield iir | (fifoEnabled ? IIR_FIFO_ENABLED : 0);
            }
            case 3 -> lcr;
            case 4 -> mcr;
            case 5 -> {
                int lsr = lsr();
                lsrErrors = 0;
                updateIrq();
                yield lsr;
            }
            case 6 -> {
                int v = (mcr & MCR_LOOP) != 0 ? loopbackMsr() : msr;
                msr &= 0xF0; // reading clears the delta bits
                yield v;
            }
            case 7 -> scr;
            default -> 0;
        };
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        int reg = (int) offset;
        int v = (int) value & 0xFF;
        if ((lcr & LCR_DLAB) != 0 && reg <= 1) {
            if (reg == 0) {
                dll = v;
            } else {
                dlm = v;
            }
            return;
        }
        switch (reg) {
            case 0 -> transmit(v);
            case 1 -> {
                int changed = (ier ^ v) & IER_THRI;
                ier = v & 0x0F;
                if (changed != 0) {
                    thrInterruptPending = (ier & IER_THRI) != 0; // the transmitter is always empty
                }
                updateIrq();
            }
            case 2 -> {
                fifoEnabled = (v & FCR_ENABLE) != 0;
                if ((v & FCR_CLEAR_RX) != 0) {
                    rx.clear();
                    notifyAll();
                }
                updateIrq();
            }
            case 3 -> lcr = v;
            case 4 -> mcr = v & 0x1F;
            case 7 -> scr = v;
            default -> {
                // LSR and MSR are read-only.
            }
        }
    }

    private void transmit(int v) {
        if ((mcr & MCR_LOOP) != 0) {
            if (rx.size() < RX_CAPACITY) {
                rx.add((byte) v);
            } else {
                lsrErrors |= LSR_OE;
            }
        } else {
            try {
                out.write(v);
            } catch (IOException e) {
                throw new UncheckedIOException("console output failed", e);
            }
        }
        thrInterruptPending = (ier & IER_THRI) != 0;
        updateIrq();
    }

    private int lsr() {
        return LSR_THRE | LSR_TEMT | lsrErrors | (rx.isEmpty() ? 0 : LSR_DR);
    }

    private int loopbackMsr() {
        // In loopback the modem outputs come back as inputs: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD.
        return (mcr & 0x02) << 3 | (mcr & 0x01) << 5 | (mcr & 0x04) << 4 | (mcr & 0x08) << 4;
    }

    /** The highest-priority pending interrupt, as IIR reports it. */
    private int iir() {
        if ((ier & IER_RLSI) != 0 && lsrErrors != 0) {
            return IIR_RLSI;
        }
        if ((ier & IER_RDI) != 0 && !rx.isEmpty()) {
            return IIR_RDI;
        }
        if ((ier & IER_THRI) != 0 && thrInterruptPending) {
            return IIR_THRI;
        }
        if ((ier & IER_MSI) != 0 && (msr & 0x0F) != 0) {
            return IIR_MSI;
        }
        return IIR_NO_INT;
    }

    private void updateIrq() {
        irq.set(iir() != IIR_NO_INT);
    }
}
