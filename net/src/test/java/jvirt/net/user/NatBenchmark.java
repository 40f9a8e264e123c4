package jvirt.net.user;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import jvirt.net.GuestPort;
import jvirt.net.MacAddress;
import jvirt.net.user.wire.EthernetFrame;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.TcpSegment;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * TCP throughput through the NAT over one connection to a loopback peer, in frames as a virtio NIC
 * hands them over. {@code guestToHost}: the benchmark thread is the guest, sending data frames
 * (MSS-sized, or 64 KiB as with segmentation offload, NEEDS_CSUM set) within the NAT's window to a
 * host socket that a reader thread drains. {@code hostToGuest}: a writer thread fills the host
 * socket, the NAT segments it into frames (with and without the NIC's offloads) and the benchmark
 * thread, as the guest, acknowledges what arrived. The {@code bytes} counter is the payload
 * carried per second. Not run by {@code mvn test}; see docs/NETWORK.md for the command.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NatBenchmark {
    private static final int CHUNK = 1 << 20;
    private static final int GUEST_PORT = 33333;
    private static final int SEQ = Frames.TRANSPORT + 4;
    private static final int ACK = Frames.TRANSPORT + 8;
    private static final int MSS = 1460;

    /** What the guest side of the benchmark learns from the NAT's frames; written by whichever thread delivers. */
    static final class Nic implements GuestPort {
        private final boolean offloads;
        private final byte[] guestMemory = new byte[EthernetFrame.HEADER_LENGTH + Ipv4Header.MAX_TOTAL_LENGTH];
        volatile int synAck;
        volatile boolean established;
        volatile boolean reset;
        /** The NAT's acknowledgment plus its window: one value, so that a reader never pairs an old window with a new ACK. */
        volatile int edge;
        volatile int rcvNxt;
        volatile long received;

        Nic(boolean offloads) {
            this.offloads = offloads;
        }

        @Override
        public MacAddress mac() {
            return TestNic.MAC;
        }

        @Override
        public boolean acceptsPartialChecksum() {
            return offloads;
        }

        @Override
        public boolean acceptsLargeTcp() {
            return offloads;
        }

        @Override
        public boolean receive(ByteBuffer frame, int checksumStart, int checksumOffset, int segmentSize) {
            int length = frame.remaining();
            frame.get(frame.position(), guestMemory, 0, length); // what the device does: copy into guest RAM
            ByteBuffer f = ByteBuffer.wrap(guestMemory, 0, length);
            if (EthernetFrame.type(f, 0) != EthernetFrame.TYPE_IPV4 || f.get(Frames.IP + 9) != Ipv4Header.PROTOCOL_TCP) {
                return true;
            }
            int t = Frames.IP + (f.get(Frames.IP) & 0xF) * 4;
            int flags = f.get(t + 13);
            int payload = (f.getShort(Frames.IP + 2) & 0xFFFF) - (t - Frames.IP) - (f.get(t + 12) >>> 4 & 0xF) * 4;
            int seq = f.getInt(t + 4);
            if ((flags & TcpSegment.RST) != 0) {
                reset = true;
                return true;
            }
            if ((flags & TcpSegment.SYN) != 0) {
                synAck = seq;
                rcvNxt = seq + 1;
                edge = f.getInt(t + 8) + (f.getShort(t + 14) & 0xFFFF);
                established = true;
                return true;
            }
            edge = f.getInt(t + 8) + ((f.getShort(t + 14) & 0xFFFF) << 7);
            if (payload > 0 && seq == rcvNxt) {
                rcvNxt = seq + payload;
                received += payload;
            }
            return true;
        }
    }

    /** A NAT, a connection from the guest to a loopback peer, and the peer's thread. */
    abstract static class Connection {
        Nic nic;
        UserNetwork nat;
        ServerSocketChannel server;
        SocketChannel peer;
        Thread peerThread;
        int sndNxt = 0x4000_0000;

        void open(boolean offloads) throws IOException {
            nic = new Nic(offloads);
            nat = new UserNetwork(NatConfig.defaults(), line -> { });
            nat.start(nic);
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ByteBuffer o = ByteBuffer.allocate(TcpSegment.SYN_OPTIONS_LENGTH);
            TcpSegment.writeSynOptions(o, 0, 1460, 7);
            nat.send(Frames.tcp(Frames.GUEST, GUEST_PORT, Frames.GATEWAY, server.socket().getLocalPort(), sndNxt++, 0, TcpSegment.SYN, 65535,
                    o.array(), new byte[0], 0, 0), false);
            peer = server.accept();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!nic.established) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no SYN-ACK from the NAT");
                }
                Thread.onSpinWait();
            }
            nat.send(frame(TcpSegment.ACK, 0), false);
            peerThread = Thread.ofPlatform().daemon().name("loopback-peer").start(this::peer);
        }

        /** A segment from the guest with {@code payload} bytes, its checksum left to "the device". */
        ByteBuffer frame(int flags, int payload) {
            return Frames.tcp(Frames.GUEST, GUEST_PORT, Frames.GATEWAY, server.socket().getLocalPort(), sndNxt, nic.rcvNxt, flags,
                    0xFFFF, new byte[0], new byte[payload], 0, payload);
        }

        abstract void peer();

        void check() {
            if (nic.reset) {
                throw new IllegalStateException("the NAT reset the benchmark's connection");
            }
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            nat.close();
            peer.close();
            server.close();
            peerThread.join(5_000);
        }
    }

    @State(Scope.Benchmark)
    public static class GuestToHost extends Connection {
        /** Payload per frame: an MSS, or a 64 KiB frame as segmentation offload makes it. */
        @Param({"1460", "65160"})
        public int segment;
        private ByteBuffer data;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(true);
            data = frame(TcpSegment.ACK, segment);
        }

        @Override
        void peer() {
            ByteBuffer sink = ByteBuffer.allocateDirect(CHUNK);
            try {
                while (peer.read(sink.clear()) >= 0) {
                    // Drained as a host application would read it.
                }
            } catch (IOException e) {
                // Closed at the end of the trial.
            }
        }
    }

    @State(Scope.Benchmark)
    public static class HostToGuest extends Connection {
        /** Whether the NIC takes partial checksums and 64 KiB frames (virtio's offloads) or only finished MTU frames. */
        @Param({"true", "false"})
        public boolean offloads;
        private ByteBuffer ack;
        private int lastAck;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            open(offloads);
            ack = frame(TcpSegment.ACK, 0);
        }

        @Override
        void peer() {
            ByteBuffer source = ByteBuffer.allocateDirect(CHUNK);
            try {
                while (true) {
                    peer.write(source.clear());
                }
            } catch (IOException e) {
                // Closed at the end of the trial.
            }
        }
    }

    /** Payload bytes carried, reported per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Carried {
        public long bytes;

        @Setup(Level.Iteration)
        public void clear() {
            bytes = 0;
        }
    }

    /**
     * Sends a mebibyte in data frames of {@code segment} bytes, or less when the NAT's window has
     * room for less (at least an MSS), as a guest's TCP sizes its offloaded frames.
     */
    @Benchmark
    public void guestToHost(GuestToHost c, Carried carried) {
        Nic nic = c.nic;
        ByteBuffer data = c.data;
        for (int sent = 0; sent < CHUNK; ) {
            int room;
            while ((room = nic.edge - c.sndNxt) < Math.min(c.segment, MSS)) {
                c.check();
                Thread.onSpinWait();
            }
            int n = Math.min(c.segment, room);
            if (n + Frames.TRANSPORT + TcpSegment.HEADER_LENGTH != data.limit()) {
                data.limit(Frames.TRANSPORT + TcpSegment.HEADER_LENGTH + n);
                data.putShort(Frames.IP + 2, (short) (Ipv4Header.MIN_LENGTH + TcpSegment.HEADER_LENGTH + n));
                Frames.fixIpChecksum(data);
            }
            data.putInt(SEQ, c.sndNxt);
            c.nat.send(data.rewind(), true);
            c.sndNxt += n;
            sent += n;
            carried.bytes += n;
        }
    }

    /** Acknowledges what arrives until another mebibyte has. */
    @Benchmark
    public void hostToGuest(HostToGuest c, Carried carried) {
        Nic nic = c.nic;
        long start = nic.received;
        while (nic.received - start < CHUNK) {
            int r = nic.rcvNxt;
            if (r != c.lastAck) {
                c.ack.putInt(ACK, r);
                c.nat.send(c.ack.rewind(), true);
                c.lastAck = r;
            } else {
                c.check();
                Thread.onSpinWait();
            }
        }
        carried.bytes += nic.received - start;
    }
}
