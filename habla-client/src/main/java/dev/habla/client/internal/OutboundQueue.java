package dev.habla.client.internal;

import dev.habla.client.SendResult;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The outbound queue of one session: the opening (setup, initial history), then everything the caller sends in one
 * FIFO, a byte budget per kind of payload, and one consumer (the writer thread; or a producer sending at once when
 * nothing is ahead of it, {@link #sendNowOrOffer}). Producers are any threads calling {@code send…}; they never block.
 *
 * <h2>Ordering contract</h2>
 * The server receives the caller's messages in the order the calls were made, whatever their kind: audio, video,
 * realtime signals, {@code clientContent} and {@code toolResponse} share one order, so "speak, then type" arrives
 * spoken first, an {@code audioStreamEnd} after the audio before it, and a tool response after the audio the user sent
 * before it. (A priority lane for control messages used to let them overtake queued audio; the latency it saved is
 * bounded by the budget below, while the reordering changed what the model heard.) Only the opening frames go ahead of
 * everything ({@link #offerFirstUnbounded}). Lanes decide what may be dropped under pressure, never the order:
 * <ul>
 *   <li>{@link Lane#CONTROL} and {@link Lane#ORDERED}: never evicted; refused only if they do not fit even after all
 *       evictable audio went;</li>
 *   <li>{@link Lane#MEDIA} (audio): the oldest queued audio is evicted first when a message does not fit;</li>
 *   <li>{@link Lane#VIDEO} (image frames): its own budget, newest frame wins: a new frame replaces the frames still
 *       queued (a stale picture is worth nothing once a newer one exists), and a frame never pushes out audio.</li>
 * </ul>
 * Every eviction, replacement and refusal is counted ({@link #droppedMessages()}, {@link #droppedBytes()}). Sizes are
 * the JSON text lengths (UTF-16 units; equal to bytes for the ASCII JSON this API mostly carries).
 *
 * <p>Each queued frame keeps the {@link ClientMessage} it encodes ({@link Message#source()}), so frames left unsent
 * when a connection dies can be handed to the next one with their meaning, without decoding the wire.
 *
 * <p>All fields are guarded by {@link #lock}.
 */
final class OutboundQueue {

    /** How a message may be dropped under pressure (never its place in the order). */
    enum Lane {
        /** setup, clientContent, toolResponse: never evicted. */
        CONTROL,
        /** Audio: the oldest is evicted first when over budget. */
        MEDIA,
        /** Video / image frames: own budget; a new frame replaces the queued ones. */
        VIDEO,
        /** Realtime signals that belong at their place in the stream (activity start/end, audioStreamEnd, text). */
        ORDERED
    }

    /** What the writer takes: a message, or the instruction to send the close frame (after everything queued). */
    sealed interface Item permits Message, CloseMarker {}

    /**
     * One WebSocket text message; {@code source} is the message it (with its sibling frames) encodes, or null for the
     * opening frames; {@code head} marks the first frame of that message.
     */
    record Message(String text, Lane lane, ClientMessage source, boolean head) implements Item {
        /** The only frame (so the first) of {@code source}. */
        Message(String text, Lane lane, ClientMessage source) {
            this(text, lane, source, true);
        }

        long size() {
            return text.length();
        }
    }

    /** Written last, after every queued message, once {@link #closeAfterDrain()} was called. */
    record CloseMarker() implements Item {}

    /**
     * The lane of a message: audio may be evicted, video frames replace each other, the other realtime signals keep
     * their place and are never evicted, everything else is control.
     */
    static Lane laneOf(ClientMessage m) {
        if (m.plain() instanceof RealtimeInput r) {
            if (r.audio() != null) {
                return Lane.MEDIA;
            }
            if (r.video() != null) {
                return Lane.VIDEO;
            }
            if (r.mediaChunks() != null && !r.mediaChunks().isEmpty()) {
                boolean allImages = r.mediaChunks().stream()
                        .allMatch(b -> b != null && b.mimeType() != null && b.mimeType().startsWith("image/"));
                return allImages ? Lane.VIDEO : Lane.MEDIA;
            }
            return Lane.ORDERED;
        }
        return Lane.CONTROL;
    }

    /**
     * The commands behind unsent frames ({@link #shutdownAndDrain()}), in order, once each: a command counts by its
     * first frame, so one whose first frame was already written (the server has part of it) is left out, and the same
     * message sent twice comes back twice. Frames without a source (raw frames) yield nothing.
     */
    static List<ClientMessage> commands(List<Message> unsent) {
        List<ClientMessage> commands = new ArrayList<>();
        for (Message m : unsent) {
            if (m.head() && m.source() != null) {
                commands.add(m.source());
            }
        }
        return List.copyOf(commands);
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    /** Setup and initial history: written before anything the caller sends. */
    private final ArrayDeque<Message> opening = new ArrayDeque<>();
    /** Everything the caller sent, in sending order. */
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private final long budget;
    private final long videoBudget;
    /** Bytes of everything queued except video frames (the opening included). */
    private long queuedBytes;
    private long videoBytes;
    private long droppedMessages;
    private long droppedBytes;
    /** No new offers (close requested or session terminated). */
    private boolean closedForOffers;
    /** Hand out a {@link CloseMarker} once the queue is empty. */
    private boolean closeAfterDrain;
    private boolean closeMarkerTaken;
    /** Terminated: everything discarded, {@link #take()} returns null. */
    private boolean shutdown;
    /** The writer took a message and has not reported it {@link #written()}: nothing may be sent past it. */
    private boolean writing;

    /** A queue whose video frames have a budget of their own, equal to {@code budgetBytes}. */
    OutboundQueue(long budgetBytes) {
        this(budgetBytes, budgetBytes);
    }

    OutboundQueue(long budgetBytes, long videoBudgetBytes) {
        this.budget = budgetBytes;
        this.videoBudget = videoBudgetBytes;
    }

    /** Like {@link #offer(List, Lane, ClientMessage)} without a source message (tests, raw frames). */
    SendResult offer(List<String> frames, Lane lane) {
        return offer(frames, lane, null);
    }

    /**
     * Queues the frames of one logical message atomically (all or none), at the end of the order, within the budget
     * of its lane.
     */
    SendResult offer(List<String> frames, Lane lane, ClientMessage source) {
        long size = 0;
        for (String f : frames) {
            size += f.length();
        }
        lock.lock();
        try {
            if (closedForOffers) {
                return SendResult.CLOSED;
            }
            if (lane == Lane.VIDEO) {
                if (size > videoBudget) {
                    dropped(1, size);
                    return SendResult.DROPPED_OVER_BUDGET;
                }
                // Newest frame wins: the frames still waiting are stale now.
                for (Iterator<Message> it = queue.iterator(); it.hasNext(); ) {
                    Message m = it.next();
                    if (m.lane() == Lane.VIDEO) {
                        it.remove();
                        videoBytes -= m.size();
                        dropped(1, m.size());
                    }
                }
                videoBytes += size;
            } else {
                if (queuedBytes + size > budget) {
                    for (Iterator<Message> it = queue.iterator(); it.hasNext() && queuedBytes + size > budget; ) {
                        Message m = it.next();
                        if (m.lane() == Lane.MEDIA) {
                            it.remove();
                            queuedBytes -= m.size();
                            dropped(1, m.size());
                        }
                    }
                }
                if (queuedBytes + size > budget) {
                    dropped(1, size);
                    return SendResult.DROPPED_OVER_BUDGET;
                }
                queuedBytes += size;
            }
            boolean head = true;
            for (String f : frames) {
                queue.addLast(new Message(f, lane, source, head));
                head = false;
            }
            ready.signal();
            return SendResult.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends a one-frame message at once through {@code now} (a non-blocking send, called under the lock so that no
     * frame can be queued or taken meanwhile) if nothing is ahead of it: nothing queued, the writer not in the middle
     * of a write, offers open. Otherwise, or if {@code now} declines, the message is {@link #offer}ed. What was sent
     * at once counts as {@link SendResult#QUEUED} (handed on, like a queued one) and never as queued bytes.
     */
    SendResult sendNowOrOffer(List<String> frames, Lane lane, ClientMessage source, Predicate<String> now) {
        // A message the budget would refuse is refused as if queued (the budget bounds a message, not only a queue).
        if (frames.size() == 1 && frames.getFirst().length() <= (lane == Lane.VIDEO ? videoBudget : budget)) {
            lock.lock();
            try {
                if (!closedForOffers && !writing && opening.isEmpty() && queue.isEmpty() && now.test(frames.getFirst())) {
                    return SendResult.QUEUED;
                }
            } finally {
                lock.unlock();
            }
        }
        return offer(frames, lane, source);
    }

    /** Caller holds the lock. */
    private void dropped(int messages, long bytes) {
        droppedMessages += messages;
        droppedBytes += bytes;
    }

    /**
     * Queues opening frames (setup, initial history) ahead of everything, in their order, outside the budget: they must
     * not be refused. Atomic: the writer, which may be running, takes none of them before all are queued.
     */
    void offerFirstUnbounded(List<String> frames) {
        lock.lock();
        try {
            if (!closedForOffers) {
                for (int i = frames.size() - 1; i >= 0; i--) {
                    opening.addFirst(new Message(frames.get(i), Lane.CONTROL, null));
                    queuedBytes += frames.get(i).length();
                }
                ready.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Blocks until there is something to write: the opening first, then the caller's messages in order, then (after
     * {@link #closeAfterDrain()}) one {@link CloseMarker}. Returns null once shut down or after the close marker was
     * taken.
     */
    Item take() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (shutdown) {
                    return null;
                }
                Message m = opening.pollFirst();
                if (m == null) {
                    m = queue.pollFirst();
                }
                if (m != null) {
                    writing = true;
                    if (m.lane() == Lane.VIDEO) {
                        videoBytes -= m.size();
                    } else {
                        queuedBytes -= m.size();
                    }
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

    /** The writer handed the message it took to the socket (see {@link #sendNowOrOffer}). */
    void written() {
        lock.lock();
        try {
            writing = false;
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
     * Like {@link #shutdown()}, but hands back the discarded caller messages in the order the writer would have sent
     * them, each frame with its source message: what a resilient session re-sends on its next connection. The
     * opening frames are not included (a next connection has its own).
     */
    List<Message> shutdownAndDrain() {
        lock.lock();
        try {
            List<Message> left = new ArrayList<>(queue);
            discardLocked();
            return left;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new offers and discards everything queued; returns the number of discarded messages. */
    int shutdown() {
        lock.lock();
        try {
            int n = opening.size() + queue.size();
            discardLocked();
            return n;
        } finally {
            lock.unlock();
        }
    }

    private void discardLocked() {
        closedForOffers = true;
        shutdown = true;
        opening.clear();
        queue.clear();
        queuedBytes = 0;
        videoBytes = 0;
        ready.signalAll();
    }

    /** Bytes waiting to be written, video included. */
    long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes + videoBytes;
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
