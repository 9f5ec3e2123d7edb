package dev.habla.client.internal;

import dev.habla.client.SendResult;
import dev.habla.protocol.ClientMessage;
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
     * A message with its frames as encoded when it was sent (or as a dead connection left them). {@code message} is
     * null for audio and video (nobody needs them again: tool responses are re-routed, an unanswered turn is
     * recognised by identity).
     */
    record Unit(ClientMessage message, List<String> frames, long size, OutboundQueue.Lane lane) {
        Unit {
            frames = List.copyOf(frames);
        }

        static Unit of(ClientMessage m, List<String> frames) {
            return of(m, frames, OutboundQueue.laneOf(m));
        }

        static Unit of(ClientMessage m, List<String> frames, OutboundQueue.Lane lane) {
            long size = 0;
            for (String f : frames) {
                size += f.length();
            }
            return new Unit(lane == OutboundQueue.Lane.MEDIA || lane == OutboundQueue.Lane.VIDEO ? null : m,
                    frames, size, lane);
        }

        boolean video() {
            return lane == OutboundQueue.Lane.VIDEO;
        }
    }

    /** Frames a connection never wrote, grouped back into the messages they encode (consecutive frames of one source). */
    static List<Unit> group(List<OutboundQueue.Message> frames) {
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < frames.size(); ) {
            OutboundQueue.Message first = frames.get(i);
            List<String> texts = new ArrayList<>();
            int j = i;
            while (j < frames.size() && (j == i || (first.source() != null && frames.get(j).source() == first.source()))) {
                texts.add(frames.get(j).text());
                j++;
            }
            units.add(Unit.of(first.source(), texts, first.lane()));
            i = j;
        }
        return units;
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

    /** Puts {@code m} in front, outside the budget (it was accepted before: a re-send, or a dead connection's frames). */
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
