package dev.habla.client.internal;

import dev.habla.client.ResiliencePolicy;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.RealtimeInputConfig;

/**
 * The turn-boundary rule: may the conversation move to another connection now without cutting a turn? A plain
 * object: no threads, no clock (times are passed in as nanos). Immutable.
 *
 * <p>Between turns means: no model turn open (or held back as possibly premature), the server says the session is
 * resumable, no tool call of this connection unanswered, no user turn awaiting its reply, no activity open (manual
 * activity detection), and, with the server's activity detection, the user's audio quiet long enough and no spoken
 * turn still waiting for its reply ({@link #spokenReplyWait}).
 */
final class TurnBoundary {
    /** Added to the server's end-of-speech silence when deriving how long the user's audio must be quiet. */
    static final long VAD_MARGIN_NANOS = 200_000_000L;

    /** The send side's view, taken atomically under its lock. */
    record Input(boolean awaitingReply, boolean activityOpen, long quietNanos, boolean speechSinceModelTurn,
            long lastSpeechNanos, boolean callsUnanswered) {}

    private final boolean manualActivity;
    private final long quietNeededNanos;
    private final long replyTimeoutNanos;

    TurnBoundary(boolean manualActivity, long quietNeededNanos, long replyTimeoutNanos) {
        this.manualActivity = manualActivity;
        this.quietNeededNanos = quietNeededNanos;
        this.replyTimeoutNanos = replyTimeoutNanos;
    }

    /**
     * The rule for a session: the policy's quiet time, or the server's end-of-speech silence plus a margin if the
     * config sets a longer one; manual activity if the config turns the server's activity detection off (the user's
     * turns are then delimited by activityStart/activityEnd, and audio outside an activity is ignored by the server).
     * The only place the resilient session reads the config's realtime input settings.
     */
    static TurnBoundary of(SessionConfig config, ResiliencePolicy policy) {
        long quiet = policy.quietAudioBeforeHandover().toNanos();
        RealtimeInputConfig ric = config.realtimeInputConfig();
        var aad = ric == null ? null : ric.automaticActivityDetection();
        if (quiet > 0 && aad != null && aad.silenceDurationMs() != null) {
            quiet = Math.max(quiet, aad.silenceDurationMs() * 1_000_000L + VAD_MARGIN_NANOS);
        }
        boolean manual = aad != null && Boolean.TRUE.equals(aad.disabled());
        long reply = (policy.replyTimeout() != null ? policy.replyTimeout() : ResiliencePolicy.DEFAULT_REPLY_TIMEOUT).toNanos();
        return new TurnBoundary(manual, quiet, reply);
    }

    boolean manualActivity() {
        return manualActivity;
    }

    long quietNeededNanos() {
        return quietNeededNanos;
    }

    /** The model side: no turn open or held, and the server's latest word is that the session is resumable. */
    static boolean modelAtBoundary(boolean inTurn, boolean turnCompleteHeld, boolean resumable) {
        return !inTurn && !turnCompleteHeld && resumable;
    }

    /** The user side, at {@code now}. */
    boolean inputAtBoundary(Input in, long now) {
        if (in.awaitingReply() || in.activityOpen() || in.callsUnanswered()) {
            return false;
        }
        return manualActivity || (in.quietNanos() >= quietNeededNanos && spokenReplyWait(in, now) == 0);
    }

    /**
     * How much longer (ns) a switch should wait for the reply to the user's speech, 0 if it need not. With server-side
     * activity detection nothing marks the end of a spoken turn on the client: once the user spoke and went quiet, the
     * server ends the turn by itself and answers it on the connection that received the speech, so closing that
     * connection before the reply starts would lose the reply. The wait ends when a model turn starts (speech since
     * the model turn is then false) or after the reply timeout counted from the last chunk with speech (the server may
     * have heard noise, not a turn). Not with manual activity detection: there activityEnd ends the turn
     * (awaitingReply) and other audio is ignored.
     */
    long spokenReplyWait(Input in, long now) {
        if (manualActivity || quietNeededNanos == 0 || !in.speechSinceModelTurn()) {
            return 0;
        }
        return Math.max(0, replyTimeoutNanos - (now - in.lastSpeechNanos()));
    }

    /** Whether audio going from {@code quietBefore} to {@code quietAfter} nanos of quiet just crossed the threshold. */
    boolean becameQuiet(long quietBefore, long quietAfter) {
        return quietBefore < quietNeededNanos && quietAfter >= quietNeededNanos;
    }
}
