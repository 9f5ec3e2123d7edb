package dev.habla.client.internal;

import dev.habla.client.SendResult;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.Part;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The messages a resilient session holds while no connection takes input (a switch, a reconnect), in sending order,
 * within a byte budget with the lane rules of {@link OutboundQueue}: over the budget the oldest audio goes first; video
 * frames have a budget of their own and a new one replaces the ones before it; other messages are never evicted. Not
 * thread-safe: {@link SendPath} guards it with its lock.
 */
final class SendBuffer {

    /**
     * A message as the caller sent it, with an estimate of its size on the wire (the buffer holds messages, not
     * frames: each connection encodes for its own state, so nothing is encoded before a connection takes it).
     */
    record Unit(ClientMessage message, long size, OutboundQueue.Lane lane) {
        static Unit of(ClientMessage m) {
            return new Unit(m, estimatedSize(m), OutboundQueue.laneOf(m));
        }

        boolean video() {
            return lane == OutboundQueue.Lane.VIDEO;
        }
    }

    /** The budget charge of a message whose text cannot be printed. */
    private static final long UNPRINTABLE_SIZE = 1024;

    /**
     * The size a message is budgeted at while buffered: its binary payloads as base64 plus the text of the record
     * (whose {@code toString} prints every text and field but only the length of a blob). Close to the JSON length of
     * any wire, without encoding for one.
     */
    static long estimatedSize(ClientMessage m) {
        if (m instanceof ClientMessage.Raw r) {
            return r.json().length(); // its exact wire size
        }
        long size;
        try {
            size = m.toString().length();
        } catch (RuntimeException e) {
            // A JSON payload that cannot be printed cannot be encoded either: the connection refuses it to the caller.
            size = UNPRINTABLE_SIZE;
        }
        List<Blob> blobs = new ArrayList<>();
        switch (m) {
            case ClientMessage.RealtimeInput r -> {
                if (r.audio() != null) {
                    blobs.add(r.audio());
                }
                if (r.video() != null) {
                    blobs.add(r.video());
                }
                if (r.mediaChunks() != null) {
                    blobs.addAll(r.mediaChunks());
                }
            }
            case ClientMessage.ClientContent c when c.turns() != null -> {
                for (Content turn : c.turns()) {
                    if (turn != null && turn.parts() != null) {
                        for (Part p : turn.parts()) {
                            if (p != null && p.inlineData() != null) {
                                blobs.add(p.inlineData());
                            }
                        }
                    }
                }
            }
            default -> { }
        }
        for (Blob b : blobs) {
            if (b != null && b.data() != null) {
                size += (b.data().length + 2L) / 3 * 4;
            }
        }
        return size;
    }

    private final long budget;
    private final Runnable onDrop;
    private final ArrayDeque<Unit> units = new ArrayDeque<>();
    /** Bytes of everything but video frames (those count in {@link #videoBytes}). */
    private long bytes;
    private long videoBytes;
    private long droppedMessages;
    private long droppedBytes;

    /** {@code onDrop} runs once per message evicted, replaced or refused (for a metric). */
    SendBuffer(long budgetBytes, Runnable onDrop) {
        this.budget = budgetBytes;
        this.onDrop = onDrop;
    }

    /** Adds {@code m} at the end, within the budget (see the class comment). */
    SendResult offer(Unit m) {
        long size = m.size();
        if (m.video()) {
            if (size > budget) {
                dropped(size);
                return SendResult.DROPPED_OVER_BUDGET;
            }
            for (Iterator<Unit> it = units.iterator(); it.hasNext(); ) {
                Unit b = it.next();
                if (b.video()) {
                    it.remove();
                    videoBytes -= b.size();
                    dropped(b.size());
                }
            }
            units.addLast(m);
            videoBytes += size;
            return SendResult.QUEUED;
        }
        if (bytes + size > budget) {
            for (Iterator<Unit> it = units.iterator(); it.hasNext() && bytes + size > budget; ) {
                Unit b = it.next();
                if (b.lane() == OutboundQueue.Lane.MEDIA) {
                    it.remove();
                    bytes -= b.size();
                    dropped(b.size());
                }
            }
            if (m.lane() == OutboundQueue.Lane.MEDIA && bytes + size > budget) {
                dropped(size);
                return SendResult.DROPPED_OVER_BUDGET;
            }
        }
        units.addLast(m);
        bytes += size;
        return SendResult.QUEUED;
    }

    /** Puts {@code m} in front, outside the budget (it was accepted before: a re-send, or what a dead connection left). */
    void addFirst(Unit m) {
        units.addFirst(m);
        account(m, 1);
    }

    Unit peek() {
        return units.peekFirst();
    }

    void removeFirst() {
        account(units.removeFirst(), -1);
    }

    boolean contains(ClientMessage m) {
        for (Unit u : units) {
            if (u.message() == m) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return units.isEmpty();
    }

    int size() {
        return units.size();
    }

    long bytes() {
        return bytes + videoBytes;
    }

    long droppedMessages() {
        return droppedMessages;
    }

    long droppedBytes() {
        return droppedBytes;
    }

    /** Discards everything; returns how many messages. */
    int clear() {
        int n = units.size();
        units.clear();
        bytes = 0;
        videoBytes = 0;
        return n;
    }

    private void account(Unit u, int sign) {
        if (u.video()) {
            videoBytes += sign * u.size();
        } else {
            bytes += sign * u.size();
        }
    }

    private void dropped(long size) {
        droppedMessages++;
        droppedBytes += size;
        onDrop.run();
    }
}
