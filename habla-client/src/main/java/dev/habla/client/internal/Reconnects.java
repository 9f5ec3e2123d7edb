package dev.habla.client.internal;

import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveEvent.StallKind;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.ResilientSession.Phase;
import dev.habla.time.Scheduler;
import dev.habla.client.internal.ResilientConnection.Role;
import dev.habla.protocol.CloseCodes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection attempts of a resilient session: the first connect, a reconnect after the connection carrying the
 * conversation was lost, and the connect of a break-before-make handover. One attempt at a time, with the policy's
 * backoff, resuming from the latest handle; a refused handle falls back to a fresh session seeded with the transcript
 * (if the policy allows); a non-retryable failure or too many attempts end the session. Also the reaction to a stall
 * (abandon the connection and reconnect, if the policy says so). Control thread only.
 */
final class Reconnects {
    private static final Logger log = LoggerFactory.getLogger(Reconnects.class);

    /** One series of attempts. */
    private static final class Attempts {
        final boolean initial;
        final Handovers.Handover forHandover;
        final LiveException cause;
        int attempts;
        boolean handleRefused;
        LiveException last;
        ResilientConnection candidate;
        Scheduler.Cancellable timer;

        Attempts(boolean initial, Handovers.Handover forHandover, LiveException cause) {
            this.initial = initial;
            this.forHandover = forHandover;
            this.cause = cause;
        }
    }

    private final RealResilientSession s;
    private final ResiliencePolicy policy;
    private Attempts current;

    Reconnects(RealResilientSession s, ResiliencePolicy policy) {
        this.s = s;
        this.policy = policy;
    }

    /** Attempts are under way (no handover may start meanwhile). */
    boolean active() {
        return current != null;
    }

    boolean isCandidate(ResilientConnection c) {
        return current != null && current.candidate == c;
    }

    void startInitial() {
        current = new Attempts(true, null, null);
        nextAttempt(false);
    }

    void startForHandover(Handovers.Handover h) {
        current = new Attempts(false, h, null);
        nextAttempt(false);
    }

    /**
     * The connection carrying the conversation was lost with a retryable {@code cause}: a standby that is ready
     * completes the handover late; otherwise reconnect (a standby on its way with the latest handle counts as the
     * first attempt).
     */
    void primaryLost(LiveException cause, String tag, int code) {
        Handovers hs = s.handoverControl();
        Handovers.Handover h = hs.handover;
        ResilientConnection sb = hs.standby;
        if (h != null && sb != null && sb.role == Role.STANDBY && Objects.equals(sb.handle, s.latestHandle)) {
            // The next connection is ready: this is a (late) handover, not a reconnect.
            hs.standby = null;
            hs.complete(h, sb);
            return;
        }
        hs.end(h);
        s.reconnectCount++;
        s.metrics.reconnect(tag, code);
        s.phase = Phase.RECONNECTING;
        Attempts r = new Attempts(false, null, cause);
        current = r;
        if (sb != null && sb.role == Role.CONNECTING && Objects.equals(sb.handle, s.latestHandle)) {
            // A standby is on its way with the right handle: let it be the first attempt.
            hs.standby = null;
            r.attempts = 1;
            r.candidate = sb;
            s.emit(new LiveEvent.Reconnecting(cause, 1, Duration.ZERO));
            return;
        }
        if (sb != null) {
            s.connections().discard(sb);
            hs.standby = null;
        }
        nextAttempt(false);
    }

    /** The candidate failed to connect. */
    void candidateFailed(LiveException e, boolean refused) {
        Attempts r = current;
        r.candidate = null;
        r.last = e;
        log.debug("resilient session {}: attempt {} failed: {}", s.id(), r.attempts, e.toString());
        if (refused) {
            s.metrics.anomaly("resumption_refused");
            s.latestHandle = null;
            if (r.initial || !policy.reseedOnRefusedResumption()) {
                giveUp(r, e);
                return;
            }
            r.handleRefused = true;
            nextAttempt(true);
        } else if (e.kind().retryable()) {
            nextAttempt(false);
        } else {
            giveUp(r, e);
        }
    }

    /** The next connection attempt, after its backoff. */
    private void nextAttempt(boolean immediately) {
        Attempts r = current;
        r.attempts++;
        if (r.attempts > policy.maxReconnectAttempts()) {
            giveUp(r, r.last != null ? r.last : r.cause);
            return;
        }
        Duration delay = immediately ? Duration.ZERO
                : policy.backoff(r.attempts, ThreadLocalRandom.current().nextDouble(-1, 1));
        if (!delay.isZero()) {
            r.timer = s.later(delay, () -> {
                if (current == r && !s.ending()) {
                    attempt(r);
                }
            });
        }
        if (!r.initial && (r.forHandover == null || r.attempts > 1)) {
            s.emit(new LiveEvent.Reconnecting(r.last != null ? r.last : r.cause != null ? r.cause
                    : new LiveException(Kind.UNAVAILABLE, "handover"), r.attempts, delay));
        }
        if (delay.isZero() && current == r && !s.ending()) {
            attempt(r);
        }
    }

    private void attempt(Attempts r) {
        String h = r.handleRefused ? null : s.latestHandle;
        boolean reseed = h == null && !r.initial;
        r.candidate = s.connections().open(h, reseed);
    }

    /** The candidate is set up: it carries the conversation now. */
    void connected(ResilientConnection c) {
        Attempts r = current;
        current = null;
        StallWatchdog.cancel(r.timer);
        boolean resumed = c.handle != null;
        Duration gap = s.connections().promote(c);
        s.handoverControl().armProactive(c);
        if (r.initial) {
            s.phase = Phase.CONNECTED;
            log.debug("resilient session {}: open on {}", s.id(), c);
            s.opened().complete(s);
        } else if (r.forHandover != null) {
            s.handoverControl().end(r.forHandover);
            s.handoverCount++;
            s.metrics.handover(r.forHandover.cause, gap);
            s.emit(new LiveEvent.HandoverCompleted(gap, s.connectionCount));
        } else {
            s.phase = Phase.CONNECTED;
            s.metrics.reconnected(gap, resumed);
            log.debug("resilient session {}: reconnected on {} ({}), gap {} ms", s.id(), c, resumed ? "resumed" : "re-seeded",
                    gap.toMillis());
            s.emit(new LiveEvent.Reconnected(gap, resumed, r.attempts, s.connectionCount));
        }
        s.connections().afterPromotion(c);
    }

    private void giveUp(Attempts r, LiveException last) {
        if (last == null) {
            last = new LiveException(Kind.UNAVAILABLE, "no connection");
        }
        String what = r.initial ? "could not connect" : "could not reconnect";
        String msg = what + " after " + Math.min(r.attempts, policy.maxReconnectAttempts()) + " attempt(s): " + last.getMessage();
        Kind kind = last.kind().retryable() ? Kind.UNAVAILABLE : last.kind();
        LiveException e = new LiveException(kind, msg, last.closeCode(), last.closeReason(), last.httpStatus(), last);
        current = null;
        s.terminate(last.closeCode() > 0 ? last.closeCode() : CloseCodes.ABNORMAL, msg, e);
    }

    /** A watchdog saw a stall: tell the user; with the policy's consent, abandon the connection and reconnect. */
    void stalled(StallKind kind, Duration d) {
        s.metrics.stall(kind, d);
        log.debug("resilient session {}: stalled {} for {} ms", s.id(), kind, d.toMillis());
        s.emit(new LiveEvent.Stalled(kind, d));
        if (s.ending() || !policy.reconnectOnStall() || s.handovers.switching != null || active()) {
            return;
        }
        ResilientConnection c = s.sendPath().primary();
        if (c == null || c.role != Role.PRIMARY || c.session == null) {
            return;
        }
        if (kind == StallKind.NO_REPLY) {
            s.sendPath().replayUnansweredTurn();
        }
        c.killed = "stalled (" + kind.name().toLowerCase(java.util.Locale.ROOT) + ", " + d.toMillis() + " ms)";
        c.session.abort(); // its Closed comes back as a loss with cause "stall"
    }

    /** Close requested: no more attempts. */
    void stop() {
        if (current != null) {
            StallWatchdog.cancel(current.timer);
            s.connections().discard(current.candidate);
            current = null;
        }
    }

    void cancelTimers() {
        if (current != null) {
            StallWatchdog.cancel(current.timer);
        }
    }
}
