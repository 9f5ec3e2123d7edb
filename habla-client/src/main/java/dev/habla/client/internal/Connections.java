package dev.habla.client.internal;

import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.ResilientSession.Phase;
import dev.habla.client.SessionConfig;
import dev.habla.client.SessionState;
import dev.habla.client.internal.ResilientConnection.Role;
import dev.habla.protocol.CloseCodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The set of connections of a resilient session and their lifecycle: opening one (resuming, fresh, or re-seeded with
 * the transcript), what its connect outcome and its events mean given its {@link Role}, which one carries the
 * conversation ({@link #promote}), and what a connection's end means (a standby lost, a switch finished, the
 * conversation's connection lost). Control thread only.
 */
final class Connections implements ControlLoop.Handler {
    private static final Logger log = LoggerFactory.getLogger(Connections.class);

    private final RealResilientSession s;
    private final ClientRuntime runtime;
    /** The config every connection starts from ({@link ContinuityStrategy#baseConfig}). */
    private final SessionConfig config;
    private final SendPath send;
    private final List<ResilientConnection> conns = new ArrayList<>();
    private final ResilientConnection.Inbox inbox;
    private int seq;
    private boolean firstSetupForwarded;

    Connections(RealResilientSession s, ClientRuntime runtime, SessionConfig config, SendPath send) {
        this.s = s;
        this.runtime = runtime;
        this.config = config;
        this.send = send;
        this.inbox = s.inbox();
    }

    /**
     * Opens a connection as the provider's continuity plans it: resuming {@code handle}, or a new server-side session
     * (seeded with the transcript if {@code reseed}); its outcome comes back to {@link #connected} or
     * {@link #connectFailed} through the control thread.
     */
    ResilientConnection open(String handle, boolean reseed) {
        ContinuityStrategy.Plan plan = s.continuity.next(config, handle, reseed, reseed ? send.seedTurns() : List.of());
        String resumed = plan instanceof ContinuityStrategy.Resume r ? r.handle() : null;
        ResilientConnection c = new ResilientConnection(++seq, resumed, plan instanceof ContinuityStrategy.Reseed, inbox);
        conns.add(c);
        SessionConfig cfg = switch (plan) {
            case ContinuityStrategy.Resume r -> r.config();
            case ContinuityStrategy.Reseed r -> r.config();
            case ContinuityStrategy.Fresh f -> f.config();
        };
        log.debug("resilient session {}: opening {} ({})", s.id(), c, plan.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT));
        // The outcome is queued before any event of the connection (ClientRuntime.connectRetaining), so the control
        // thread knows the connection is connected before it sees its setupComplete. A failure may be queued before
        // c.future is set; it is handled after this method returns (we are the control thread).
        c.future = runtime.connectRetaining(cfg, c, s.ioAffinity,
                (session, e) -> s.connectOutcome(c, (RealLiveSession) session, e == null ? null : toLive(e)));
        return c;
    }

    private static LiveException toLive(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof LiveException le ? le : new LiveException(Kind.UNAVAILABLE, "connect failed: " + t, t);
    }

    /** Drops a connection we no longer want. */
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

    /** Discards every connection (the session ended). */
    void discardAll() {
        for (ResilientConnection c : List.copyOf(conns)) {
            discard(c);
        }
        conns.clear();
    }

    /** Closes gracefully without blocking the control thread: the connection flushes, then closes. */
    void closeGracefully(ResilientConnection c) {
        RealLiveSession session = c.session;
        if (session != null) {
            Thread.ofVirtual().name("habla-" + s.id() + "-close-" + c.seq).start(session::close);
        }
    }

    @Override
    public void connected(ResilientConnection c, RealLiveSession session) {
        c.session = session;
        if (s.ending() || c.role == Role.DEAD) {
            c.role = Role.DEAD;
            conns.remove(c);
            send.retire(c);
            session.abort();
            return;
        }
        if (s.reconnectControl().isCandidate(c)) {
            s.reconnectControl().connected(c);
            return;
        }
        if (s.handoverControl().standby == c) {
            c.role = Role.STANDBY;
            log.debug("resilient session {}: standby {} ready", s.id(), c);
            s.handoverControl().progress();
            return;
        }
        c.role = Role.DEAD;
        conns.remove(c);
        send.retire(c);
        session.abort();
    }

    @Override
    public void connectFailed(ResilientConnection c, LiveException e) {
        boolean wasWanted = c.role != Role.DEAD;
        c.role = Role.DEAD;
        c.retired = true;
        conns.remove(c);
        if (s.terminated() || !wasWanted) {
            return;
        }
        boolean refused = c.handle != null && s.continuity.isHandleRefused(e);
        if (s.reconnectControl().isCandidate(c)) {
            s.reconnectControl().candidateFailed(e, refused);
            return;
        }
        s.handoverControl().standbyConnectFailed(c, refused, e);
    }

    /** A signal's handling threw: the session fails. */
    @Override
    public void internalError(RuntimeException e) {
        log.error("resilient session {}: internal error; failing the session", s.id(), e);
        s.terminate(CloseCodes.INTERNAL, "internal error: " + e,
                new LiveException(Kind.INTERNAL, "resilient session failed internally: " + e, e));
    }

    /** An event of {@code c}: a standby holds it; the conversation's connection (or a retiring one) delivers it. */
    @Override
    public void event(ResilientConnection c, LiveEvent e) {
        if (e instanceof LiveEvent.Closed closed) {
            closed(c, closed);
            return;
        }
        switch (c.role) {
            case DEAD -> { }
            // A CONNECTING connection has no events: its connect outcome is queued before them (open()).
            case CONNECTING, STANDBY -> {
                switch (e) {
                    case LiveEvent.SetupCompleted x -> { } // a standby's: the user heard the first connection's
                    case LiveEvent.ResumptionUpdate u -> trackHandle(c, u);
                    case LiveEvent.GoingAway g -> c.goAwayPending = g.timeLeft();
                    default -> c.held.add(e);
                }
            }
            case PRIMARY, RETIRING -> s.carrierEvents().on(c, e);
        }
    }

    private void closed(ResilientConnection c, LiveEvent.Closed closed) {
        Role role = c.role;
        if (role == Role.DEAD || role == Role.CONNECTING) {
            return; // CONNECTING: the connect future's failure decides what happens next
        }
        c.role = Role.DEAD;
        send.retire(c);
        conns.remove(c);
        switch (role) {
            case DEAD, CONNECTING -> { }
            case STANDBY -> s.handoverControl().standbyClosed(c);
            case RETIRING -> {
                s.carrierEvents().closeTurnIfOpen(c);
                send.requeueUnsent(c, false);
                Handovers.Switch sw = s.handoverControl().switching;
                if (sw == null || sw.old != c) {
                    return;
                }
                if (s.closeRequested) {
                    s.handoverControl().switching = null;
                    s.terminate(closed.code(), closed.reason(), null);
                } else {
                    s.handoverControl().finishSwitch(sw);
                }
            }
            case PRIMARY -> {
                s.carrierEvents().closeTurnIfOpen(c);
                primaryLost(c, closed);
            }
        }
    }

    /** The conversation's connection ended: buffer input, keep what it never wrote, then reconnect or end. */
    private void primaryLost(ResilientConnection c, LiveEvent.Closed closed) {
        send.lost(c, s.now());
        send.requeueUnsent(c, true);
        s.handoverControl().primaryLost();
        s.watchdog().carrierLost();
        if (s.closeRequested) {
            s.terminate(closed.code(), closed.reason(), closed.error() != null && closed.error().kind() != Kind.CLOSED
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
        log.debug("resilient session {}: lost {}: {}", s.id(), c, cause.toString());
        if (!cause.kind().retryable()) {
            s.terminate(closed.code(), closed.reason(), cause);
            return;
        }
        s.reconnectControl().primaryLost(cause, tag, closed.code());
    }

    // ---- the conversation across connections --------------------------------------------------------------

    void trackHandle(ResilientConnection c, LiveEvent.ResumptionUpdate u) {
        c.trackHandle(u);
        if (c.role == Role.PRIMARY) {
            s.latestResumable = c.resumable;
            if (c.latestHandle != null) {
                s.latestHandle = c.latestHandle;
            }
        }
    }

    /** The first connection's setupComplete reaches the user; later ones are the session's business. */
    void firstSetup(LiveEvent.SetupCompleted setup) {
        if (!firstSetupForwarded) {
            firstSetupForwarded = true;
            s.emit(setup);
        }
    }

    /** The connection whose model turns the watchdog follows: the primary, or the one being retired. */
    ResilientConnection carrier() {
        Handovers.Switch sw = s.handovers.switching;
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
        SendPath.Promotion p = send.promote(next, s.now());
        if (next.latestHandle != null) {
            s.latestHandle = next.latestHandle;
        }
        s.latestResumable = next.resumable;
        s.connectionCount++;
        s.state = SessionState.OPEN;
        if (p.replayed()) {
            s.watchdog().userTurnEnded(s.now()); // the re-sent turn's reply is awaited from now
        }
        return p.gap();
    }

    /** After a promotion was announced: deliver what the standby held, honour a goAway it got early. */
    void afterPromotion(ResilientConnection next) {
        s.phase = s.handovers.handover != null ? Phase.HANDING_OVER : Phase.CONNECTED;
        List<LiveEvent> held = List.copyOf(next.held);
        next.held.clear();
        for (LiveEvent e : held) {
            if (s.terminated() || next.role != Role.PRIMARY) {
                break;
            }
            s.carrier.on(next, e);
        }
        if (next.goAwayPending != null) {
            Duration g = next.goAwayPending;
            next.goAwayPending = null;
            s.handovers.start(LiveEvent.HandoverCause.GO_AWAY, g);
        }
    }
}
