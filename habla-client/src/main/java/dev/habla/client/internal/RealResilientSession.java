package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveEvent.HandoverCause;
import dev.habla.client.LiveEvent.StallKind;
import dev.habla.client.LiveException;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.ResilientSession;
import dev.habla.client.Scheduler;
import dev.habla.client.SendResult;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.client.SessionMetrics;
import dev.habla.client.SessionState;
import dev.habla.client.internal.ResilientConnection.Role;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.Content;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link ResilientSession}: a chain of {@link RealLiveSession} connections that carry one
 * conversation, a control thread that owns every decision, and a send path that never blocks. This class is the
 * actor: its control loop, the set of connections, their lifecycle and the session's end. Its helpers, each one job:
 * {@link SendPath} (the send lock and all it guards: buffer, budget, tool-call routing, the user's turn),
 * {@link CarrierEvents} (the carrier's events, turn tracking with {@link TurnState}), {@link TurnBoundary} (may we
 * switch now?), {@link StallWatchdog}, {@link Handovers} and {@link Reconnects}.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li><b>control</b> {@code habla-<id>-events} (virtual), exactly one per session: takes {@link Signal}s in order
 *       (connection events, connect outcomes, timer ticks, API requests), runs the state machine and calls the user's
 *       listener. Everything not guarded by the send path's lock or marked volatile is touched only here, so the
 *       listener sees one thread, in order.</li>
 *   <li>connection reader threads ({@code habla-<n>-reader}): their listener only enqueues, after taking one of
 *       {@link #EVENT_PERMITS} permits that the control thread returns once it handled the event: a slow user listener
 *       stops the readers, whose bounded inbound buffers then push back on TCP.</li>
 *   <li>senders (any thread): {@link SendPath} takes its lock briefly and either hands the message to the current
 *       connection's outbound queue or buffers it; never blocks on I/O.</li>
 *   <li>timers ({@link Scheduler}): only enqueue a signal.</li>
 * </ul>
 *
 * <h2>Ordering of user input across connections</h2>
 * A switch first stops input to the old connection (buffering it), then closes it gracefully: its writer flushes what
 * it accepted, then the close frame, and the server handles frames of one connection in order, so once the old
 * connection's {@code Closed} arrives the server has seen all of it. Only then is the buffer flushed into the new
 * connection, under the send lock, so later sends queue behind it. A connection that dies instead hands back the
 * messages it had not written ({@link RealLiveSession#unsentFrames()}); they go first, after the user's unanswered
 * turn if that may have died with the socket.
 */
public final class RealResilientSession extends AbstractLiveSession implements ResilientSession {
    private static final Logger log = LoggerFactory.getLogger(RealResilientSession.class);
    private static final AtomicLong IDS = new AtomicLong();

    /** Connection events waiting for the control thread before the connections' readers are held back. */
    static final int EVENT_PERMITS = 256;
    private static final long CLOSE_SLACK_MILLIS = 1_000;

    private sealed interface Signal permits ConnEvent, Connected, ConnectFailed, Task {}

    private record ConnEvent(ResilientConnection conn, LiveEvent event) implements Signal {}

    private record Connected(ResilientConnection conn, RealLiveSession session) implements Signal {}

    private record ConnectFailed(ResilientConnection conn, LiveException error) implements Signal {}

    private record Task(Runnable action) implements Signal {}

    // ---- configuration ---------------------------------------------------------------------------------------

    private final String id;
    private final ClientRuntime runtime;
    private final ClientConfig client;
    /** The user's config with resumption on, compression as the policy says, and no handle. */
    private final SessionConfig config;
    private final ResiliencePolicy policy;
    private final Scheduler scheduler;
    private final SessionListener listener;
    private final Runnable onTerminated;
    final MicrometerSessionMetrics metrics;
    private final SendPath send;
    private final StallWatchdog watchdog;
    private final CarrierEvents carrier;
    private final Handovers handovers;
    private final Reconnects reconnects;

    // ---- cross-thread ----------------------------------------------------------------------------------------

    private final CompletableFuture<ResilientSession> opened = new CompletableFuture<>();
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Semaphore eventPermits = new Semaphore(EVENT_PERMITS);
    private final CountDownLatch terminatedLatch = new CountDownLatch(1);
    /** {@link #start()} ran (once, from whichever of the connecting thread and {@link #fail} comes first). */
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Thread control;
    /** Set once by {@link #terminate} on the control thread; readers use it to stop enqueueing. */
    private volatile boolean terminated;
    volatile Phase phase = Phase.CONNECTING;
    private volatile SessionState state = SessionState.CONNECTING;
    /** Written by the control thread. */
    volatile String latestHandle;
    private volatile boolean latestResumable;
    /** A handover waits for a boundary: senders nudge the control thread when the user's audio turns quiet. */
    volatile boolean handoverPending;
    volatile int connectionCount;
    volatile int handoverCount;
    volatile int reconnectCount;

    // ---- control thread ----------------------------------------------------------------------------------

    private final List<ResilientConnection> conns = new ArrayList<>();
    private int connSeq;
    private boolean firstSetupForwarded;
    boolean closeRequested;
    private Scheduler.Cancellable closeTimer;

    RealResilientSession(ClientRuntime runtime, ClientConfig client, SessionConfig userConfig, SessionListener listener,
            ResiliencePolicy policy, Runnable onTerminated) {
        this.id = "r" + IDS.incrementAndGet();
        this.runtime = runtime;
        this.client = client;
        this.policy = policy;
        this.scheduler = policy.scheduler();
        this.listener = listener;
        this.onTerminated = onTerminated;
        this.metrics = new MicrometerSessionMetrics(policy.meterRegistry(), policy.metricTags());
        this.latestHandle = userConfig.resumptionHandle();
        this.config = effectiveConfig(userConfig, policy);
        TurnBoundary boundary = TurnBoundary.of(config, policy);
        this.send = new SendPath(id, runtime.provider(), client, userConfig, config, policy, boundary, metrics,
                new SendPath.Control() {
                    @Override
                    public void userTurnEnded(long nanos) {
                        signals.add(new Task(() -> watchdog.userTurnEnded(nanos)));
                    }

                    @Override
                    public void boundaryMayHaveChanged() {
                        signals.add(new Task(handovers::progress));
                    }
                }, () -> handoverPending);
        this.watchdog = new StallWatchdog(policy, new StallWatchdog.Host() {
            @Override
            public Scheduler.Cancellable later(Duration delay, Runnable action) {
                return RealResilientSession.this.later(delay, action);
            }

            @Override
            public long now() {
                return RealResilientSession.this.now();
            }

            @Override
            public ResilientConnection carrier() {
                return RealResilientSession.this.carrier();
            }

            @Override
            public void stalled(StallKind kind, Duration d) {
                RealResilientSession.this.stalled(kind, d);
            }
        }, send, metrics);
        this.carrier = new CarrierEvents(this, policy, send, watchdog, metrics);
        this.handovers = new Handovers(this, policy, send);
        this.reconnects = new Reconnects(this, policy);
    }

    /**
     * Compression for every session, not only audio-answering ones: the 15-minute limit counts audio sent, whatever
     * the output modality (a text-answering session fed by a microphone hits it too), and a long text conversation
     * would otherwise end when it fills the context window. (With {@link #openConn}, the places this class shapes
     * the provider's session configuration.)
     */
    private static SessionConfig effectiveConfig(SessionConfig c, ResiliencePolicy p) {
        boolean compress = p.compression() && c.contextWindowCompression() == null;
        return c.with(b -> {
            b.resumption(true).resumptionHandle(null);
            if (compress) {
                b.contextWindowCompression();
            }
        });
    }

    // ---- start and control loop --------------------------------------------------------------------------

    /**
     * Starts the control thread and the first connection; the future completes when it is set up. Idempotent: the
     * client publishes the session (so its close can fail it) before the connecting thread starts it, and
     * {@link #fail} starts it too, so that a failure before the start still ends the session through the one control
     * thread.
     */
    CompletableFuture<ResilientSession> start() {
        if (!started.compareAndSet(false, true)) {
            return opened;
        }
        control = Thread.ofVirtual().name("habla-" + id + "-events").start(this::controlLoop);
        opened.whenComplete((s, e) -> {
            if (e instanceof java.util.concurrent.CancellationException) {
                signals.add(new Task(() -> onCloseRequested(true))); // the caller gave up on the connect
            }
        });
        signals.add(new Task(() -> {
            send.startFirstConnect(now());
            reconnects.startInitial();
        }));
        return opened;
    }

    CompletableFuture<ResilientSession> opened() {
        return opened;
    }

    /** Ends the session with {@code error} (client closed…). Any thread. */
    void fail(LiveException error) {
        start(); // no-op if started; otherwise the one start, whose first connect the failure below discards
        signals.add(new Task(() -> terminate(CloseCodes.ABNORMAL, error.getMessage(), error)));
    }

    private void controlLoop() {
        while (!terminated) {
            Signal s;
            try {
                s = signals.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread on purpose
            }
            try {
                switch (s) {
                    case ConnEvent ce -> onConnEvent(ce.conn(), ce.event());
                    case Connected c -> onConnected(c.conn(), c.session());
                    case ConnectFailed f -> onConnectFailed(f.conn(), f.error());
                    case Task t -> t.action().run();
                }
            } catch (RuntimeException e) {
                log.error("resilient session {}: internal error; failing the session", id, e);
                terminate(CloseCodes.INTERNAL, "internal error: " + e,
                        new LiveException(Kind.INTERNAL, "resilient session failed internally: " + e, e));
            } finally {
                if (s instanceof ConnEvent) {
                    eventPermits.release();
                }
            }
        }
    }

    /** Runs {@code action} on the control thread after {@code delay}. */
    Scheduler.Cancellable later(Duration delay, Runnable action) {
        return scheduler.schedule(delay, () -> {
            if (!terminated) {
                signals.add(new Task(action));
            }
        });
    }

    long now() {
        return scheduler.nanoTime();
    }

    /** The session is ending (closed or closing): no new handovers or attempts. */
    boolean ending() {
        return terminated || closeRequested;
    }

    Handovers handoverControl() {
        return handovers;
    }

    Reconnects reconnectControl() {
        return reconnects;
    }

    CarrierEvents carrierEvents() {
        return carrier;
    }

    // ---- connections -------------------------------------------------------------------------------------

    /** A connection's reader thread: hands the event over, with back-pressure. */
    private void deliver(ResilientConnection c, LiveEvent event) {
        if (terminated) {
            return;
        }
        eventPermits.acquireUninterruptibly();
        if (terminated) {
            eventPermits.release();
            return;
        }
        signals.add(new ConnEvent(c, event));
    }

    /**
     * Control thread: opens a connection resuming {@code handle}, or fresh (seeded with the transcript if
     * {@code reseed}); its outcome comes back as {@link Connected} or {@link ConnectFailed}.
     */
    ResilientConnection openConn(String handle, boolean reseed) {
        ResilientConnection c = new ResilientConnection(++connSeq, handle, reseed, this::deliver);
        conns.add(c);
        // The resilient session's other place shaping the provider's session configuration (see effectiveConfig).
        SessionConfig cfg = handle != null ? config.withResumptionHandle(handle)
                : reseed ? config.with(b -> b.initialHistory(send.seedTurns()))
                : config;
        log.debug("resilient session {}: opening {} ({})", id, c, handle == null ? (reseed ? "fresh, re-seeded" : "fresh") : "resuming");
        c.future = runtime.connect(cfg, c, true);
        c.future.whenComplete((s, e) -> {
            if (e == null) {
                signals.add(new Connected(c, (RealLiveSession) s));
            } else {
                signals.add(new ConnectFailed(c, toLive(e)));
            }
        });
        return c;
    }

    private static LiveException toLive(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof LiveException le ? le : new LiveException(Kind.UNAVAILABLE, "connect failed: " + t, t);
    }

    /** Control thread: drops a connection we no longer want. */
    void discard(ResilientConnection c) {
        if (c == null || c.role == Role.DEAD) {
            return;
        }
        c.role = Role.DEAD;
        conns.remove(c);
        send.retire(c);
        if (c.session != null) {
            c.session.abort();
        } else if (c.future != null) {
            c.future.cancel(false);
        }
    }

    /** Closes gracefully without blocking the control thread: the connection flushes, then closes. */
    void closeGracefully(ResilientConnection c) {
        RealLiveSession s = c.session;
        if (s != null) {
            Thread.ofVirtual().name("habla-" + id + "-close-" + c.seq).start(s::close);
        }
    }

    private void onConnected(ResilientConnection c, RealLiveSession s) {
        c.session = s;
        if (terminated || closeRequested || c.role == Role.DEAD) {
            c.role = Role.DEAD;
            conns.remove(c);
            send.retire(c);
            s.abort();
            return;
        }
        if (reconnects.isCandidate(c)) {
            reconnects.connected(c);
            return;
        }
        if (handovers.standby == c) {
            c.role = Role.STANDBY;
            log.debug("resilient session {}: standby {} ready", id, c);
            handovers.progress();
            return;
        }
        c.role = Role.DEAD;
        conns.remove(c);
        send.retire(c);
        s.abort();
    }

    private void onConnectFailed(ResilientConnection c, LiveException e) {
        boolean wasWanted = c.role != Role.DEAD;
        c.role = Role.DEAD;
        c.retired = true;
        conns.remove(c);
        if (terminated || !wasWanted) {
            return;
        }
        boolean refused = c.handle != null && e.kind() == Kind.INVALID_ARGUMENT;
        if (reconnects.isCandidate(c)) {
            reconnects.candidateFailed(e, refused);
            return;
        }
        handovers.standbyConnectFailed(c, refused, e);
    }

    private void onConnEvent(ResilientConnection c, LiveEvent e) {
        if (terminated) {
            return;
        }
        if (e instanceof LiveEvent.Closed closed) {
            onConnClosed(c, closed);
            return;
        }
        switch (c.role) {
            case DEAD -> { }
            case CONNECTING, STANDBY -> {
                switch (e) {
                    case LiveEvent.SetupCompleted s -> { }
                    case LiveEvent.ResumptionUpdate u -> trackHandle(c, u);
                    case LiveEvent.GoingAway g -> c.goAwayPending = g.timeLeft();
                    default -> c.held.add(e);
                }
            }
            case PRIMARY, RETIRING -> carrier.on(c, e);
        }
    }

    void trackHandle(ResilientConnection c, LiveEvent.ResumptionUpdate u) {
        c.trackHandle(u);
        if (c.role == Role.PRIMARY) {
            latestResumable = c.resumable;
            if (c.latestHandle != null) {
                latestHandle = c.latestHandle;
            }
        }
    }

    /** The first connection's setupComplete reaches the user; later ones are the session's business. */
    void firstSetup(LiveEvent.SetupCompleted s) {
        if (!firstSetupForwarded) {
            firstSetupForwarded = true;
            emit(s);
        }
    }

    /** The connection whose model turns the watchdog follows: the primary, or the one being retired. */
    private ResilientConnection carrier() {
        Handovers.Switch sw = handovers.switching;
        if (sw != null && sw.old.role == Role.RETIRING) {
            return sw.old;
        }
        ResilientConnection p = send.primary();
        return p != null && p.role == Role.PRIMARY ? p : null;
    }

    /**
     * Makes {@code next} the connection carrying the conversation (its input flushed by the send path; a fresh
     * replacement was seeded at connect). Returns the gap.
     */
    Duration promote(ResilientConnection next) {
        next.role = Role.PRIMARY;
        SendPath.Promotion p = send.promote(next, now());
        if (next.latestHandle != null) {
            latestHandle = next.latestHandle;
        }
        latestResumable = next.resumable;
        connectionCount++;
        state = SessionState.OPEN;
        if (p.replayed()) {
            watchdog.userTurnEnded(now()); // the re-sent turn's reply is awaited from now
        }
        return p.gap();
    }

    /** After a promotion was announced: deliver what the standby held, honour a goAway it got early. */
    void afterPromotion(ResilientConnection next) {
        phase = handovers.handover != null ? Phase.HANDING_OVER : Phase.CONNECTED;
        List<LiveEvent> held = List.copyOf(next.held);
        next.held.clear();
        for (LiveEvent e : held) {
            if (terminated || next.role != Role.PRIMARY) {
                break;
            }
            carrier.on(next, e);
        }
        if (next.goAwayPending != null) {
            Duration g = next.goAwayPending;
            next.goAwayPending = null;
            handovers.start(HandoverCause.GO_AWAY, g);
        }
    }

    // ---- losses ------------------------------------------------------------------------------------------

    private void onConnClosed(ResilientConnection c, LiveEvent.Closed closed) {
        Role role = c.role;
        if (role == Role.DEAD || role == Role.CONNECTING) {
            return; // CONNECTING: the connect future's failure (ConnectFailed) decides what happens next
        }
        c.role = Role.DEAD;
        send.retire(c);
        conns.remove(c);
        switch (role) {
            case DEAD, CONNECTING -> { }
            case STANDBY -> handovers.standbyClosed(c);
            case RETIRING -> {
                carrier.closeTurnIfOpen(c);
                send.requeueUnsent(c, false);
                Handovers.Switch sw = handovers.switching;
                if (sw == null || sw.old != c) {
                    return;
                }
                if (closeRequested) {
                    handovers.switching = null;
                    terminate(closed.code(), closed.reason(), null);
                } else {
                    handovers.finishSwitch(sw);
                }
            }
            case PRIMARY -> {
                carrier.closeTurnIfOpen(c);
                primaryLost(c, closed);
            }
        }
    }

    private void primaryLost(ResilientConnection c, LiveEvent.Closed closed) {
        send.lost(c, now());
        send.requeueUnsent(c, true);
        handovers.primaryLost();
        watchdog.carrierLost();
        if (closeRequested) {
            terminate(closed.code(), closed.reason(), closed.error() != null && closed.error().kind() != Kind.CLOSED
                    ? closed.error() : null);
            return;
        }
        LiveException cause;
        String tag;
        if (c.killed != null) {
            cause = new LiveException(Kind.UNAVAILABLE, "connection abandoned: " + c.killed);
            tag = "stall";
        } else {
            cause = closed.error() != null ? closed.error()
                    : new LiveException(Kind.UNAVAILABLE, "the server closed the connection: " + closed.code()
                            + (closed.reason().isEmpty() ? "" : " " + closed.reason()), closed.code(), closed.reason(), -1, null);
            tag = MicrometerSessionMetrics.cause(cause);
        }
        log.debug("resilient session {}: lost {}: {}", id, c, cause.toString());
        if (!cause.kind().retryable()) {
            terminate(closed.code(), closed.reason(), cause);
            return;
        }
        reconnects.primaryLost(cause, tag, closed.code());
    }

    /** A watchdog saw a stall: tell the user; with the policy's consent, abandon the connection and reconnect. */
    private void stalled(StallKind kind, Duration d) {
        metrics.stall(kind, d);
        log.debug("resilient session {}: stalled {} for {} ms", id, kind, d.toMillis());
        emit(new LiveEvent.Stalled(kind, d));
        if (terminated || !policy.reconnectOnStall() || closeRequested || handovers.switching != null || reconnects.active()) {
            return;
        }
        ResilientConnection c = send.primary();
        if (c == null || c.role != Role.PRIMARY || c.session == null) {
            return;
        }
        if (kind == StallKind.NO_REPLY) {
            send.replayUnansweredTurn();
        }
        c.killed = "stalled (" + kind.name().toLowerCase(java.util.Locale.ROOT) + ", " + d.toMillis() + " ms)";
        c.session.abort(); // its Closed comes back as a loss with cause "stall"
    }

    // ---- closing -----------------------------------------------------------------------------------------

    private void onCloseRequested(boolean abort) {
        if (terminated) {
            return;
        }
        if (abort) {
            terminate(CloseCodes.ABNORMAL, "aborted by client", null);
            return;
        }
        if (closeRequested) {
            return;
        }
        closeRequested = true;
        state = SessionState.CLOSING;
        cancelTimers();
        reconnects.stop();
        discard(handovers.standby);
        handovers.standby = null;
        if (handovers.switching != null) {
            discard(handovers.switching.next);
            closeTimer = later(client.closeTimeout().plus(policy.drainTimeout()),
                    () -> terminate(CloseCodes.ABNORMAL, "connection did not close in time; aborted", null));
            return; // the retiring connection's Closed ends the session
        }
        ResilientConnection p = send.primary();
        if (p != null && p.role == Role.PRIMARY && p.session != null) {
            int buffered = send.bufferedMessages();
            if (buffered > 0) {
                log.debug("resilient session {}: closing with {} buffered messages undelivered", id, buffered);
            }
            closeGracefully(p);
            closeTimer = later(client.closeTimeout().plusMillis(CLOSE_SLACK_MILLIS),
                    () -> terminate(CloseCodes.ABNORMAL, "peer did not answer the close in time; aborted", null));
            return;
        }
        terminate(CloseCodes.NORMAL, "closed by client", null);
    }

    private void cancelTimers() {
        carrier.cancelTimers();
        watchdog.cancelAll();
        handovers.cancelTimers();
        reconnects.cancelTimers();
    }

    /** Control thread. The one way the session ends: exactly one {@link LiveEvent.Closed}, last. */
    void terminate(int code, String reason, LiveException error) {
        if (terminated) {
            return;
        }
        carrier.releaseHeld();
        terminated = true;
        phase = Phase.CLOSED;
        state = error == null ? SessionState.CLOSED : SessionState.FAILED;
        handoverPending = false;
        int dropped = send.terminate();
        if (dropped > 0) {
            log.debug("resilient session {}: {} buffered messages discarded at termination", id, dropped);
        }
        cancelTimers();
        StallWatchdog.cancel(closeTimer);
        for (ResilientConnection c : List.copyOf(conns)) {
            discard(c);
        }
        conns.clear();
        LiveEvent.Closed closed = new LiveEvent.Closed(code, reason, error);
        if (!opened.isDone()) {
            opened.completeExceptionally(error != null ? error
                    : new LiveException(Kind.CLOSED, "session closed before it opened: " + reason, code, reason, -1, null));
        }
        if (error == null) {
            log.debug("resilient session {}: closed {} {}", id, code, reason);
        } else {
            log.debug("resilient session {}: failed {}: {}", id, error.kind(), error.getMessage());
        }
        try {
            listener.onEvent(closed);
        } catch (Throwable t) {
            log.warn("resilient session {}: listener threw on Closed (ignored: the session is already over)", id, t);
        }
        terminatedLatch.countDown();
        eventPermits.release(EVENT_PERMITS * 4); // readers blocked on a permit see `terminated` and return
        try {
            onTerminated.run();
        } catch (RuntimeException e) {
            log.warn("resilient session {}: cleanup hook failed", id, e);
        }
    }

    /** Control thread: delivers one event to the user's listener; a throwing listener fails the session. */
    void emit(LiveEvent e) {
        if (terminated) {
            return;
        }
        try {
            listener.onEvent(e);
        } catch (Throwable t) {
            log.warn("resilient session {}: listener threw on {}; failing the session", id, e.getClass().getSimpleName(), t);
            terminate(CloseCodes.INTERNAL, "client listener failed", new LiveException(Kind.LISTENER_FAILED,
                    "listener threw " + t.getClass().getName() + " on " + e.getClass().getSimpleName()
                            + (t.getMessage() == null ? "" : ": " + t.getMessage()), CloseCodes.INTERNAL,
                    "client listener failed", -1, t));
        }
    }

    // ---- LiveSession and ResilientSession (any thread) ---------------------------------------------------

    @Override
    SessionConfig sessionConfig() {
        return config;
    }

    @Override
    ClientConfig clientConfig() {
        return client;
    }

    @Override
    public SendResult send(ClientMessage message) {
        Objects.requireNonNull(message, "message");
        if (message instanceof ClientMessage.Setup) {
            throw new IllegalArgumentException("a connection has exactly one setup, sent by connect(); "
                    + "to change the configuration, open a new session");
        }
        OutboundMessages.checkAllowed(message, config);
        return send.submit(message, now()); // encodes it once; an unencodable message throws IllegalArgumentException
    }

    @Override
    public long queuedBytes() {
        return send.queuedBytes();
    }

    @Override
    public long droppedMessages() {
        return send.droppedMessages();
    }

    @Override
    public long droppedBytes() {
        return send.droppedBytes();
    }

    @Override
    public SessionState state() {
        return state;
    }

    @Override
    public String sessionId() {
        ResilientConnection p = send.primary();
        RealLiveSession s = p == null ? null : p.session;
        return s == null ? null : s.sessionId();
    }

    @Override
    public String resumptionHandle() {
        return latestHandle;
    }

    @Override
    public boolean resumable() {
        return latestResumable;
    }

    @Override
    public SessionConfig config() {
        return config;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {
        send.closeSends();
        if (!terminated) {
            signals.add(new Task(() -> onCloseRequested(false)));
        }
        awaitTermination(client.closeTimeout().plus(policy.drainTimeout()).plusMillis(2 * CLOSE_SLACK_MILLIS));
    }

    @Override
    public void abort() {
        send.closeSends();
        if (!terminated) {
            signals.add(new Task(() -> onCloseRequested(true)));
        }
        awaitTermination(Duration.ofMillis(CLOSE_SLACK_MILLIS));
    }

    private void awaitTermination(Duration d) {
        if (Thread.currentThread() == control) {
            return; // the listener called us: termination completes after it returns
        }
        try {
            terminatedLatch.await(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Phase phase() {
        return phase;
    }

    @Override
    public ResiliencePolicy policy() {
        return policy;
    }

    @Override
    public int connectionCount() {
        return connectionCount;
    }

    @Override
    public int handovers() {
        return handoverCount;
    }

    @Override
    public int reconnects() {
        return reconnectCount;
    }

    @Override
    public SessionMetrics metrics() {
        return metrics;
    }

    @Override
    public List<Content> transcript() {
        return send.transcript();
    }

    @Override
    public void markUserTurnEnded() {
        send.markUserTurnEnded(now());
    }

    @Override
    public void handoverNow() {
        if (!terminated) {
            signals.add(new Task(() -> handovers.start(HandoverCause.PROACTIVE, null)));
        }
    }

    @Override
    public String toString() {
        return "ResilientSession[" + id + ", " + phase + ", connections=" + connectionCount + ", model=" + config.model() + "]";
    }
}
