package jvirt.net.user.tcp;

import static jvirt.net.user.wire.TcpSegment.ACK;
import static jvirt.net.user.wire.TcpSegment.FIN;
import static jvirt.net.user.wire.TcpSegment.PSH;
import static jvirt.net.user.wire.TcpSegment.RST;
import static jvirt.net.user.wire.TcpSegment.SYN;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import jvirt.net.GuestPort;
import jvirt.net.user.stack.Counter;
import jvirt.net.user.stack.EventLoop;
import jvirt.net.user.stack.IpOutput;
import jvirt.net.user.stack.NetStack;
import jvirt.net.user.stack.OutFrame;
import jvirt.net.user.stack.Timer;
import jvirt.net.user.wire.InternetChecksum;
import jvirt.net.user.wire.Ipv4Header;
import jvirt.net.user.wire.TcpSegment;

/**
 * One TCP connection, terminated in the NAT: toward the guest a TCP endpoint in the states of
 * RFC 9293, toward the host a non-blocking socket. Bytes from the guest go straight to the host
 * socket while it takes them, into {@link #toHost} when it does not; the window the guest is
 * offered is what that ring may still take. Bytes from the host are read into {@link #toGuest} and
 * stay there until the guest acknowledges them. A guest FIN shuts the host socket's output down
 * once the ring has drained (half-close); the host's end of stream becomes a FIN to the guest once
 * every byte before it is sent. A reset either way resets the other side.
 */
final class TcpConnection implements EventLoop.Handler {
    enum State { CONNECTING, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, CLOSED }

    /** The largest segment the NAT sends the guest unoffloaded: a 1500-byte MTU less the IPv4 and TCP headers. */
    static final int MSS = IpOutput.MTU - Ipv4Header.MIN_LENGTH - TcpSegment.HEADER_LENGTH;
    /** The MSS the NAT announces: what the guest's interface MTU allows, so its segments may be large. */
    static final int ANNOUNCED_MSS = IpOutput.GUEST_MTU - Ipv4Header.MIN_LENGTH - TcpSegment.HEADER_LENGTH;
    /** The window scale the NAT announces: windows up to 8 MiB, in steps of 128 bytes. */
    static final int WINDOW_SCALE = 7;
    /** RFC 9293 section 3.7.1: the MSS of a peer that announces none. */
    private static final int DEFAULT_MSS = 536;
    /** A floor under the guest's MSS, so that a hostile MSS of 1 cannot make a segment per byte. */
    private static final int MIN_MSS = 64;
    /** The largest payload of one offloaded frame: an IPv4 datagram of 64 KiB. */
    private static final int MAX_PAYLOAD = Ipv4Header.MAX_TOTAL_LENGTH - Ipv4Header.MIN_LENGTH - TcpSegment.HEADER_LENGTH;
    /** How long (ms) an ACK for the guest's data may wait, and after how many bytes it goes at once (tuned with bench/network.py). */
    private static final long DELAYED_ACK = 5;
    private static final int ACK_EVERY = 16 * MSS;
    /** RFC 6298: 1 s before any measurement; Linux's 200 ms floor rather than the RFC's 1 s (a local peer). */
    private static final long INITIAL_RTO = 1_000;
    private static final long MIN_RTO = 200;
    private static final long MAX_RTO = 60_000;
    /** Congestion control starts open: the link to the guest is memory, not a network. */
    private static final int OPEN_WINDOW = Integer.MAX_VALUE / 2;

    final TcpNat nat;
    private final NetStack stack;
    final ConnectionKey key;
    State state;
    private SocketChannel channel;
    private SelectionKey selection;
    /** Queued in {@link TcpNat} for room on the link. */
    boolean starved;

    // Toward the guest.
    private final int iss;
    private int sndUna;
    private int sndNxt;
    private int sndMax;
    private int sndWnd;
    private int sndWl1;
    private int sndWl2;
    private int sndScale;
    private int sndMss = DEFAULT_MSS;
    private boolean finSent;
    private int finSeq;
    private final ByteRing toGuest;
    private boolean hostEof;
    private boolean readPaused;

    // From the guest.
    private int rcvNxt;
    private int rcvEdge;
    private int rcvScale;
    private boolean scaling;
    private final ByteRing toHost;
    private boolean guestFin;
    private boolean hostOutputShut;
    private boolean ackPending;
    private boolean ackNow;
    /** Bytes taken from the guest since the last ACK. */
    private int unacked;

    // Timers, RFC 6298 estimates, congestion state.
    private final Timer retransmitTimer = new Timer(this::retransmitTimeout);
    private final Timer ackTimer = new Timer(this::delayedAck);
    private boolean persisting;
    private int retries;
    private long srtt = -1;
    private long rttvar;
    private long baseRto = INITIAL_RTO;
    private long rto = INITIAL_RTO;
    private boolean timing;
    private int timedSeq;
    private long timedAt;
    private int dupAcks;
    private boolean recovering;
    private int recover;
    private int cwnd = OPEN_WINDOW;
    private int ssthresh = OPEN_WINDOW;
    /** The TCP side is over (our FIN acknowledged after the guest's, or TIME_WAIT ran out). */
    private boolean tcpDone;

    TcpConnection(TcpNat nat, ConnectionKey key, int iss) {
        this.nat = nat;
        this.stack = nat.stack;
        this.key = key;
        this.iss = iss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.sndMax = iss;
        this.toGuest = new ByteRing(nat.budget, stack.limits.tcpBuffer());
        this.toHost = new ByteRing(nat.budget, stack.limits.tcpBuffer());
    }

    /** The guest's SYN opened this connection; the host connect is under way on {@code channel}. */
    void connecting(TcpSegment syn, SocketChannel channel, SelectionKey selection) {
        state = State.CONNECTING;
        this.channel = channel;
        this.selection = selection;
        rcvNxt = syn.sequence + 1;
        rcvEdge = rcvNxt;
        synOptions(syn);
        sndWnd = syn.window;
        sndWl1 = syn.sequence;
        sndWl2 = iss;
        stack.loop.schedule(retransmitTimer, EventLoop.now() + stack.limits.tcpConnectTimeout());
    }

    /** A forwarded host port accepted {@code client}: the NAT opens the connection toward the guest. */
    void open(SocketChannel client, SelectionKey selection) {
        state = State.SYN_SENT;
        channel = client;
        this.selection = selection;
        scaling = true;
        rcvScale = WINDOW_SCALE;
        transmitSyn();
    }

    /** The host connect finished: the guest gets its SYN-ACK. */
    void connected() {
        state = State.SYN_RECEIVED;
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            hostFailed();
            return;
        }
        retries = 0;
        transmitSyn();
        updateInterest();
    }

    // ---- Segments from the guest ----

    /** Handles a segment of this connection from the guest. */
    void segment(ByteBuffer frame, TcpSegment s) {
        ackNow = false;
        switch (state) {
            case CONNECTING -> {
                if (s.has(RST) && s.sequence == rcvNxt) {
                    stack.counters.add(Counter.TCP_RESETS_RECEIVED);
                    abort(false);
                }
                // Repeated SYNs wait for the host connect to finish.
                return;
            }
            case SYN_SENT -> {
                synSent(s);
                return;
            }
            case CLOSED -> {
                return;
            }
            default -> {
            }
        }
        int seq = s.sequence;
        if (s.has(SYN)) {
            if (state == State.SYN_RECEIVED && seq == rcvNxt - 1 && !s.has(ACK)) {
                // Our SYN-ACK was lost: the guest repeats its SYN.
                transmitSyn();
            } else if (!s.has(RST)) {
                sendAck(); // RFC 5961 section 4.2: a challenge, not a reset
            }
            return;
        }
        if (!acceptable(seq, s.sequenceLength())) {
            if (!s.has(RST)) {
                sendAck();
            }
            return;
        }
        if (s.has(RST)) {
            if (seq == rcvNxt) {
                stack.counters.add(Counter.TCP_RESETS_RECEIVED);
                abort(false);
            } else {
                sendAck(); // RFC 5961 section 3.2
            }
            return;
        }
        if (!s.has(ACK)) {
            return;
        }
        if (state == State.SYN_RECEIVED) {
            if (!(lt(sndUna, s.acknowledgment) && le(s.acknowledgment, sndMax))) {
                nat.reset(key, s.acknowledgment, 0, RST);
                return;
            }
            state = State.ESTABLISHED;
            nat.established(this);
            sndWnd = s.window << sndScale;
            sndWl1 = seq;
            sndWl2 = s.acknowledgment;
        }
        if (!acknowledge(s)) {
            return;
        }
        if (state == State.TIME_WAIT) {
            if (s.has(FIN)) {
                sendAck();
                stack.loop.schedule(retransmitTimer, EventLoop.now() + stack.limits.tcpTimeWaitTime());
            }
            return;
        }
        boolean inOrder = true;
        if (s.payloadLength > 0) {
            if (receiving()) {
                inOrder = data(frame, s);
                if (state == State.CLOSED) {
                    return;
                }
            } else {
                repeated(); // bytes after the guest's FIN can only be a repeat
            }
        }
        if (s.has(FIN)) {
            if (guestFin) {
                repeated(); // our ACK of it was lost
            } else if (inOrder && seq + s.payloadLength == rcvNxt) {
                finReceived();
            }
        }
        output();
        if (ackNow && ackPending) {
            sendAck();
        }
        updateInterest();
    }

    /** The guest's answer to the SYN of a forwarded connection. */
    private void synSent(TcpSegment s) {
        if (s.has(ACK) && s.acknowledgment != iss + 1) {
            if (!s.has(RST)) {
                nat.reset(key, s.acknowledgment, 0, RST);
            }
            return;
        }
        if (s.has(RST)) {
            if (s.has(ACK)) {
                // Nothing listens in the guest: the host client is reset.
                stack.counters.add(Counter.TCP_RESETS_RECEIVED);
                abort(false);
            }
            return;
        }
        if (!s.has(SYN) || !s.has(ACK)) {
            return; // a simultaneous open is not a thing a forwarded port needs
        }
        rcvNxt = s.sequence + 1;
        rcvEdge = rcvNxt;
        synOptions(s);
        sndUna = s.acknowledgment;
        sndNxt = sndUna;
        sndMax = sndUna;
        sndWnd = s.window;
        sndWl1 = s.sequence;
        sndWl2 = s.acknowledgment;
        retries = 0;
        rto = baseRto;
        stack.loop.cancel(retransmitTimer);
        state = State.ESTABLISHED;
        try {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            hostFailed();
            return;
        }
        sendAck();
        readFromHost();
        updateInterest();
    }

    private void synOptions(TcpSegment syn) {
        sndMss = Math.clamp(syn.mss < 0 ? DEFAULT_MSS : syn.mss, MIN_MSS, MSS);
        scaling = syn.windowScale >= 0;
        sndScale = scaling ? syn.windowScale : 0;
        rcvScale = scaling ? WINDOW_SCALE : 0;
    }

    /** RFC 9293 section 3.10.7.4, leniently as Linux: anything that reaches into the window, or a bare ACK at its edge. */
    private boolean acceptable(int seq, int length) {
        return le(rcvNxt, seq + length) && le(seq, rcvEdge);
    }

    /** Processes the acknowledgment and window of {@code s}; false when the rest of the segment must be dropped. */
    private boolean acknowledge(TcpSegment s) {
        int ack = s.acknowledgment;
        if (lt(sndMax, ack)) {
            sendAck(); // it acknowledges what was never sent
            return false;
        }
        int window = s.window << sndScale;
        if (persisting) {
            retries = 0; // the guest answers its probes: it is alive, only its window is shut
        }
        boolean sameWindow = window == sndWnd;
        // The window first: what the acknowledgment lets out (more read from the host, sent at
        // once) must fit the window this segment offers, not the one before it.
        if (lt(sndWl1, s.sequence) || sndWl1 == s.sequence && le(sndWl2, ack)) {
            sndWnd = window;
            sndWl1 = s.sequence;
            sndWl2 = ack;
            if (persisting && sndWnd > 0) {
                persisting = false;
                stack.loop.cancel(retransmitTimer);
            }
        }
        if (lt(sndUna, ack)) {
            newlyAcknowledged(ack);
            if (state == State.CLOSED) {
                return false;
            }
        } else if (ack == sndUna && s.payloadLength == 0 && !s.has(FIN) && sameWindow && sndMax != sndUna) {
            duplicateAck();
        }
        return true;
    }

    private void newlyAcknowledged(int ack) {
        int acked = ack - sndUna;
        toGuest.discard(Math.min(acked, toGuest.size()));
        sndUna = ack;
        if (lt(sndNxt, sndUna)) {
            sndNxt = sndUna;
        }
        retries = 0;
        if (timing && le(timedSeq, ack)) {
            timing = false;
            measured(EventLoop.now() - timedAt);
        }
        rto = baseRto;
        if (recovering) {
            if (le(recover, ack)) {
                recovering = false;
                cwnd = ssthresh;
            } else {
                // NewReno (RFC 6582): a partial acknowledgment means the next hole, resent at once.
                retransmitFirst();
                cwnd = Math.max(cwnd - acked + sndMss, sndMss);
            }
        } else if (cwnd < ssthresh) {
            cwnd = (int) Math.min((long) cwnd + acked, OPEN_WINDOW);
        } else {
            cwnd = (int) Math.min((long) cwnd + Math.max(1, (long) sndMss * sndMss / cwnd), OPEN_WINDOW);
        }
        dupAcks = 0;
        if (sndUna == sndMax) {
            if (!persisting) {
                stack.loop.cancel(retransmitTimer);
            }
        } else {
            armRetransmit();
        }
        if (finSent && sndUna == finSeq + 1) {
            switch (state) {
                case FIN_WAIT_1 -> state = State.FIN_WAIT_2;
                case CLOSING -> enterTimeWait();
                case LAST_ACK -> {
                    tcpDone = true;
                    maybeFinish();
                }
                default -> {
                }
            }
        }
        if (readPaused && toGuest.hasRoom()) {
            readFromHost();
        }
    }

    private void duplicateAck() {
        dupAcks++;
        if (dupAcks == 3 && !recovering) {
            recovering = true;
            recover = sndMax;
            ssthresh = Math.max((sndMax - sndUna) / 2, 2 * sndMss);
            retransmitFirst();
            cwnd = ssthresh + 3 * sndMss;
            stack.counters.add(Counter.TCP_FAST_RETRANSMITS);
        } else if (recovering) {
            cwnd = (int) Math.min((long) cwnd + sndMss, OPEN_WINDOW);
        }
    }

    /**
     * Takes the guest's bytes: straight to the host socket while it takes them, the rest into the
     * ring. Returns whether the segment was in order (only then may its FIN count).
     */
    private boolean data(ByteBuffer frame, TcpSegment s) {
        int offset = s.payloadOffset;
        int length = s.payloadLength;
        int seq = s.sequence;
        if (lt(seq, rcvNxt)) {
            int skip = rcvNxt - seq;
            offset += skip;
            length -= skip;
            seq = rcvNxt;
        }
        if (length <= 0 || seq != rcvNxt) {
            // A repeat, or a segment after a hole: the guest learns what is missing from a duplicate ACK.
            repeated();
            return length <= 0;
        }
        ackPending = true;
        int room = rcvEdge - rcvNxt;
        boolean whole = length <= room;
        length = Math.min(length, room);
        if (length > 0) {
            if (!toHost(frame, offset, length)) {
                return false;
            }
            rcvNxt += length;
            if (rcvEdge - rcvNxt < toHost.reserved() / 2) {
                // The guest uses the window: let it grow, as far as the budget allows.
                toHost.reserve(toHost.reserved() * 2);
            }
        }
        unacked += length;
        // A large segment, every ACK_EVERY bytes, or a window running out is acknowledged at once,
        // the rest after a short delay, whatever PSH says: each ACK costs the guest's emulated CPU
        // an interrupt and a pass through its TCP stack, and a guest writing in small pieces keeps
        // sending full segments (Nagle holds only the tail) instead of one segment per write.
        if (!whole || s.payloadLength > MSS || unacked >= ACK_EVERY || rcvEdge - rcvNxt < ACK_EVERY) {
            ackNow = true;
        } else if (!ackTimer.isScheduled()) {
            stack.loop.schedule(ackTimer, EventLoop.now() + DELAYED_ACK);
        }
        return whole;
    }

    private boolean toHost(ByteBuffer frame, int offset, int length) {
        if (toHost.isEmpty()) {
            int position = frame.position();
            int limit = frame.limit();
            int written;
            try {
                frame.limit(offset + length).position(offset);
                written = channel.write(frame);
            } catch (IOException e) {
                hostFailed();
                return false;
            } finally {
                frame.limit(limit).position(position);
            }
            offset += written;
            length -= written;
        }
        toHost.put(frame, offset, length);
        return true;
    }

    /** The guest sent again what it had sent: it did not see our ACK, so it gets one now. */
    private void repeated() {
        ackPending = true;
        ackNow = true;
    }

    private void finReceived() {
        rcvNxt++;
        guestFin = true;
        ackPending = true;
        ackNow = true;
        switch (state) {
            case ESTABLISHED -> state = State.CLOSE_WAIT;
            case FIN_WAIT_1 -> state = State.CLOSING;
            case FIN_WAIT_2 -> enterTimeWait();
            default -> {
            }
        }
        shutdownHostOutput();
    }

    private boolean receiving() {
        return !guestFin && (state == State.ESTABLISHED || state == State.FIN_WAIT_1 || state == State.FIN_WAIT_2);
    }

    private boolean sending() {
        return state == State.ESTABLISHED || state == State.CLOSE_WAIT;
    }

    // ---- The host socket ----

    @Override
    public void ready(int readyOps) {
        if (state == State.CONNECTING) {
            if ((readyOps & SelectionKey.OP_CONNECT) != 0) {
                finishConnect();
            }
            return;
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            flushToHost();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            readFromHost();
        }
        updateInterest();
    }

    @Override
    public void abort() {
        abort(true);
    }

    private void finishConnect() {
        try {
            if (!channel.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            stack.counters.add(Counter.TCP_CONNECT_FAILED);
            abort(true);
            return;
        }
        stack.loop.cancel(retransmitTimer);
        connected();
    }

    private void flushToHost() {
        if (channel == null) {
            return;
        }
        try {
            toHost.writeTo(channel);
        } catch (IOException e) {
            hostFailed();
            return;
        }
        if (toHost.isEmpty()) {
            shutdownHostOutput();
        }
        if (state != State.CLOSED && receiving()) {
            int free = toHost.reserved() - toHost.size() - (1 << rcvScale);
            if (free - (rcvEdge - rcvNxt) >= Math.min(toHost.reserved() / 2, 2 * MSS)) {
                sendAck(); // a window update: the guest may have stopped on a full window
            }
        }
    }

    private void readFromHost() {
        if (channel == null || hostEof || !sending()) {
            return;
        }
        int n;
        try {
            n = toGuest.readFrom(channel);
        } catch (IOException e) {
            hostFailed();
            return;
        }
        if (n < 0) {
            hostEof = true;
            closeChannelIfDone();
        }
        output();
    }

    private void shutdownHostOutput() {
        if (!guestFin || hostOutputShut || !toHost.isEmpty() || channel == null) {
            return;
        }
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            hostFailed();
            return;
        }
        hostOutputShut = true;
        closeChannelIfDone();
    }

    /** Both directions are over on the host side: the socket goes (a FIN has been sent each way). */
    private void closeChannelIfDone() {
        if (hostOutputShut && hostEof && channel != null) {
            closeChannel(false);
            maybeFinish();
        }
    }

    /** The host peer reset or the socket failed: the guest gets a reset. */
    private void hostFailed() {
        abort(true);
    }

    private void updateInterest() {
        if (selection == null || state == State.CLOSED) {
            return;
        }
        int ops = 0;
        if (state == State.CONNECTING) {
            ops = SelectionKey.OP_CONNECT;
        } else {
            readPaused = false;
            if (!hostEof && sending()) {
                if (toGuest.hasRoom()) {
                    ops |= SelectionKey.OP_READ;
                } else {
                    readPaused = true;
                }
            }
            if (!toHost.isEmpty()) {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        stack.loop.interest(selection, ops);
    }

    // ---- Segments to the guest ----

    /** Sends what the windows, the ring and the link allow; a FIN after the host's last byte. */
    void output() {
        if (state != State.ESTABLISHED && state != State.CLOSE_WAIT && state != State.FIN_WAIT_1
                && state != State.CLOSING && state != State.LAST_ACK) {
            return;
        }
        GuestPort nic = stack.link.nic();
        int maxSegment = nic.acceptsLargeTcp() ? MAX_PAYLOAD / sndMss * sndMss : sndMss;
        int dataEnd = sndUna + toGuest.size();
        while (true) {
            int unsent = dataEnd - sndNxt;
            boolean finDue = hostEof && sndNxt == dataEnd;
            if (unsent <= 0 && !finDue) {
                return;
            }
            int length = 0;
            if (unsent > 0) {
                int usable = sndUna + Math.min(sndWnd, cwnd) - sndNxt;
                if (usable <= 0) {
                    if (sndWnd == 0 && sndUna == sndMax && !persisting) {
                        persist();
                    }
                    return;
                }
                length = Math.min(unsent, Math.min(usable, maxSegment));
                if (length < unsent && length < sndMss && sndNxt != sndUna) {
                    return; // RFC 9293 3.8.6.2.1: no small segments while an ACK will open the window
                }
            }
            if (!stack.link.hasRoomForData()) {
                nat.starve(this);
                return;
            }
            boolean fin = hostEof && sndNxt + length == dataEnd;
            int flags = ACK | (fin ? FIN : 0) | (length > 0 && sndNxt + length == dataEnd ? PSH : 0);
            if (!transmit(sndNxt, flags, sndNxt - sndUna, length)) {
                nat.starve(this);
                return;
            }
            if (lt(sndNxt, sndMax)) {
                stack.counters.add(Counter.TCP_RETRANSMITS);
            } else if (!timing && length > 0) {
                timing = true;
                timedSeq = sndNxt + length;
                timedAt = EventLoop.now();
            }
            sndNxt += length + (fin ? 1 : 0);
            if (lt(sndMax, sndNxt)) {
                sndMax = sndNxt;
            }
            if (fin && !finSent) {
                finSent = true;
                finSeq = sndNxt - 1;
                state = state == State.ESTABLISHED ? State.FIN_WAIT_1 : State.LAST_ACK;
            }
            if (!retransmitTimer.isScheduled() || persisting) {
                armRetransmit();
            }
        }
    }

    /** Resends the first unacknowledged segment (fast retransmit, NewReno's partial ACKs). */
    private void retransmitFirst() {
        int length = Math.min(Math.min(sndMss, toGuest.size()), sndMax - sndUna);
        boolean fin = finSent && sndUna + length == finSeq;
        if (length > 0 || fin) {
            if (transmit(sndUna, ACK | (fin ? FIN : 0), 0, length)) {
                stack.counters.add(Counter.TCP_RETRANSMITS);
                timing = false;
            }
        }
    }

    /** Resumes sending after the link had no room. */
    void resume() {
        output();
        updateInterest();
    }

    private void sendAck() {
        transmit(sndMax, ACK, 0, 0);
    }

    private void transmitSyn() {
        transmit(iss, state == State.SYN_SENT ? SYN : SYN | ACK, 0, 0);
        sndNxt = iss + 1;
        sndMax = sndNxt;
        armRetransmit();
    }

    /** Builds and queues one segment; {@code from} is where its payload starts in {@link #toGuest}. False when the link had no room. */
    private boolean transmit(int seq, int flags, int from, int length) {
        int options = (flags & SYN) != 0 ? TcpSegment.SYN_OPTIONS_LENGTH : 0;
        int tcpLength = TcpSegment.HEADER_LENGTH + options + length;
        OutFrame frame = stack.ip.allocate(tcpLength);
        if (frame == null) {
            return false;
        }
        ByteBuffer b = frame.buffer;
        int at = IpOutput.TRANSPORT_OFFSET;
        int window = (flags & RST) != 0 ? 0 : advertise((flags & SYN) != 0);
        TcpSegment.write(b, at, key.remotePort, key.guestPort, seq, (flags & ACK) != 0 ? rcvNxt : 0, flags, window, options);
        if (options > 0) {
            TcpSegment.writeSynOptions(b, at + TcpSegment.HEADER_LENGTH, ANNOUNCED_MSS,
                    state == State.SYN_SENT || scaling ? WINDOW_SCALE : -1);
        }
        if (length > 0) {
            toGuest.copyTo(from, b, at + TcpSegment.HEADER_LENGTH + options, length);
        }
        if (stack.link.nic().acceptsPartialChecksum()) {
            InternetChecksum.fillPseudoHeader(b, at, tcpLength, Ipv4Header.PROTOCOL_TCP, key.remoteAddress, key.guestAddress, TcpSegment.CHECKSUM_FIELD);
            frame.checksumStart = at;
            frame.checksumOffset = TcpSegment.CHECKSUM_FIELD;
        } else {
            InternetChecksum.fillTransport(b, at, tcpLength, Ipv4Header.PROTOCOL_TCP, key.remoteAddress, key.guestAddress, TcpSegment.CHECKSUM_FIELD);
        }
        if (length > sndMss) {
            frame.segmentSize = sndMss;
        }
        stack.ip.send(frame, Ipv4Header.PROTOCOL_TCP, key.remoteAddress, key.guestAddress, tcpLength, Ipv4Header.DONT_FRAGMENT);
        if ((flags & RST) != 0) {
            stack.counters.add(Counter.TCP_RESETS_SENT);
        }
        if ((flags & ACK) != 0) {
            ackPending = false;
            unacked = 0;
        }
        return true;
    }

    /**
     * The window field for the next segment. The window is what {@link #toHost} may still take,
     * less one scale unit so that rounding an earlier offer up stays within it; it never shrinks
     * (RFC 9293 3.8.6.2.2 and RFC 7323 2.4) and never grows by less than min(half the buffer, MSS),
     * the receiver's silly window avoidance.
     */
    private int advertise(boolean syn) {
        int unit = 1 << rcvScale;
        int promised = rcvEdge - rcvNxt;
        int free = toHost.reserved() - toHost.size() - unit;
        int shift = syn ? 0 : rcvScale;
        int offered = Math.max(0, Math.min(free, 0xFFFF << shift)) >> shift << shift;
        if (offered - promised < Math.min(toHost.reserved() / 2, MSS)) {
            offered = promised + (1 << shift) - 1 >> shift << shift;
        }
        rcvEdge = rcvNxt + offered;
        return offered >> shift;
    }

    // ---- Timers ----

    private void armRetransmit() {
        persisting = false;
        stack.loop.schedule(retransmitTimer, EventLoop.now() + rto);
    }

    /** The guest's window is shut with data waiting: probe it now and then (RFC 9293 3.8.6.1). */
    private void persist() {
        persisting = true;
        stack.loop.schedule(retransmitTimer, EventLoop.now() + rto);
    }

    private void measured(long rtt) {
        if (srtt < 0) {
            srtt = rtt;
            rttvar = rtt / 2;
        } else {
            rttvar = (3 * rttvar + Math.abs(srtt - rtt)) / 4;
            srtt = (7 * srtt + rtt) / 8;
        }
        baseRto = Math.clamp(srtt + Math.max(1, 4 * rttvar), MIN_RTO, MAX_RTO);
        rto = baseRto;
    }

    private void retransmitTimeout(long now) {
        switch (state) {
            case CONNECTING -> {
                stack.counters.add(Counter.TCP_CONNECT_FAILED);
                abort(true);
            }
            case SYN_SENT, SYN_RECEIVED -> {
                if (++retries > stack.limits.tcpSynRetries()) {
                    stack.counters.add(Counter.TCP_TIMEOUTS);
                    abort(state == State.SYN_RECEIVED);
                } else {
                    rto = Math.min(rto * 2, MAX_RTO);
                    stack.counters.add(Counter.TCP_RETRANSMITS);
                    transmitSyn();
                }
            }
            case TIME_WAIT -> {
                tcpDone = true;
                maybeFinish();
            }
            case CLOSED -> {
            }
            default -> {
                if (persisting) {
                    // Linux's probe: an old sequence number with no data, which the guest must answer
                    // with its window.
                    if (++retries > stack.limits.tcpDataRetries()) {
                        stack.counters.add(Counter.TCP_TIMEOUTS);
                        abort(true);
                        return;
                    }
                    transmit(sndUna - 1, ACK, 0, 0);
                    rto = Math.min(rto * 2, MAX_RTO);
                    persist();
                    return;
                }
                if (sndUna == sndMax) {
                    return;
                }
                if (++retries > stack.limits.tcpDataRetries()) {
                    stack.counters.add(Counter.TCP_TIMEOUTS);
                    abort(true);
                    return;
                }
                rto = Math.min(rto * 2, MAX_RTO);
                ssthresh = Math.max((sndMax - sndUna) / 2, 2 * sndMss);
                cwnd = sndMss;
                recovering = false;
                dupAcks = 0;
                timing = false;
                sndNxt = sndUna; // go back: everything unacknowledged is sent again as ACKs come
                output();
                if (sndWnd == 0) {
                    persist(); // nothing fits a shut window: probe it instead
                } else if (!retransmitTimer.isScheduled()) {
                    armRetransmit();
                }
            }
        }
    }

    private void delayedAck(long now) {
        if (ackPending && state != State.CLOSED) {
            sendAck();
        }
    }

    // ---- The end ----

    private void enterTimeWait() {
        state = State.TIME_WAIT;
        stack.loop.cancel(ackTimer);
        stack.loop.schedule(retransmitTimer, EventLoop.now() + stack.limits.tcpTimeWaitTime());
        nat.enteredTimeWait(this);
    }

    /** Goes once the TCP side is over and the host socket is closed. */
    private void maybeFinish() {
        if (tcpDone && channel == null) {
            finish();
        }
    }

    /** Ends the connection now: a reset to the guest if {@code resetGuest}, the host socket reset. */
    void abort(boolean resetGuest) {
        if (state == State.CLOSED) {
            return;
        }
        if (resetGuest && state != State.TIME_WAIT) {
            transmit(state == State.CONNECTING ? 0 : sndMax, RST | ACK, 0, 0);
        }
        closeChannel(true);
        finish();
    }

    /** Releases everything; the table forgets the connection. */
    void finish() {
        if (state == State.CLOSED) {
            return;
        }
        State was = state;
        state = State.CLOSED;
        stack.loop.cancel(retransmitTimer);
        stack.loop.cancel(ackTimer);
        closeChannel(true);
        toGuest.release();
        toHost.release();
        nat.removed(this, was);
    }

    /** Closes the host socket; {@code reset}: with SO_LINGER 0, so that the peer sees a reset. */
    private void closeChannel(boolean reset) {
        if (channel == null) {
            return;
        }
        try {
            if (reset) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException e) {
            // Already dead: closing is all there is left to do.
        }
        try {
            channel.close();
        } catch (IOException e) {
            stack.log.warn("tcp-close", "user-mode network: closing a host socket failed: " + e.getMessage());
        }
        channel = null;
        selection = null;
        stack.loop.closed();
    }

    private static boolean lt(int a, int b) {
        return a - b < 0;
    }

    private static boolean le(int a, int b) {
        return a - b <= 0;
    }
}
