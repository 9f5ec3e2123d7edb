package dev.habla.client.internal;

import dev.habla.client.SendResult;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outbound queue of one session: two FIFO queues (control before the stream), a byte budget, and one consumer
 * (the writer thread). Producers are any threads calling {@code send…}; they never block.
 *
 * <p>The stream queue holds media ({@link Lane#MEDIA}: audio, video) and the realtime signals that mark positions in
 * that stream ({@link Lane#ORDERED}: activity start/end, audioStreamEnd, realtime text), in the order they were
 * sent: an {@code audioStreamEnd} must reach the server after the audio before it, or the server would end the
 * stream early and take the rest of the audio as a new one.
 *
 * <p>Budget rule: a message that does not fit first evicts the oldest queued media; if it still does not fit it is
 * refused ({@link SendResult#DROPPED_OVER_BUDGET}). Control and ordered signals are never evicted. Both evictions and
 * refusals are counted. Sizes are the JSON text lengths (UTF-16 units; equal to bytes for the ASCII JSON this API mostly carries).
 *
 * <p>All fields are guarded by {@link #lock}.
 */
final class OutboundQueue {

    /** Priority class of a message. */
    enum Lane {
        /** Ahead of the stream (setup, clientContent, toolResponse): never evicted. */
        CONTROL,
        /** Audio and video: in stream order; the oldest is evicted first when over budget. */
        MEDIA,
        /** Realtime signals that belong at their place in the stream: in stream order, never evicted. */
        ORDERED
    }

    /** What the writer takes: a message, or the instruction to send the close frame (after everything queued). */
    sealed interface Item permits Message, CloseMarker {}

    /** One WebSocket text message. */
    record Message(String text, Lane lane) implements Item {
        long size() {
            return text.length();
        }
    }

    /** Written last, after every queued message, once {@link #closeAfterDrain()} was called. */
    record CloseMarker() implements Item {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<Message> control = new ArrayDeque<>();
    /** The stream: MEDIA and ORDERED messages, in sending order. */
    private final ArrayDeque<Message> media = new ArrayDeque<>();
    private final long budget;
    private long queuedBytes;
    private long droppedMessages;
    private long droppedBytes;
    /** No new offers (close requested or session terminated). */
    private boolean closedForOffers;
    /** Hand out a {@link CloseMarker} once both lanes are empty. */
    private boolean closeAfterDrain;
    private boolean closeMarkerTaken;
    /** Terminated: everything discarded, {@link #take()} returns null. */
    private boolean shutdown;

    OutboundQueue(long budgetBytes) {
        this.budget = budgetBytes;
    }

    /**
     * Queues the frames of one logical message atomically (all or none), within the budget.
     */
    SendResult offer(List<String> frames, Lane lane) {
        long size = 0;
        for (String f : frames) {
            size += f.length();
        }
        lock.lock();
        try {
            if (closedForOffers) {
                return SendResult.CLOSED;
            }
            if (queuedBytes + size > budget) {
                for (var it = media.iterator(); it.hasNext() && queuedBytes + size > budget; ) {
                    Message m = it.next();
                    if (m.lane() == Lane.MEDIA) {
                        it.remove();
                        queuedBytes -= m.size();
                        droppedMessages++;
                        droppedBytes += m.size();
                    }
                }
            }
            if (queuedBytes + size > budget) {
                droppedMessages++;
                droppedBytes += size;
                return SendResult.DROPPED_OVER_BUDGET;
            }
            ArrayDeque<Message> q = lane == Lane.CONTROL ? control : media;
            for (String f : frames) {
                q.addLast(new Message(f, lane));
            }
            queuedBytes += size;
            ready.signal();
            return SendResult.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a control message outside the budget (the setup: it must go first and must not be refused). */
    void offerFirstUnbounded(String frame) {
        lock.lock();
        try {
            if (!closedForOffers) {
                control.addFirst(new Message(frame, Lane.CONTROL));
                queuedBytes += frame.length();
                ready.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until there is something to write: control first, then the stream, then (after {@link #closeAfterDrain()})
     * one {@link CloseMarker}. Returns null once shut down or after the close marker was taken.
     */
    Item take() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (shutdown) {
                    return null;
                }
                Message m = control.pollFirst();
                if (m == null) {
                    m = media.pollFirst();
                }
                if (m != null) {
                    queuedBytes -= m.size();
                    return m;
                }
                if (closeAfterDrain) {
                    if (closeMarkerTaken) {
                        return null;
                    }
                    closeMarkerTaken = true;
                    return new CloseMarker();
                }
                ready.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new offers; the writer drains what is queued, then takes a {@link CloseMarker}. */
    void closeAfterDrain() {
        lock.lock();
        try {
            closedForOffers = true;
            closeAfterDrain = true;
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Like {@link #shutdown()}, but hands back the discarded messages' frames in the order the writer would have sent
     * them (control, then the stream): what a resilient session re-sends on its next connection.
     */
    List<String> shutdownAndDrain() {
        lock.lock();
        try {
            List<String> left = new java.util.ArrayList<>(control.size() + media.size());
            for (Message m : control) {
                left.add(m.text());
            }
            for (Message m : media) {
                left.add(m.text());
            }
            closedForOffers = true;
            shutdown = true;
            control.clear();
            media.clear();
            queuedBytes = 0;
            ready.signalAll();
            return left;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new offers and discards everything queued; returns the number of discarded messages. */
    int shutdown() {
        lock.lock();
        try {
            closedForOffers = true;
            shutdown = true;
            int n = control.size() + media.size();
            control.clear();
            media.clear();
            queuedBytes = 0;
            ready.signalAll();
            return n;
        } finally {
            lock.unlock();
        }
    }

    long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    long droppedMessages() {
        lock.lock();
        try {
            return droppedMessages;
        } finally {
            lock.unlock();
        }
    }

    long droppedBytes() {
        lock.lock();
        try {
            return droppedBytes;
        } finally {
            lock.unlock();
        }
    }
}
