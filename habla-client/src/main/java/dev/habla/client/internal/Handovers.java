package dev.habla.client.internal;

import dev.habla.client.LiveEvent;
import dev.habla.client.LiveEvent.HandoverCause;
import dev.habla.client.ResiliencePolicy;
import dev.habla.client.ResilientSession.Phase;
import dev.habla.time.Scheduler;
import dev.habla.client.internal.ResilientConnection.Role;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handovers of a resilient session: moving the conversation to a new connection before the server ends the current
 * one (goAway, the proactive timer, {@code handoverNow()}), at a turn boundary ({@link TurnBoundary}) or, at the
 * deadline, regardless. Make-before-break: a standby connection resumes from the latest handle, then input is
 * buffered, the old connection closes gracefully (flushing what it accepted), and the standby takes over with the
 * buffer. Break-before-make (by policy, or when standbys fail) hands the connect to {@link Reconnects}.
 * Control thread only.
 */
final class Handovers {
    private static final Logger log = LoggerFactory.getLogger(Handovers.class);
    /** Failed standby connects in one handover before it falls back to close-then-reconnect. */
    static final int MAX_STANDBY_FAILURES = 3;
    /** How long before a provider's hard connection lifetime runs out the switch to a new connection starts. */
    static final Duration LIFETIME_LEAD = Duration.ofMinutes(5);

    /** A handover in progress. */
    static final class Handover {
        final HandoverCause cause;
        long deadlineNanos = Long.MAX_VALUE;
        boolean forced;
        int standbyFailures;
        Scheduler.Cancellable deadlineTimer;

        Handover(HandoverCause cause) {
            this.cause = cause;
        }
    }

    /** A switch: input is buffered and {@code old} is closing; {@code next} takes over once it is closed. */
    static final class Switch {
        final Handover handover;
        final ResilientConnection old;
        /** The standby to promote, or null to connect afterwards (break-before-make). */
        final ResilientConnection next;
        Scheduler.Cancellable drainTimer;

        Switch(Handover handover, ResilientConnection old, ResilientConnection next) {
            this.handover = handover;
            this.old = old;
            this.next = next;
        }
    }

    private final RealResilientSession s;
    private final ResiliencePolicy policy;
    private final SendPath send;
    Handover handover;
    Switch switching;
    ResilientConnection standby;
    private Scheduler.Cancellable proactiveTimer;
    /** Re-checks a waiting handover when the wait for the reply to the user's speech runs out. */
    private Scheduler.Cancellable spokenReplyTimer;

    Handovers(RealResilientSession s, ResiliencePolicy policy, SendPath send) {
        this.s = s;
        this.policy = policy;
        this.send = send;
    }

    /**
     * A handover the provider announced (goAway) or the policy's timer asked for: only on a provider that hands over
     * ({@link ContinuityStrategy#supportsHandover()}); elsewhere a goAway is only reported, and the connection's end
     * is a reconnect.
     */
    void start(HandoverCause cause, Duration timeLeft) {
        if (!s.continuity.supportsHandover()) {
            log.debug("resilient session {}: {} ignored: the provider does not hand over", s.id(), cause);
            return;
        }
        begin(cause, timeLeft);
    }

    /**
     * Starts a handover whatever the provider: asked for by the user ({@code handoverNow()}) or before a connection
     * reaches the provider's hard lifetime. Without a resumption handle it is a switch to a re-seeded connection at
     * the next turn boundary (break-before-make, {@link #progress}).
     */
    void begin(HandoverCause cause, Duration timeLeft) {
        if (s.ending() || s.reconnectControl().active() || send.primary() == null) {
            return;
        }
        Handover h = handover;
        if (h != null) {
            if (timeLeft != null) {
                setDeadline(h, timeLeft);
            }
            return;
        }
        h = new Handover(cause);
        handover = h;
        s.handoverPending = true;
        s.phase = Phase.HANDING_OVER;
        StallWatchdog.cancel(proactiveTimer);
        log.debug("resilient session {}: handover ({}, timeLeft {})", s.id(), cause, timeLeft);
        if (timeLeft != null) {
            setDeadline(h, timeLeft); // before the event: whoever reacts to it must find the timer armed
        }
        s.emit(new LiveEvent.HandoverStarted(cause, timeLeft));
        progress();
    }

    private void setDeadline(Handover h, Duration timeLeft) {
        long at = Math.max(0, timeLeft.toNanos() - policy.handoverDeadlineMargin().toNanos());
        long deadline = s.now() + at;
        if (deadline >= h.deadlineNanos) {
            return;
        }
        h.deadlineNanos = deadline;
        StallWatchdog.cancel(h.deadlineTimer);
        h.deadlineTimer = s.later(Duration.ofNanos(at), () -> {
            if (handover == h && !h.forced) {
                h.forced = true;
                log.debug("resilient session {}: handover deadline reached; switching regardless of the turn", s.id());
                progress();
            }
        });
    }

    /** The next step of a pending handover, if its conditions hold now. Idempotent. */
    void progress() {
        Handover h = handover;
        if (h == null || switching != null || s.reconnectControl().active() || s.ending()) {
            return;
        }
        ResilientConnection p = send.primary();
        if (p == null || p.role != Role.PRIMARY) {
            return;
        }
        boolean boundary = h.forced || atBoundary(p);
        if (!boundary) {
            armSpokenReplyRecheck();
        }
        String handle = s.latestHandle;
        if (!policy.makeBeforeBreak() || h.standbyFailures >= MAX_STANDBY_FAILURES || handle == null) {
            if (boundary) {
                beginSwitch(h, p, null);
            }
            return;
        }
        ResilientConnection sb = standby;
        if (sb == null) {
            if (boundary) {
                standby = s.connections().open(handle, false);
            }
            return;
        }
        if (sb.role != Role.STANDBY) {
            return; // still connecting
        }
        if (!Objects.equals(sb.handle, handle)) {
            // The conversation moved on since the standby was opened: its state would lack the newest turns.
            if (boundary) {
                log.debug("resilient session {}: standby {} is stale; reopening with the latest handle", s.id(), sb);
                s.connections().discard(sb);
                standby = s.connections().open(handle, false);
            }
            return;
        }
        if (boundary) {
            beginSwitch(h, p, sb);
        }
    }

    /** The turn-boundary rule, both sides: the model's ({@link TurnState}) and the user's ({@link SendPath}). */
    private boolean atBoundary(ResilientConnection p) {
        // A provider that does not hand over has no resumption: the switch re-seeds, whatever the server would say.
        boolean resumable = p.resumable || !s.continuity.supportsHandover();
        return TurnBoundary.modelAtBoundary(p.turn.inTurn(), s.carrierEvents().holding(), resumable)
                && send.inputAtBoundary(p, s.now());
    }

    /** A handover held back by the wait for a spoken reply is re-checked when that wait ends. */
    private void armSpokenReplyRecheck() {
        if (spokenReplyTimer != null) {
            return;
        }
        long left = send.spokenReplyWait(s.now());
        if (left > 0) {
            spokenReplyTimer = s.later(Duration.ofNanos(left), () -> {
                spokenReplyTimer = null;
                progress();
            });
        }
    }

    /** Stops input to {@code old} (buffering it), closes {@code old} gracefully; {@link #finishSwitch} continues. */
    private void beginSwitch(Handover h, ResilientConnection old, ResilientConnection next) {
        if (!send.stopForSwitch(old, h.forced, s.now())) {
            return; // the user moved on between the check and now; try again at the next boundary
        }
        old.role = Role.RETIRING;
        Switch sw = new Switch(h, old, next);
        switching = sw;
        log.debug("resilient session {}: switching {} -> {}", s.id(), old, next == null ? "(new connection after close)" : next);
        s.connections().closeGracefully(old);
        sw.drainTimer = s.later(policy.drainTimeout(), () -> {
            if (switching == sw && sw.old.session != null) {
                log.debug("resilient session {}: {} did not close within {} ms; aborting it", s.id(), sw.old,
                        policy.drainTimeout().toMillis());
                sw.old.session.abort();
            }
        });
    }

    /** The old connection of a switch is closed: everything it accepted reached the server. */
    void finishSwitch(Switch sw) {
        switching = null;
        StallWatchdog.cancel(sw.drainTimer);
        Handover h = sw.handover;
        if (s.closeRequested) {
            return;
        }
        ResilientConnection next = sw.next;
        standby = null;
        if (next == null || next.role != Role.STANDBY) {
            // Break-before-make (by policy, or the standby failed): connect now, resuming (or re-seeding).
            if (next != null) {
                s.connections().discard(next);
            }
            s.reconnectControl().startForHandover(h);
            return;
        }
        complete(h, next);
    }

    void complete(Handover h, ResilientConnection next) {
        Duration gap = s.connections().promote(next);
        end(h);
        s.handoverCount++;
        s.metrics.handover(h.cause, gap);
        log.debug("resilient session {}: handover to {} done, gap {} ms", s.id(), next, gap.toMillis());
        armProactive(next);
        s.emit(new LiveEvent.HandoverCompleted(gap, s.connectionCount));
        s.connections().afterPromotion(next);
    }

    void end(Handover h) {
        if (h != null) {
            StallWatchdog.cancel(h.deadlineTimer);
        }
        handover = null;
        s.handoverPending = false;
        s.phase = Phase.CONNECTED;
    }

    /**
     * Arms the proactive handover timer of a new primary (before the event announcing it): the policy's, or, earlier,
     * a switch before the provider's hard connection lifetime ({@link ContinuityStrategy#maxConnectionLifetime()}; a
     * provider that gives no warning), started {@link #LIFETIME_LEAD} (at most a tenth of it) before the end so that a
     * turn boundary can be waited for.
     */
    void armProactive(ResilientConnection next) {
        StallWatchdog.cancel(proactiveTimer);
        proactiveTimer = null;
        Duration lifetime = s.continuity.maxConnectionLifetime();
        Duration lead = lifetime == null ? null
                : LIFETIME_LEAD.compareTo(lifetime.dividedBy(10)) < 0 ? LIFETIME_LEAD : lifetime.dividedBy(10);
        Duration beforeEnd = lifetime == null ? null : lifetime.minus(lead);
        Duration byPolicy = s.continuity.supportsHandover() ? policy.proactiveHandoverAfter() : null;
        if (beforeEnd != null && (byPolicy == null || beforeEnd.compareTo(byPolicy) < 0)) {
            proactiveTimer = s.later(beforeEnd, () -> {
                if (send.primary() == next && next.role == Role.PRIMARY) {
                    begin(HandoverCause.PROACTIVE, lead);
                }
            });
        } else if (byPolicy != null) {
            proactiveTimer = s.later(policy.proactiveHandoverAfter(), () -> {
                if (send.primary() == next && next.role == Role.PRIMARY) {
                    start(HandoverCause.PROACTIVE, null);
                }
            });
        }
    }

    void primaryLost() {
        StallWatchdog.cancel(proactiveTimer);
    }

    /** A standby failed to connect: count it against the handover and try again (or fall back). */
    void standbyConnectFailed(ResilientConnection c, boolean refused, Exception e) {
        if (standby != c) {
            return;
        }
        standby = null;
        Handover h = handover;
        if (h != null) {
            h.standbyFailures++;
            if (refused) {
                s.metrics.anomaly("resumption_refused");
                h.standbyFailures = MAX_STANDBY_FAILURES; // resuming will not work: close, then reconnect (re-seeded)
            }
            log.debug("resilient session {}: standby failed ({}): {}", s.id(), h.standbyFailures, e.toString());
            progress();
        }
    }

    /** A standby closed before it was used. */
    void standbyClosed(ResilientConnection c) {
        if (standby != c) {
            return;
        }
        standby = null;
        if (handover != null && switching == null) {
            handover.standbyFailures++;
            progress();
        }
    }

    void cancelTimers() {
        StallWatchdog.cancel(spokenReplyTimer);
        StallWatchdog.cancel(proactiveTimer);
        if (handover != null) {
            StallWatchdog.cancel(handover.deadlineTimer);
        }
        if (switching != null) {
            StallWatchdog.cancel(switching.drainTimer);
        }
    }
}
