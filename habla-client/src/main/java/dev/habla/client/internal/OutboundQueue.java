package dev.habla.client.internal;

import dev.habla.client.SendResult;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The outbound queue of one session: two FIFO lanes (control before media), a byte budget, and one consumer (the
 * writer thread). Producers are any threads calling {@code send…}; they never block.
 *
 * <p>Budget rule: a message that does not fit first evicts the oldest queued media; if it still does not fit it is
 * refused ({@link SendResult#DROPPED_OVER_BUDGET}). Queued control is never evicted. Both evictions and refusals are
 * counted. Sizes are the JSON text lengths (UTF-16 units; equal to bytes for the ASCII JSON this API mostly carries).
 *
 * <p>All fields are guarded by {@link #lock}.
 */
final class OutboundQueue {

    /** Priority class of a message. */
    enum Lane { CONTROL, MEDIA }

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
            while (queuedBytes + size > budget && !media.isEmpty()) {
                Message evicted = media.pollFirst();
                queuedBytes -= evicted.size();
                droppedMessages++;
                droppedBytes += evicted.size();
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
     * Blocks until there is something to write: control first, then media, then (after {@link #closeAfterDrain()})
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
     * them (control, then media): what a resilient session re-sends on its next connection.
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
