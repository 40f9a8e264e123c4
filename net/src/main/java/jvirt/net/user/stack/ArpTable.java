package jvirt.net.user.stack;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import jvirt.net.user.wire.ArpPacket;
import jvirt.net.user.wire.EthernetFrame;

/**
 * The guest's MAC addresses by IPv4 address, learnt from its ARP and IP traffic; answers the guest's
 * ARP requests for the NAT's addresses; asks the guest (and holds the frames briefly) when the NAT
 * must reach an address it has not heard from, as for a forwarded port before the guest spoke.
 */
public final class ArpTable {
    private static final int ENTRIES = 32;
    private static final int WAITING_ADDRESSES = 8;
    private static final int WAITING_FRAMES = 16;
    private static final int REQUESTS = 3;
    private static final long REQUEST_INTERVAL = 1_000;
    private final NetStack stack;
    private final int[] addresses = new int[ENTRIES];
    private final long[] macs = new long[ENTRIES];
    private final long[] lastUse = new long[ENTRIES];
    private int size;
    private long uses;
    private final List<Waiting> waiting = new ArrayList<>();

    /** Frames for one address that has not answered yet. */
    private final class Waiting {
        final int address;
        final ArrayDeque<OutFrame> frames = new ArrayDeque<>();
        final Timer timer = new Timer(now -> retry(this, now));
        int requests;

        Waiting(int address) {
            this.address = address;
        }
    }

    ArpTable(NetStack stack) {
        this.stack = stack;
    }

    /** The MAC of a guest address, or -1 when unknown. */
    public long lookup(int address) {
        for (int i = 0; i < size; i++) {
            if (addresses[i] == address) {
                lastUse[i] = ++uses;
                return macs[i];
            }
        }
        return -1;
    }

    /** Notes that the guest answers {@code address} at {@code mac}; frames waiting for it go out. */
    public void learn(int address, long mac) {
        if (!stack.network.isGuestAddress(address) || EthernetFrame.isGroup(mac) || mac == 0) {
            return;
        }
        int slot = -1;
        for (int i = 0; i < size && slot < 0; i++) {
            if (addresses[i] == address) {
                slot = i;
            }
        }
        if (slot < 0) {
            if (size < ENTRIES) {
                slot = size++;
            } else {
                slot = 0;
                for (int i = 1; i < size; i++) {
                    if (lastUse[i] < lastUse[slot]) {
                        slot = i;
                    }
                }
            }
            addresses[slot] = address;
        }
        macs[slot] = mac;
        lastUse[slot] = ++uses;
        for (int i = 0; i < waiting.size(); i++) {
            Waiting w = waiting.get(i);
            if (w.address == address) {
                waiting.remove(i);
                stack.loop.cancel(w.timer);
                OutFrame frame;
                while ((frame = w.frames.pollFirst()) != null) {
                    EthernetFrame.write(frame.buffer, 0, mac, stack.mac, EthernetFrame.TYPE_IPV4);
                    stack.link.submit(frame);
                }
                return;
            }
        }
    }

    /** Handles an ARP packet from the guest whose Ethernet source was {@code frameSource}. */
    public void input(ArpPacket arp, long frameSource) {
        learn(arp.senderIp, arp.senderMac);
        if (arp.operation != ArpPacket.REQUEST || !stack.network.isNat(arp.targetIp)) {
            return;
        }
        OutFrame reply = stack.link.allocate(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
        if (reply == null) {
            return;
        }
        EthernetFrame.write(reply.buffer, 0, frameSource, stack.mac, EthernetFrame.TYPE_ARP);
        ArpPacket.write(reply.buffer, EthernetFrame.HEADER_LENGTH, ArpPacket.REPLY, stack.mac, arp.targetIp, arp.senderMac, arp.senderIp);
        stack.link.submit(reply);
        stack.counters.add(Counter.ARP_REPLIES);
    }

    /** Holds an IPv4 frame (Ethernet header still to write) until {@code address} is resolved. */
    void await(OutFrame frame, int address) {
        Waiting w = null;
        for (Waiting candidate : waiting) {
            if (candidate.address == address) {
                w = candidate;
            }
        }
        if (w == null) {
            if (waiting.size() >= WAITING_ADDRESSES) {
                drop(frame);
                return;
            }
            w = new Waiting(address);
            waiting.add(w);
            request(w, EventLoop.now());
        }
        if (w.frames.size() >= WAITING_FRAMES) {
            drop(frame);
        } else {
            w.frames.addLast(frame);
        }
    }

    /** Drops every frame still waiting (the NAT is closing). */
    public void clear() {
        for (Waiting w : waiting) {
            stack.loop.cancel(w.timer);
            w.frames.forEach(stack.link::release);
        }
        waiting.clear();
    }

    private void retry(Waiting w, long now) {
        if (w.requests < REQUESTS) {
            request(w, now);
            return;
        }
        waiting.remove(w);
        OutFrame frame;
        while ((frame = w.frames.pollFirst()) != null) {
            drop(frame);
        }
    }

    private void request(Waiting w, long now) {
        w.requests++;
        stack.loop.schedule(w.timer, now + REQUEST_INTERVAL);
        OutFrame request = stack.link.allocate(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH);
        if (request == null) {
            return;
        }
        EthernetFrame.write(request.buffer, 0, EthernetFrame.BROADCAST, stack.mac, EthernetFrame.TYPE_ARP);
        ArpPacket.write(request.buffer, EthernetFrame.HEADER_LENGTH, ArpPacket.REQUEST, stack.mac, stack.network.gateway(), 0, w.address);
        stack.link.submit(request);
        stack.counters.add(Counter.ARP_REQUESTS);
    }

    private void drop(OutFrame frame) {
        stack.link.release(frame);
        stack.counters.add(Counter.DROPPED_TO_GUEST);
    }
}
