package jvirt.net.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import jvirt.net.user.wire.InternetChecksum;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.TcpSegment;

/**
 * The guest's end of a TCP connection, as simple as a test can make it: in-order only, every data
 * segment acknowledged at once (unless told not to), and a check that the NAT never sends past the
 * window this side offered.
 */
final class GuestTcp {
    private static final Duration WAIT = Duration.ofSeconds(10);
    final Nat nat;
    final int port;
    final int remote;
    int remotePort;
    int sndNxt = 0x1000_0000;
    int sndUna = sndNxt;
    int rcvNxt;
    int peerWindow;
    int peerScale;
    int peerMss;
    /** The window this side offers (bytes) and its scale (-1: no window scale option). */
    int window = 256 * 1024;
    int scale = 7;
    int mss = 1460;
    /** Payload per frame this side sends: up to 64 KiB imitates a guest using segmentation offload. */
    int segment = 1460;
    /** Whether frames go out as virtio's NEEDS_CSUM: only the pseudo-header sum in the checksum field. */
    boolean partial;
    boolean acking = true;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean finReceived;
    boolean resetReceived;
    int dataSegments;
    /** The acknowledgment number of the NAT's latest segment: where it expects this side's next byte. */
    int peerAck;
    int largestSegment;
    /** The highest sequence number the NAT may send to: what was acknowledged plus the window offered then. */
    private int edge;
    private boolean edgeSet;

    GuestTcp(Nat nat, int port, int remote, int remotePort) {
        this.nat = nat;
        this.port = port;
        this.remote = remote;
        this.remotePort = remotePort;
    }

    boolean matches(Packet p) {
        if (!p.isTcp()) {
            return false;
        }
        ByteBuffer f = p.frame();
        int t = p.transport();
        return f.getInt(Packet.IP + 12) == remote && f.getInt(Packet.IP + 16) == Frames.GUEST
                && (remotePort == 0 || (f.getShort(t) & 0xFFFF) == remotePort) && (f.getShort(t + 2) & 0xFFFF) == port;
    }

    /** Opens the connection; returns the NAT's answer to the SYN (a SYN-ACK, handled, or a reset). */
    Packet connect() {
        send(TcpSegment.SYN, synOptions(), new byte[0], 0, 0);
        sndNxt++;
        Packet answer = nat.nic.await(this::matches);
        TcpSegment t = answer.tcp();
        if (t.has(TcpSegment.RST)) {
            resetReceived = true;
            return answer;
        }
        assertThat(t.flags & 0x3F).isEqualTo(TcpSegment.SYN | TcpSegment.ACK);
        assertThat(t.acknowledgment).isEqualTo(sndNxt);
        synReceived(t);
        sndUna = t.acknowledgment;
        sendAck();
        return answer;
    }

    /** Answers the NAT's SYN (a forwarded port) and waits for the handshake's last ACK. */
    void accept(Packet syn) {
        TcpSegment t = syn.tcp();
        assertThat(t.flags & 0x3F).isEqualTo(TcpSegment.SYN);
        remotePort = t.sourcePort;
        synReceived(t);
        send(TcpSegment.SYN | TcpSegment.ACK, synOptions(), new byte[0], 0, 0);
        sndNxt++;
        while (sndUna != sndNxt) {
            handle(nat.nic.await(this::matches));
        }
    }

    private void synReceived(TcpSegment t) {
        rcvNxt = t.sequence + 1;
        peerMss = t.mss;
        if (scale < 0 || t.windowScale < 0) {
            peerScale = 0;
            scale = scale < 0 ? -1 : 0;
        } else {
            peerScale = t.windowScale;
        }
        peerWindow = t.window;
    }

    private byte[] synOptions() {
        ByteBuffer o = ByteBuffer.allocate(TcpSegment.SYN_OPTIONS_LENGTH);
        TcpSegment.writeSynOptions(o, 0, mss, scale);
        return o.array();
    }

    private int shift() {
        return Math.max(scale, 0);
    }

    /** Sends {@code data}, as much at a time as the NAT's window allows, and waits until all is acknowledged. */
    void write(byte[] data) {
        int at = 0;
        while (at < data.length) {
            int allowed = sndUna + peerWindow - sndNxt;
            if (allowed <= 0) {
                handle(nat.nic.await(this::matches));
                continue;
            }
            int n = Math.min(Math.min(segment, allowed), data.length - at);
            send(TcpSegment.ACK | TcpSegment.PSH, new byte[0], data, at, n);
            sndNxt += n;
            at += n;
            drainWaiting();
        }
        awaitAcknowledged();
    }

    void awaitAcknowledged() {
        while (sndUna != sndNxt) {
            handle(nat.nic.await(this::matches));
        }
    }

    /** Handles what the NAT has sent without waiting. */
    void drainWaiting() {
        Packet p;
        while ((p = nat.nic.poll(this::matches, Duration.ZERO)) != null) {
            handle(p);
        }
    }

    /** Receives until {@code n} bytes in all came in, or the NAT's FIN. */
    byte[] read(int n) {
        while (received.size() < n && !finReceived && !resetReceived) {
            handle(nat.nic.await(this::matches));
        }
        return received.toByteArray();
    }

    /** Receives until the NAT's FIN. */
    byte[] readToEnd() {
        while (!finReceived && !resetReceived) {
            handle(nat.nic.await(this::matches));
        }
        return received.toByteArray();
    }

    /** Waits for the NAT to reset the connection. */
    void awaitReset() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!resetReceived && System.nanoTime() < deadline) {
            Packet p = nat.nic.poll(this::matches, Duration.ofMillis(100));
            if (p != null) {
                handle(p);
            }
        }
        assertThat(resetReceived).as("a reset from the NAT").isTrue();
    }

    void handle(Packet p) {
        TcpSegment t = p.tcp();
        if (t.has(TcpSegment.RST)) {
            resetReceived = true;
            return;
        }
        if (t.has(TcpSegment.ACK)) {
            peerAck = t.acknowledgment;
            if (t.acknowledgment - sndUna > 0 && t.acknowledgment - sndNxt <= 0) {
                sndUna = t.acknowledgment;
            }
            peerWindow = t.window << peerScale;
        }
        int length = t.payloadLength;
        if (length > 0) {
            dataSegments++;
            largestSegment = Math.max(largestSegment, length);
            assertThat(t.sequence + length - edge).as("the NAT stays inside the window offered").isLessThanOrEqualTo(0);
            if (p.segmentSize() > 0) {
                assertThat(p.segmentSize()).isEqualTo(Math.min(mss, 1460));
            } else {
                assertThat(length).isLessThanOrEqualTo(Math.min(mss, 1460));
            }
            if (t.sequence == rcvNxt) {
                received.write(p.frame().array(), t.payloadOffset, length);
                rcvNxt += length;
            }
        }
        if (t.has(TcpSegment.FIN) && t.sequence + length == rcvNxt) {
            rcvNxt++;
            finReceived = true;
        }
        if ((length > 0 || t.has(TcpSegment.FIN)) && acking) {
            sendAck();
        }
    }

    void sendAck() {
        send(TcpSegment.ACK, new byte[0], new byte[0], 0, 0);
    }

    void fin() {
        send(TcpSegment.FIN | TcpSegment.ACK, new byte[0], new byte[0], 0, 0);
        sndNxt++;
    }

    void reset() {
        send(TcpSegment.RST | TcpSegment.ACK, new byte[0], new byte[0], 0, 0);
    }

    /** Sends a segment at {@link #sndNxt}. */
    void send(int flags, byte[] options, byte[] data, int offset, int length) {
        sendAt(sndNxt, flags, options, data, offset, length);
    }

    void sendAt(int seq, int flags, byte[] options, byte[] data, int offset, int length) {
        boolean syn = (flags & TcpSegment.SYN) != 0;
        int field = syn ? Math.min(window, 0xFFFF) : window >> shift();
        ByteBuffer frame = Frames.tcp(Frames.GUEST, port, remote, remotePort, seq, (flags & TcpSegment.ACK) != 0 ? rcvNxt : 0, flags, field,
                options, data, offset, length);
        if ((flags & TcpSegment.ACK) != 0) {
            int offered = rcvNxt + (field << (syn ? 0 : shift()));
            if (!edgeSet || offered - edge > 0) {
                edge = offered;
                edgeSet = true;
            }
        }
        if (partial) {
            InternetChecksum.fillPseudoHeader(frame, Frames.TRANSPORT, frame.limit() - Frames.TRANSPORT, Ipv4Header.PROTOCOL_TCP,
                    Frames.GUEST, remote, TcpSegment.CHECKSUM_FIELD);
            nat.sendPartial(frame);
        } else {
            nat.send(frame);
        }
    }
}
