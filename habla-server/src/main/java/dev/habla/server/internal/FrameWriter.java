package dev.habla.server.internal;

import dev.habla.protocol.CloseCodes;
import dev.habla.server.CloseReasons;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single bounded writer of one {@link WsConnection}: its outbound queue within the byte budget (past it, the
 * slow client is closed), inline writes while the writer is idle, pause marks, the writer virtual thread, the write
 * timeout and the close frame with its grace.
 *
 * <p>Threads: data frames are written by one writer at a time, {@code writeLock} held: either the writer (one virtual
 * thread, started at {@link #start}, draining {@code outbound}) or, when nothing is queued or being written, the
 * thread that sends the frame, inline (see {@link #writeInline}), which spares a wake-up of the writer per frame; a
 * send the socket has not completed by then is left in {@code pending} for the writer to wait for (the write timeout).
 * {@code lock} is the connection's (held around every handler callback) and is taken by the writer before each write
 * (an inline write happens only when the sending thread can take it and does not hold it); it guards {@code paused}
 * and {@code pauseGeneration}. {@code outbound}, {@code unwritten} and {@code queuedBytes} are thread-safe and fed with
 * or without it. The writer starts the connection's closing ({@code startClosing}) when the client is too slow or a
 * write fails.
 */
final class FrameWriter {
    private static final Logger LOG = LoggerFactory.getLogger(FrameWriter.class);

    private sealed interface Out {
        default long size() {
            return 0;
        }
    }

    private record Binary(byte[] bytes) implements Out {
        @Override
        public long size() {
            return bytes.length;
        }
    }

    private record Text(String text) implements Out {
        @Override
        public long size() {
            return text.length();
        }
    }

    private record CloseFrame(int code, String reason) implements Out {}

    private record Stop() implements Out {}

    /** An inline write left {@code pending}: the writer waits for it (within the write timeout) even if nothing follows. */
    private record Wake() implements Out {}

    /** Where {@link #pause()} was called in the outbound order: the writer waits here while that pause lasts. */
    private record PauseMark(long generation) implements Out {}

    private final ServerCore core;
    private final String id;
    private final ReentrantLock lock;
    private final Condition notPaused;
    /** The connection's start of closing (true for the call that started it): the writer's on a slow client or a failed write. */
    private final BooleanSupplier startClosing;
    private final LinkedBlockingQueue<Out> outbound = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Items put in {@code outbound} and not yet done by the writer: while above zero, nothing is written inline. */
    private final AtomicInteger unwritten = new AtomicInteger();
    /** One writer at a time: held while a data frame is handed to the wire, and by the writer while it waits for a send. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** An inline send not yet completed when its writer returned, and its deadline; guarded by writeLock. */
    private CompletableFuture<Void> pending;
    private long pendingDeadlineNanos;
    /** The writer has ended (close frame sent, stopped or failed): nothing more is written. Guarded by writeLock. */
    private boolean writerEnded;
    /** Released when the writer is done: close frame sent, TCP dropped or connection gone. */
    private final CountDownLatch writerDone = new CountDownLatch(1);
    /** The socket has closed: a pause no longer holds the writer, and the close grace has nothing to drop. */
    private volatile boolean closed;
    /** Set once, when the socket opens; until then every frame is queued. */
    private volatile Wire wire;
    private boolean paused;
    /** Counts pauses (not repeats of one), so a writer at an old pause's mark does not wait for a later one. */
    private long pauseGeneration;

    /**
     * {@code lock} is the connection's handler lock; {@code startClosing} starts the connection's closing (the writer
     * closes a slow client and marks a failed write with it) and says whether this call started it.
     */
    FrameWriter(ServerCore core, String id, ReentrantLock lock, BooleanSupplier startClosing) {
        this.core = core;
        this.id = id;
        this.lock = lock;
        this.notPaused = lock.newCondition();
        this.startClosing = startClosing;
    }

    /** The socket is open: starts the writer virtual thread on {@code w}. Once. */
    void start(Wire w) {
        this.wire = w;
        Thread.ofVirtual().name("habla-server-writer-" + id).start(this::writeLoop);
    }

    /** Queues (or writes inline) a binary data frame; false if the client is too slow (then it is being closed). */
    boolean binary(byte[] bytes) {
        return enqueue(new Binary(bytes));
    }

    /** Queues (or writes inline) a text data frame; false if the client is too slow (then it is being closed). */
    boolean text(String text) {
        return enqueue(new Text(text));
    }

    /** Queues a close frame behind everything queued; the writer ends after it. {@code reason} is already truncated. */
    void closeFrame(int code, String reason) {
        queue(new CloseFrame(code, reason));
    }

    /** Drops what is queued and ends the writer without a close frame (the connection is being aborted). */
    void stopNow() {
        discardQueued();
        queue(new Stop());
    }

    /** Ends the writer behind what is queued (the socket has closed; writes to it would fail). */
    void stop() {
        queue(new Stop());
    }

    /** The socket has closed (see {@code closed}). */
    void markClosed() {
        closed = true;
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Queues {@code o} within the byte budget; past it, the client is too slow: drop what is queued and close. */
    private boolean enqueue(Out o) {
        long size = o.size();
        long after = queuedBytes.addAndGet(size);
        if (after > core.maxOutboundBytes && after != size) {
            queuedBytes.addAndGet(-size);
            if (startClosing.getAsBoolean()) {
                LOG.warn("Connection {}: client not reading, {} bytes queued; closing", id, after - size);
                discardQueued();
                queue(new CloseFrame(CloseCodes.POLICY, CloseCodes.truncate(CloseReasons.slowClient(core.maxOutboundBytes))));
            }
            return false;
        }
        if (writeInline(o)) {
            return true;
        }
        queue(o);
        return true;
    }

    /** For the writer, behind everything queued. */
    private void queue(Out o) {
        unwritten.incrementAndGet();
        outbound.add(o);
    }

    /**
     * Writes data frame {@code o} on the calling thread if that keeps the order and the rules of the writer: nothing
     * queued or being written, no inline send still pending, output not paused, and the connection's {@code lock} free
     * (so, as for the writer, no handler step is under way; a thread inside one, holding it, queues instead). Never
     * blocks: both locks are only tried, and a send to the wire does not wait for the socket. False if the
     * frame must be queued instead.
     */
    private boolean writeInline(Out o) {
        Wire w = wire;
        if (w == null || unwritten.get() != 0 || lock.isHeldByCurrentThread() || !lock.tryLock()) {
            return false;
        }
        try {
            if (paused || !writeLock.tryLock()) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        try {
            if (writerEnded || pending != null || unwritten.get() != 0) {
                return false;
            }
            queuedBytes.addAndGet(-o.size());
            long start = System.nanoTime();
            CompletableFuture<Void> c;
            try {
                c = startSend(w, o);
            } catch (RuntimeException e) {
                c = CompletableFuture.failedFuture(e);
            }
            if (!c.isDone() || c.isCompletedExceptionally()) {
                // The writer waits for it, within the write timeout counted from now, and handles a failure as its own.
                pending = c;
                pendingDeadlineNanos = start + core.writeTimeout.toNanos();
                queue(new Wake());
            }
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    private static CompletableFuture<Void> startSend(Wire w, Out o) {
        return switch (o) {
            case Binary b -> w.sendBinary(b.bytes());
            case Text t -> w.sendText(t.text());
            default -> throw new IllegalStateException("not a data frame: " + o);
        };
    }

    private void discardQueued() {
        List<Out> dropped = new ArrayList<>();
        outbound.drainTo(dropped);
        for (Out d : dropped) {
            queuedBytes.addAndGet(-d.size());
            unwritten.decrementAndGet();
        }
    }

    /** Holds later frames until {@link #resume()}; frames queued before this still go out. Takes {@code lock}. */
    void pause() {
        lock.lock();
        try {
            if (!paused) {
                // Under the lock handlers send with: what they produced before this point is on its way.
                paused = true;
                pauseGeneration++;
                queue(new PauseMark(pauseGeneration));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends a pause (if any); the writer goes on past its mark. Takes {@code lock}. */
    void resume() {
        lock.lock();
        try {
            paused = false;
            notPaused.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- the writer thread ----

    /** Waits until the writer has flushed its close frame (or ended), at most {@code timeout}. */
    void awaitDone(Duration timeout) {
        try {
            writerDone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        try {
            writeFrames();
        } finally {
            writeLock.lock();
            try {
                writerEnded = true;
            } finally {
                writeLock.unlock();
            }
            writerDone.countDown();
        }
    }

    private void writeFrames() {
        Wire s = wire;
        long timeoutMs = core.writeTimeout.toMillis();
        try {
            while (true) {
                Out o = outbound.take();
                queuedBytes.addAndGet(-o.size());
                awaitWritable(o);
                if (o instanceof Stop) {
                    return;
                }
                writeLock.lock();
                try {
                    if (!write(s, o, timeoutMs)) {
                        return;
                    }
                } finally {
                    // Done with o only now: until here no frame may be written inline (it would overtake o).
                    unwritten.decrementAndGet();
                    writeLock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("Connection {}: write failed: {}", id, e.toString());
            startClosing.getAsBoolean();
            s.disconnect();
        }
    }

    /**
     * Writes {@code o} after the inline send still pending, if any; writeLock held. False once the writer is done
     * (close frame sent).
     */
    private boolean write(Wire s, Out o, long timeoutMs) throws Exception {
        CompletableFuture<Void> p = pending;
        if (p != null) {
            pending = null;
            p.get(Math.max(0, pendingDeadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        switch (o) {
            case PauseMark m -> { }
            case Wake w -> { }
            case Binary b -> s.sendBinary(b.bytes()).get(timeoutMs, TimeUnit.MILLISECONDS);
            case Text t -> s.sendText(t.text()).get(timeoutMs, TimeUnit.MILLISECONDS);
            case CloseFrame cf -> {
                writerEnded = true; // nothing is written inline after the close frame
                CompletableFuture<Void> c = s.sendClose(cf.code(), cf.reason());
                try {
                    c.get(5, TimeUnit.SECONDS);
                } finally {
                    // Some clients (the Java SDK) never answer a close frame and keep TCP open.
                    core.afterCloseGrace(() -> {
                        if (!closed) {
                            s.disconnect();
                        }
                    });
                }
                return false;
            }
            case Stop st -> {
                return false;
            }
        }
        return true;
    }

    /**
     * Before writing {@code o}: takes {@code lock}, so the handler step that queued it has finished (and armed its
     * timers) before the client can see the frame; at a {@link PauseMark}, also waits until that pause is over.
     */
    private void awaitWritable(Out o) throws InterruptedException {
        lock.lock();
        try {
            while (o instanceof PauseMark m && paused && pauseGeneration == m.generation() && !closed) {
                notPaused.await(100, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }
}
