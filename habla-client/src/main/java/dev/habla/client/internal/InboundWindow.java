package dev.habla.client.internal;

import dev.habla.client.LiveEvent;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The inbound side of one connection between the transport and the dispatcher: the frames waiting for the dispatcher
 * and the message credit the transport holds, which together never exceed {@link RealLiveSession#INBOUND_CAPACITY}.
 * The dispatcher gives credit back as it takes frames, in batches of {@link RealLiveSession#CREDIT_BATCH} (one
 * {@code request(n)} per batch rather than a {@code request(1)} per frame). A slow listener therefore stops the
 * transport from reading (TCP back-pressure) instead of blocking the HTTP client's threads or growing memory.
 *
 * <p>Threads: {@link #opened} and {@link #frame} on the transport's callback thread, {@link #take} on the dispatcher
 * only, {@link #end} and {@link #paused} on any thread.
 */
final class InboundWindow {

    /** What the dispatcher takes: a frame, or the end. */
    sealed interface Inbound permits Frame, End {}

    record Frame(Transport.InboundFrame frame) implements Inbound {}

    record End(LiveEvent.Closed closed) implements Inbound {}

    private final int capacity;
    private final int batch;
    /** Unbounded queue, bounded in practice by the credit accounting; End is always accepted. */
    private final LinkedBlockingQueue<Inbound> queue = new LinkedBlockingQueue<>();
    /**
     * Message credit the transport holds: granted and not yet used by a delivery. Starts at 1 (a transport delivers one
     * message after open unasked). Zero means the transport is paused: not even a pong can arrive.
     */
    private final AtomicInteger credit = new AtomicInteger(1);
    /** Set once by {@link #opened} (before any frame arrives). */
    private volatile Transport.Connection connection;
    /** Dispatcher only: frames taken since credit was last given back. */
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
        queue.add(new Frame(frame));
    }

    /** The session is over: the dispatcher takes {@code closed} after the frames before it. */
    void end(LiveEvent.Closed closed) {
        queue.add(new End(closed));
    }

    /**
     * Dispatcher: the next item; taking a frame frees a unit of the window, and a batch of them goes back to the
     * transport as credit.
     */
    Inbound take() throws InterruptedException {
        Inbound in = queue.take();
        if (in instanceof Frame && ++creditToReturn == batch) {
            creditToReturn = 0;
            Transport.Connection c = connection;
            if (c != null) {
                grant(c, batch);
            }
        }
        return in;
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
