package dev.habla.client.internal;

import dev.habla.client.LiveEvent;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The inbound side of one connection between the transport and the dispatcher: the frames waiting for the dispatcher
 * and the message credit the transport holds, which together never exceed {@link RealLiveSession#INBOUND_CAPACITY}.
 * The dispatcher gives credit back as it takes frames, in batches of {@link RealLiveSession#CREDIT_BATCH} (one
 * {@code request(n)} per batch rather than a {@code request(1)} per frame). A slow listener therefore stops the
 * transport from reading (TCP back-pressure) instead of blocking the HTTP client's threads or growing memory.
 *
 * <p>Threads: {@link #opened}, {@link #frame}, {@link #frameInline} and {@link #handBack} on the transport's callback
 * thread (the last two holding the dispatcher's turn), {@link #take} and {@link #processed} on the dispatcher only,
 * {@link #end}, {@link #idle} and {@link #paused} on any thread.
 */
final class InboundWindow {

    /** What the dispatcher takes: a frame, events decoded for it on the I/O thread, or the end. */
    sealed interface Inbound permits Frame, Decoded, End {}

    record Frame(Transport.InboundFrame frame) implements Inbound {}

    /** Events the I/O thread decoded but could not deliver without waiting: the dispatcher delivers them, in order. */
    record Decoded(List<LiveEvent> events) implements Inbound {}

    record End(LiveEvent.Closed closed) implements Inbound {}

    private final int capacity;
    private final int batch;
    /** Unbounded queue, bounded in practice by the credit accounting; End is always accepted. */
    private final LinkedBlockingDeque<Inbound> queue = new LinkedBlockingDeque<>();
    /**
     * Items queued and not yet {@link #processed()}: the I/O thread may stand in for the dispatcher only while this is
     * zero (nothing read before is still waiting).
     */
    private final AtomicInteger pending = new AtomicInteger();
    /**
     * Message credit the transport holds: granted and not yet used by a delivery. Starts at 1 (a transport delivers one
     * message after open unasked). Zero means the transport is paused: not even a pong can arrive.
     */
    private final AtomicInteger credit = new AtomicInteger(1);
    /** Set once by {@link #opened} (before any frame arrives). */
    private volatile Transport.Connection connection;
    /** The dispatcher's (or the I/O thread's standing in for it, holding its turn): frames taken since credit was last given back. */
    private int creditToReturn;

    InboundWindow(int capacity, int batch) {
        this.capacity = capacity;
        this.batch = batch;
    }

    /** The connection is open: it gets the rest of the window (its unasked first message is the other unit). */
    void opened(Transport.Connection c) {
        connection = c;
        grant(c, capacity - 1);
    }

    /** A frame arrived (using one unit of credit; none is asked for here: the dispatcher gives it back). */
    void frame(Transport.InboundFrame frame) {
        credit.decrementAndGet();
        pending.incrementAndGet();
        queue.add(new Frame(frame));
    }

    /**
     * The I/O thread, standing in for the dispatcher (holding its turn): a frame it processes itself, never queued; its
     * unit of the window goes back as if the dispatcher had taken it.
     */
    void frameInline() {
        credit.decrementAndGet();
        taken();
    }

    /**
     * The I/O thread, holding the dispatcher's turn: events for the dispatcher to deliver before anything queued
     * meanwhile (only an {@link End} can have been: frames come from this very thread).
     */
    void handBack(List<LiveEvent> events) {
        pending.incrementAndGet();
        queue.addFirst(new Decoded(events));
    }

    /** The session is over: the dispatcher takes {@code closed} after the frames before it. */
    void end(LiveEvent.Closed closed) {
        pending.incrementAndGet();
        queue.add(new End(closed));
    }

    /** Dispatcher: the item it took is done with. */
    void processed() {
        pending.decrementAndGet();
    }

    /** Whether nothing queued waits (or is being processed). */
    boolean idle() {
        return pending.get() == 0;
    }

    /**
     * Dispatcher: the next item; taking a frame frees a unit of the window, and a batch of them goes back to the
     * transport as credit.
     */
    Inbound take() throws InterruptedException {
        Inbound in = queue.take();
        if (in instanceof Frame) {
            taken();
        }
        return in;
    }

    private void taken() {
        if (++creditToReturn == batch) {
            creditToReturn = 0;
            Transport.Connection c = connection;
            if (c != null) {
                grant(c, batch);
            }
        }
    }

    /** Whether the transport holds no credit (so not even a pong can arrive: a missing pong then proves nothing). */
    boolean paused() {
        return credit.get() <= 0;
    }

    /** Counted before asked, so never below the truth. */
    private void grant(Transport.Connection c, int n) {
        credit.addAndGet(n);
        c.request(n);
    }
}
