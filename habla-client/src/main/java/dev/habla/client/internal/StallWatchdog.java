package dev.habla.client.internal;

import dev.habla.client.LiveEvent.StallKind;
import dev.habla.client.ResiliencePolicy;
import dev.habla.time.Scheduler;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The two stall watchdogs of a resilient session, and the time-to-first-output metrics they share a clock with:
 * <ul>
 *   <li>no reply: the user's turn ended and no model turn started within {@link ResiliencePolicy#replyTimeout()};</li>
 *   <li>mid-turn: the model was generating and produced nothing for {@link ResiliencePolicy#midTurnStallTimeout()}.</li>
 * </ul>
 * Control thread only; its timers fire through {@link Host#later}, which runs them on the control thread.
 */
final class StallWatchdog {

    /**
     * What the watchdog needs from the session: a timer that runs its action on the control thread, the time, the
     * connection whose model turn is watched (the primary, or the one being retired; null if none), and what to do
     * about a stall (after it was counted here).
     */
    record Host(BiFunction<Duration, Runnable, Scheduler.Cancellable> later, LongSupplier now,
            Supplier<ResilientConnection> carrier, BiConsumer<StallKind, Duration> stalled) {}

    private final ResiliencePolicy policy;
    private final Host host;
    private final SendPath send;
    private final MicrometerSessionMetrics metrics;
    /** The user's turn ended and no model turn answered it yet. */
    private boolean replyPending;
    private long turnEndNanos;
    private boolean firstAudioPending;
    private boolean firstTextPending;
    private Scheduler.Cancellable replyTimer;
    private Scheduler.Cancellable stallTimer;

    StallWatchdog(ResiliencePolicy policy, Host host, SendPath send, MicrometerSessionMetrics metrics) {
        this.policy = policy;
        this.host = host;
        this.send = send;
        this.metrics = metrics;
    }

    /** The user's turn ended at {@code at} (signalled by the sender, so it precedes any reply). */
    void userTurnEnded(long at) {
        replyPending = true;
        turnEndNanos = at;
        firstAudioPending = true;
        firstTextPending = true;
        cancel(replyTimer);
        replyTimer = null;
        if (policy.replyTimeout() != null) {
            replyTimer = host.later().apply(policy.replyTimeout(), this::replyCheck);
        }
    }

    boolean replyPending() {
        return replyPending;
    }

    /** The turn that started on {@code c} answers the user's pending turn. */
    void replyStarted(ResilientConnection c) {
        replyPending = false;
        c.turn.markReply();
        cancel(replyTimer);
        replyTimer = null;
        send.replyStarted();
    }

    /** Model text (not a thought) on {@code c} at {@code now}: the time to the first text of a reply. */
    void text(ResilientConnection c, long now) {
        if (firstTextPending && c.turn.replyTurn()) {
            firstTextPending = false;
            metrics.firstText(Duration.ofNanos(now - turnEndNanos));
        }
    }

    /** Model audio on {@code c} at {@code now}: the time to the first audio of a reply. */
    void audio(ResilientConnection c, long now) {
        if (firstAudioPending && c.turn.replyTurn()) {
            firstAudioPending = false;
            metrics.firstAudio(Duration.ofNanos(now - turnEndNanos));
        }
    }

    /** A model turn ended: no first output to measure until the user's next turn. */
    void turnEnded() {
        firstAudioPending = false;
        firstTextPending = false;
    }

    /** The model is generating: watch for it going silent. */
    void generating() {
        if (policy.midTurnStallTimeout() == null || stallTimer != null) {
            return;
        }
        stallTimer = host.later().apply(policy.midTurnStallTimeout(), this::stallCheck);
    }

    /** The carrier was lost: its turn is no longer watched. */
    void carrierLost() {
        cancel(stallTimer);
        stallTimer = null;
    }

    void cancelAll() {
        cancel(replyTimer);
        cancel(stallTimer);
    }

    private void replyCheck() {
        replyTimer = null;
        if (!replyPending) {
            return;
        }
        long waited = host.now().getAsLong() - turnEndNanos;
        long limit = policy.replyTimeout().toNanos();
        if (waited < limit) {
            replyTimer = host.later().apply(Duration.ofNanos(limit - waited), this::replyCheck);
            return;
        }
        replyPending = false;
        firstAudioPending = false;
        firstTextPending = false;
        send.replyTimedOut();
        host.stalled().accept(StallKind.NO_REPLY, Duration.ofNanos(waited));
    }

    private void stallCheck() {
        stallTimer = null;
        ResilientConnection c = host.carrier().get();
        if (c == null || !c.turn.generating() || c.turn.stallReported()) {
            return;
        }
        long idle = c.turn.idleNanos(host.now().getAsLong());
        long limit = policy.midTurnStallTimeout().toNanos();
        if (idle < limit) {
            stallTimer = host.later().apply(Duration.ofNanos(limit - idle), this::stallCheck);
            return;
        }
        c.turn.stallReported(true);
        host.stalled().accept(StallKind.MID_TURN, Duration.ofNanos(idle));
    }

    static void cancel(Scheduler.Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }
}
