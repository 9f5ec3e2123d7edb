package dev.habla.client.internal;

import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The actor core of a resilient session: one control thread ({@code habla-<id>-events}, virtual) takes signals in
 * order (connection events, connect outcomes, timer ticks, API requests) and hands them to the session. Exactly one
 * thread per session ({@link #start} runs once). Connection readers hand their events over after taking one of
 * {@link #EVENT_PERMITS} permits, returned once the event was handled: a slow user listener stops the readers, whose
 * bounded inbound buffers then push back on TCP.
 *
 * <p>One shortcut, for the stream that dominates a voice session: a reader delivering an {@link LiveEvent.AudioChunk}
 * while nothing is queued or being handled runs the handler itself instead of waking the control thread (a park and
 * an unpark per chunk; a gateway relays thousands a second). Safe because every signal, on the control thread or
 * inline, is handled holding {@link #turn}, so handling stays one at a time with a happens-before edge between
 * consecutive signals (what thread confinement gave before); and {@link #pending} counts signals from enqueue until
 * handled, so the shortcut is taken only when {@code pending == 0} under {@code turn}: no earlier signal can be
 * overtaken (a reader's earlier events were either handled inline already or are queued, and then it queues too).
 * The inline reader counts as the control thread ({@link #onControlThread}), as the session's re-entrancy checks
 * need. Other events (setup, turn ends, closes) always go through the queue, as before. The "reader" may be the
 * transport's I/O thread standing in for it ({@link #tryDeliverNow}, for a listener that takes audio there), which
 * never waits for a permit.
 */
final class ControlLoop {
    /** Connection events waiting for the control thread before the connections' readers are held back. */
    static final int EVENT_PERMITS = 256;

    /** What the control thread does with each signal. Called on the control thread only. */
    interface Handler {
        void event(ResilientConnection c, LiveEvent e);

        void connected(ResilientConnection c, RealLiveSession session);

        void connectFailed(ResilientConnection c, LiveException error);

        /** A signal's handling threw: the session must fail (the loop keeps running until {@link #stop}). */
        void internalError(RuntimeException e);
    }

    private sealed interface Signal permits ConnEvent, Connected, ConnectFailed, Task {}

    private record ConnEvent(ResilientConnection conn, LiveEvent event) implements Signal {}

    private record Connected(ResilientConnection conn, RealLiveSession session) implements Signal {}

    private record ConnectFailed(ResilientConnection conn, LiveException error) implements Signal {}

    private record Task(Runnable action) implements Signal {}

    private final String name;
    private final Scheduler scheduler;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Semaphore eventPermits = new Semaphore(EVENT_PERMITS);
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Thread thread;
    /** Held while a signal is handled (control thread or inline reader). */
    private final ReentrantLock turn = new ReentrantLock();
    /** Signals enqueued and not yet handled. */
    private final AtomicInteger pending = new AtomicInteger();
    /** The handler, once started. */
    private volatile Handler handler;
    /** The reader handling a signal inline right now (guarded by {@link #turn}; volatile for other threads' reads). */
    private volatile Thread inline;
    /** Set once by {@link #stop} (on the control thread); readers and timers stop enqueueing. */
    private volatile boolean stopped;

    ControlLoop(String name, Scheduler scheduler) {
        this.name = name;
        this.scheduler = scheduler;
    }

    /** Starts the control thread; false if it was started already (by whichever caller came first). */
    boolean start(Handler handler) {
        if (!started.compareAndSet(false, true)) {
            return false;
        }
        this.handler = handler;
        thread = Thread.ofVirtual().name(name).start(() -> loop(handler));
        return true;
    }

    boolean stopped() {
        return stopped;
    }

    /** Control thread: no signal is handled after the current one; blocked readers are released. */
    void stop() {
        stopped = true;
        eventPermits.release(EVENT_PERMITS * 4); // readers blocked on a permit see `stopped` and return
    }

    boolean onControlThread() {
        Thread me = Thread.currentThread();
        return me == thread || me == inline;
    }

    private void enqueue(Signal s) {
        pending.incrementAndGet();
        signals.add(s);
    }

    /** Any thread: runs {@code action} on the control thread, after the signals before it. */
    void run(Runnable action) {
        enqueue(new Task(action));
    }

    /** Runs {@code action} on the control thread after {@code delay}. */
    Scheduler.Cancellable later(Duration delay, Runnable action) {
        return scheduler.schedule(delay, () -> {
            if (!stopped) {
                enqueue(new Task(action));
            }
        });
    }

    /** A connection's reader thread: hands the event over, with back-pressure. */
    void deliver(ResilientConnection c, LiveEvent event) {
        if (stopped) {
            return;
        }
        if (event instanceof LiveEvent.AudioChunk && pending.get() == 0 && handleInline(c, event)) {
            return;
        }
        eventPermits.acquireUninterruptibly();
        if (stopped) {
            eventPermits.release();
            return;
        }
        enqueue(new ConnEvent(c, event));
    }

    /**
     * The I/O thread, standing in for a reader ({@link SessionDispatcher}): the shortcut if it can be taken, else the
     * event is queued if a permit is free at once. Never blocks; false if neither (the reader thread then delivers it,
     * waiting for a permit as usual).
     */
    boolean tryDeliverNow(ResilientConnection c, LiveEvent.AudioChunk event) {
        if (stopped) {
            return true;
        }
        if (pending.get() == 0 && handleInline(c, event)) {
            return true;
        }
        if (!eventPermits.tryAcquire()) {
            return false;
        }
        if (stopped) {
            eventPermits.release();
            return true;
        }
        enqueue(new ConnEvent(c, event));
        return true;
    }

    /** The reader's shortcut (class comment): true if it handled the event (or the loop had stopped). */
    private boolean handleInline(ResilientConnection c, LiveEvent event) {
        Handler h = handler;
        if (h == null || !turn.tryLock()) {
            return false;
        }
        try {
            if (pending.get() != 0) {
                return false; // something got queued first: keep the order
            }
            if (stopped) {
                return true; // as the control thread would: nothing is handled after stop
            }
            inline = Thread.currentThread();
            try {
                h.event(c, event);
            } catch (RuntimeException e) {
                h.internalError(e);
            } finally {
                inline = null;
            }
            return true;
        } finally {
            turn.unlock();
        }
    }

    /** Any thread: the outcome of a connect ({@code session} or {@code error}). */
    void connectOutcome(ResilientConnection c, RealLiveSession session, LiveException error) {
        enqueue(session != null ? new Connected(c, session) : new ConnectFailed(c, error));
    }

    private void loop(Handler h) {
        while (!stopped) {
            Signal s;
            try {
                s = signals.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose
            }
            turn.lock();
            try {
                switch (s) {
                    case ConnEvent ce -> {
                        if (!stopped) {
                            h.event(ce.conn(), ce.event());
                        }
                    }
                    case Connected c -> h.connected(c.conn(), c.session());
                    case ConnectFailed f -> h.connectFailed(f.conn(), f.error());
                    case Task t -> t.action().run();
                }
            } catch (RuntimeException e) {
                h.internalError(e);
            } finally {
                pending.decrementAndGet();
                turn.unlock();
                if (s instanceof ConnEvent) {
                    eventPermits.release();
                }
            }
        }
    }
}
