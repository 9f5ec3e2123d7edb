package dev.habla.client.internal;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveEvent.HandoverCause;
import dev.habla.client.LiveException;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.ResilientSession;
import dev.habla.client.SendResult;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionListener;
import dev.habla.client.SessionMetrics;
import dev.habla.client.SessionState;
import dev.habla.client.internal.ResilientConnection.Role;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.Content;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link ResilientSession}: a chain of {@link RealLiveSession} connections that carry one
 * conversation, a control thread that owns every decision, and a send path that never blocks. This class is the
 * actor (on {@link ControlLoop}): it carries the conversation across connections, and owns the session's start and
 * end. Its helpers, each one job: {@link Connections} (the set of connections and their lifecycle),
 * {@link SendPath} (the send lock and all it guards: buffer, budget, tool-call routing, the user's turn),
 * {@link CarrierEvents} (the carrier's events, turn tracking with {@link TurnState}), {@link TurnBoundary} (may we
 * switch now?), {@link StallWatchdog}, {@link Handovers} and {@link Reconnects}.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li><b>control</b> {@code habla-<id>-events} (virtual), exactly one per session: takes signals in order
 *       (connection events, connect outcomes, timer ticks, API requests), runs the state machine and calls the user's
 *       listener. Everything not guarded by the send path's lock or marked volatile is touched only here, so the
 *       listener sees one thread, in order.</li>
 *   <li>connection reader threads ({@code habla-<n>-reader}): their listener only enqueues, after taking one of
 *       {@link ControlLoop#EVENT_PERMITS} permits that the control thread returns once it handled the event: a slow user listener
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
 * messages it had not written ({@link RealLiveSession#unsentCommands()}); they go first, after the user's unanswered
 * turn if that may have died with the socket.
 */
public final class RealResilientSession extends AbstractLiveSession implements ResilientSession {
    private static final Logger log = LoggerFactory.getLogger(RealResilientSession.class);
    private static final AtomicLong IDS = new AtomicLong();

    private static final long CLOSE_SLACK_MILLIS = 1_000;

    // ---- configuration ---------------------------------------------------------------------------------------

    private final String id;
    private final ClientRuntime runtime;
    private final ClientConfig client;
    /** The user's config as the provider's continuity shapes it for every connection ({@link ContinuityStrategy#baseConfig}). */
    private final SessionConfig config;
    /** How this provider continues a conversation on a new connection (resume, hand over, or re-seed). */
    final ContinuityStrategy continuity;
    private final ResiliencePolicy policy;
    private final Scheduler scheduler;
    private final SessionListener listener;
    private final Runnable onTerminated;
    final MicrometerSessionMetrics metrics;
    private final SendPath send;
    private final StallWatchdog watchdog;
    final CarrierEvents carrier;
    final Handovers handovers;
    private final Reconnects reconnects;
    private final Connections connections;

    // ---- cross-thread ----------------------------------------------------------------------------------------

    private final CompletableFuture<ResilientSession> opened = new CompletableFuture<>();
    private final ControlLoop loop;
    private final CountDownLatch terminatedLatch = new CountDownLatch(1);
    /** Set once by {@link #terminate} on the control thread. */
    private volatile boolean terminated;
    volatile Phase phase = Phase.CONNECTING;
    volatile SessionState state = SessionState.CONNECTING;
    /** Written by the control thread. */
    volatile String latestHandle;
    volatile boolean latestResumable;
    /** A handover waits for a boundary: senders nudge the control thread when the user's audio turns quiet. */
    volatile boolean handoverPending;
    volatile int connectionCount;
    volatile int handoverCount;
    volatile int reconnectCount;

    // ---- control thread ----------------------------------------------------------------------------------

    boolean closeRequested;
    private Scheduler.Cancellable closeTimer;

    /** Where each connection's socket I/O should run, if its transport can (see {@code Transport.ConnectRequest}); or null. */
    final java.util.concurrent.Executor ioAffinity;

    RealResilientSession(ClientRuntime runtime, ClientConfig client, SessionConfig userConfig, SessionListener listener,
            ResiliencePolicy policy, java.util.concurrent.Executor ioAffinity, Runnable onTerminated) {
        this.id = "r" + IDS.incrementAndGet();
        this.ioAffinity = ioAffinity;
        this.runtime = runtime;
        this.client = client;
        this.policy = policy;
        this.scheduler = policy.scheduler();
        this.listener = listener;
        this.onTerminated = onTerminated;
        this.metrics = new MicrometerSessionMetrics(policy.meterRegistry(), policy.metricTags());
        this.loop = new ControlLoop("habla-" + id + "-events", scheduler);
        this.latestHandle = userConfig.resumptionHandle();
        this.continuity = runtime.provider().continuity();
        this.config = continuity.baseConfig(userConfig, policy.compression());
        TurnBoundary boundary = TurnBoundary.of(config, policy);
        this.send = new SendPath(id, capabilities(), client, userConfig, policy, boundary, metrics,
                new SendPath.Control() {
                    @Override
                    public void userTurnEnded(long nanos) {
                        loop.run(() -> watchdog.userTurnEnded(nanos));
                    }

                    @Override
                    public void boundaryMayHaveChanged() {
                        loop.run(handovers::progress);
                    }
                }, () -> handoverPending);
        this.reconnects = new Reconnects(this, policy);
        this.connections = new Connections(this, runtime, config, send);
        this.watchdog = new StallWatchdog(policy, new StallWatchdog.Host(this::later, this::now,
                connections::carrier, reconnects::stalled), send, metrics);
        this.carrier = new CarrierEvents(this, policy, send, watchdog, metrics);
        this.handovers = new Handovers(this, policy, send);
    }

    // ---- start and control loop --------------------------------------------------------------------------

    /**
     * Starts the control thread and the first connection; the future completes when it is set up. Idempotent: the
     * client publishes the session (so its close can fail it) before the connecting thread starts it, and
     * {@link #fail} starts it too, so that a failure before the start still ends the session through the one control
     * thread.
     */
    CompletableFuture<ResilientSession> start() {
        if (!loop.start(connections)) {
            return opened;
        }
        opened.whenComplete((s, e) -> {
            if (e instanceof java.util.concurrent.CancellationException) {
                loop.run(() -> onCloseRequested(true)); // the caller gave up on the connect
            }
        });
        loop.run(() -> {
            send.startFirstConnect(now());
            reconnects.startInitial();
        });
        return opened;
    }

    CompletableFuture<ResilientSession> opened() {
        return opened;
    }

    /** Ends the session with {@code error} (client closed…). Any thread. */
    void fail(LiveException error) {
        start(); // no-op if started; otherwise the one start, whose first connect the failure below discards
        loop.run(() -> terminate(CloseCodes.ABNORMAL, error.getMessage(), error));
    }

    /** Runs {@code action} on the control thread after {@code delay}. */
    Scheduler.Cancellable later(Duration delay, Runnable action) {
        return loop.later(delay, action);
    }

    long now() {
        return scheduler.nanoTime();
    }

    boolean terminated() {
        return terminated;
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

    Connections connections() {
        return connections;
    }

    SendPath sendPath() {
        return send;
    }

    StallWatchdog watchdog() {
        return watchdog;
    }

    // ---- the conversation across connections -------------------------------------------------------------

    /** Where the connections hand their events (a reader's, with back-pressure): the control loop. */
    ResilientConnection.Inbox inbox() {
        return new ResilientConnection.Inbox() {
            @Override
            public void deliver(ResilientConnection from, LiveEvent event) {
                loop.deliver(from, event);
            }

            @Override
            public boolean audioOnIoThread() {
                return listener.audioOnIoThread();
            }

            @Override
            public boolean tryDeliverNow(ResilientConnection from, LiveEvent.AudioChunk chunk) {
                return loop.tryDeliverNow(from, chunk);
            }
        };
    }

    /** Any thread: the outcome of a connect started by {@link Connections#open}. */
    void connectOutcome(ResilientConnection c, RealLiveSession session, LiveException error) {
        loop.connectOutcome(c, session, error);
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
        connections.discard(handovers.standby);
        handovers.standby = null;
        if (handovers.switching != null) {
            connections.discard(handovers.switching.next);
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
            connections.closeGracefully(p);
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
        connections.discardAll();
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
        loop.stop();
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
    String setupAdvice() {
        return "open a new session";
    }

    @Override
    SendResult submit(ClientMessage message) {
        return send.submit(message, now()); // a message the connection cannot encode throws IllegalArgumentException
    }

    /**
     * To the connection carrying the conversation (whose codec knows the answer being played); ignored while input is
     * buffered (a switch or a reconnect: the next connection has not sent that answer).
     */
    @Override
    public void reportPlayback(Duration played) {
        Objects.requireNonNull(played, "played");
        send.reportPlayback(played);
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
            loop.run(() -> onCloseRequested(false));
        }
        awaitTermination(client.closeTimeout().plus(policy.drainTimeout()).plusMillis(2 * CLOSE_SLACK_MILLIS));
    }

    @Override
    public void abort() {
        send.closeSends();
        if (!terminated) {
            loop.run(() -> onCloseRequested(true));
        }
        awaitTermination(Duration.ofMillis(CLOSE_SLACK_MILLIS));
    }

    private void awaitTermination(Duration d) {
        if (loop.onControlThread()) {
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
            loop.run(() -> handovers.begin(HandoverCause.PROACTIVE, null));
        }
    }

    @Override
    public String toString() {
        return "ResilientSession[" + id + ", " + phase + ", connections=" + connectionCount + ", model=" + config.model() + "]";
    }
}
