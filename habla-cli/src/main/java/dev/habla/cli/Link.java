package dev.habla.cli;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat's connection to the service: one {@link LiveSession} at a time. When the server announces the end of a
 * connection ({@code goAway}; the service ends connections after about 10 minutes), and the chat is between answers,
 * it opens a new connection that resumes the same session with the latest resumption handle, switches to it and
 * closes the old one, so a conversation outlives the connection limit.
 *
 * <p>Events: each connection gets its own listener tagged with a generation; events of a connection that was
 * replaced are dropped (its {@code Closed} included), and a {@code Closed} of the current connection that arrives
 * while its replacement is being opened is held back, then dropped if the replacement succeeds.
 *
 * <p>Threads: listeners run on the sessions' reader threads, {@link #beginTurn} and {@link #close} on the main
 * thread, connect completions on the client's threads. {@link #lock} guards the fields below it; lock order is this
 * lock, then the conversation's.
 */
final class Link implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Link.class);

    private final LiveClient client;
    private final SessionConfig config;
    private final Conversation conversation;
    /** The listener chain each connection delivers into (tool display and runner, then the conversation). */
    private final SessionListener downstream;
    /** Called with each connection once it is open (tools answer calls on it). */
    private final Consumer<LiveSession> onOpen;
    /** Whether to renew on goAway (needs {@code config.resumption()}). */
    private final boolean renew;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by lock: generation of the connection in use (events of others are dropped, except the renewal's). */
    private int generation = 1;
    /** Guarded by lock: the first connect. */
    private CompletableFuture<LiveSession> first;
    /** Guarded by lock: the connection in use, once open. */
    private LiveSession current;
    /** Guarded by lock: goAway seen on the current connection, renewal not started yet. */
    private boolean renewWanted;
    /** Guarded by lock: the generation being opened by a renewal, or 0. */
    private int renewing;
    /** Guarded by lock: a Closed of the current connection that arrived during a renewal. */
    private LiveEvent.Closed heldClose;
    /** Guarded by lock. */
    private boolean closed;

    Link(LiveClient client, SessionConfig config, Conversation conversation, SessionListener downstream,
         Consumer<LiveSession> onOpen, boolean renew) {
        this.client = client;
        this.config = config;
        this.conversation = conversation;
        this.downstream = downstream;
        this.onOpen = onOpen;
        this.renew = renew && config.resumption();
    }

    /** Starts the first connect in the background. */
    void connect() {
        CompletableFuture<LiveSession> f = client.connectAsync(config, listener(1));
        lock.lock();
        try {
            first = f;
        } finally {
            lock.unlock();
        }
        f.thenAccept(session -> {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                current = session;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            conversation.attach(session);
            onOpen.accept(session);
        });
    }

    /**
     * Main thread: the session to send the next user turn on, with the conversation already expecting its answer.
     * Waits for the first connect and for a renewal in progress, so that no turn goes to a connection being
     * replaced (the resumed session would not contain it).
     *
     * @throws ExecutionException if the first connect failed
     */
    LiveSession beginTurn() throws InterruptedException, ExecutionException {
        CompletableFuture<LiveSession> f;
        lock.lock();
        try {
            f = first;
        } finally {
            lock.unlock();
        }
        f.get();
        lock.lock();
        try {
            while (renewing != 0 && !closed) {
                changed.await();
            }
            conversation.beginTurn();
            return current;
        } finally {
            lock.unlock();
        }
    }

    private SessionListener listener(int gen) {
        return event -> onEvent(gen, event);
    }

    /** Reader thread of connection {@code gen}. */
    private void onEvent(int gen, LiveEvent event) {
        if (accept(gen, event)) {
            downstream.onEvent(event);
        }
        maybeRenew();
    }

    /** Reader thread of connection {@code gen}: whether the chat should see {@code event}. */
    private boolean accept(int gen, LiveEvent event) {
        lock.lock();
        try {
            if (gen != generation) {
                // A replaced connection (whatever it still says is not part of the chat), or the renewal before
                // the switch (nothing to show yet; its failure is handled where its connect completes).
                return false;
            }
            if (event instanceof LiveEvent.Closed c && renewing != 0) {
                heldClose = c;   // delivered only if the renewal fails
                return false;
            }
            if (event instanceof LiveEvent.GoingAway g && renew) {
                renewWanted = true;
                log.info("The server will end this connection in {}; renewing it between answers", g.timeLeft());
                return false;   // handled here: nothing for the user to do
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Any thread: starts a renewal if one is wanted and the chat is between answers. */
    private void maybeRenew() {
        String handle;
        int gen;
        lock.lock();
        try {
            if (!renewWanted || renewing != 0 || closed || current == null || !conversation.idle()) {
                return;
            }
            renewWanted = false;
            handle = current.resumptionHandle();
            if (handle == null) {
                log.warn("The server is ending the connection, and it gave no resumption handle to continue on a new one");
                return;
            }
            gen = generation + 1;
            renewing = gen;
        } finally {
            lock.unlock();
        }
        log.info("Renewing the connection (goAway) with resumption handle");
        client.connectAsync(config.withResumptionHandle(handle), listener(gen))
                .whenComplete((session, error) -> renewed(gen, session, error));
    }

    /** Client thread: the renewal's connect finished. */
    private void renewed(int gen, LiveSession session, Throwable error) {
        LiveSession old = null;
        LiveSession unused = null;
        LiveEvent.Closed deliver = null;
        lock.lock();
        try {
            renewing = 0;
            changed.signalAll();
            if (error == null && !closed) {
                old = current;
                current = session;
                generation = gen;
                heldClose = null;
            } else {
                deliver = heldClose;
                heldClose = null;
                unused = session;
            }
        } finally {
            lock.unlock();
        }
        if (unused != null) {
            unused.close();
        }
        if (error == null && unused == null) {
            conversation.attach(session);
            onOpen.accept(session);
            if (old != null) {
                old.close();   // its Closed is dropped: the generation moved on
            }
            log.info("Switched to the renewed connection");
        } else if (error != null) {
            log.warn("Could not renew the connection: {}", error.toString());
            if (deliver != null) {
                downstream.onEvent(deliver);
            }
        }
    }

    /** Main thread: closes the connection in use (1000) and stops a connect in progress. Idempotent. */
    @Override
    public void close() {
        LiveSession s;
        CompletableFuture<LiveSession> f;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            s = current;
            f = first;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (f != null) {
            f.cancel(false);
            if (s == null && f.state() == Future.State.SUCCESS) {
                s = f.resultNow();
            }
        }
        if (s != null) {
            s.close();
        }
    }
}
