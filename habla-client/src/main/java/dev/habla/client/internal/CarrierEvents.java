package dev.habla.client.internal;

import dev.habla.client.LiveEvent;
import dev.habla.client.ResiliencePolicy;
import dev.habla.time.Scheduler;
import dev.habla.protocol.ServerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of the connection carrying the conversation (or of the one being retired), on their way to the user:
 * turn tracking ({@link TurnState}), the transcript, tool calls for routing, the watchdogs, and the premature
 * turnComplete hold (Gemini sometimes sends turnComplete mid-answer: held briefly, dropped if the model goes on).
 * Control thread only.
 */
final class CarrierEvents {
    private static final Logger log = LoggerFactory.getLogger(CarrierEvents.class);

    private final RealResilientSession s;
    private final ResiliencePolicy policy;
    private final SendPath send;
    private final StallWatchdog watchdog;
    private final MicrometerSessionMetrics metrics;
    private LiveEvent.TurnComplete heldTurnComplete;
    private ResilientConnection heldFrom;
    private Scheduler.Cancellable holdTimer;

    CarrierEvents(RealResilientSession s, ResiliencePolicy policy, SendPath send, StallWatchdog watchdog,
            MicrometerSessionMetrics metrics) {
        this.s = s;
        this.policy = policy;
        this.send = send;
        this.watchdog = watchdog;
        this.metrics = metrics;
    }

    /** A turnComplete is held back (not at a boundary until it is released or dropped). */
    boolean holding() {
        return heldTurnComplete != null;
    }

    void on(ResilientConnection c, LiveEvent e) {
        long now = s.now();
        if (heldTurnComplete != null && heldFrom == c) {
            if (isModelContent(e) || e instanceof LiveEvent.GenerationComplete || e instanceof LiveEvent.Interrupted
                    || e instanceof LiveEvent.TurnComplete) {
                // The model kept going: the held turnComplete was premature. Drop it; the turn continues.
                heldTurnComplete = null;
                heldFrom = null;
                StallWatchdog.cancel(holdTimer);
                metrics.anomaly("premature_turn_complete");
                log.debug("resilient session {}: dropped a premature turnComplete on {}", s.id(), c);
            } else if (e instanceof LiveEvent.ResumptionUpdate u && u.resumable()) {
                releaseHeld();
            }
        }
        switch (e) {
            case LiveEvent.SetupCompleted x -> {
                s.connections().firstSetup(x);
                return;
            }
            case LiveEvent.GoingAway g -> {
                if (c.role == ResilientConnection.Role.PRIMARY) {
                    s.handoverControl().start(LiveEvent.HandoverCause.GO_AWAY, g.timeLeft());
                }
                return;
            }
            case LiveEvent.ResumptionUpdate u -> {
                s.connections().trackHandle(c, u);
                s.handoverControl().progress();
                return;
            }
            case LiveEvent.TextDelta t -> {
                modelOutput(c, now, false);
                if (!t.thought()) {
                    c.turn.appendModelText(t.text());
                    watchdog.text(c, now);
                }
            }
            case LiveEvent.AudioChunk a -> {
                modelOutput(c, now, false);
                watchdog.audio(c, now);
            }
            case LiveEvent.OutputTranscription t -> {
                modelOutput(c, now, false);
                c.turn.appendSpoken(t.text());
            }
            case LiveEvent.ExecutableCode x -> modelOutput(c, now, false);
            case LiveEvent.CodeExecutionResult x -> modelOutput(c, now, false);
            case LiveEvent.Grounding x -> modelOutput(c, now, false);
            case LiveEvent.ToolCallRequested r -> {
                modelOutput(c, now, true);
                send.callsRequested(r.calls(), c.seq, now);
            }
            case LiveEvent.ToolCallCancelled x -> send.callsCancelled(x.ids());
            case LiveEvent.Interrupted i -> {
                c.turn.interrupted();
                if (send.phantomInterruption(c.turn)) {
                    metrics.anomaly("phantom_interrupted");
                    log.debug("resilient session {}: interrupted without user input on {}", s.id(), c);
                }
            }
            case LiveEvent.GenerationComplete g -> c.turn.generationComplete();
            case LiveEvent.TurnComplete t -> {
                metrics.usage(t.usage());
                if (!policy.prematureTurnCompleteHold().isZero() && c.role == ResilientConnection.Role.PRIMARY
                        && c.turn.turnCompleteMayBePremature()) {
                    heldTurnComplete = t;
                    heldFrom = c;
                    holdTimer = s.later(policy.prematureTurnCompleteHold(), () -> {
                        if (heldTurnComplete == t) {
                            releaseHeld();
                        }
                    });
                    return;
                }
                if (!c.turn.inTurn() && watchdog.replyPending()) {
                    watchdog.replyStarted(c); // a turn with no content at all answered the user's turn (a silent turn)
                }
                endTurn(c);
                s.emit(t);
                s.handoverControl().progress();
                return;
            }
            case LiveEvent.Usage u -> metrics.usage(u.usage());
            case LiveEvent.InputTranscription t -> {
                c.turn.appendHeard(t.text());
                if (t.finished()) {
                    commitHeard(c);
                }
            }
            case LiveEvent.VoiceActivity v -> {
                if (v.type() == ServerMessage.VoiceActivityType.ACTIVITY_END) {
                    watchdog.userTurnEnded(now);
                }
            }
            default -> { }
        }
        s.emit(e);
    }

    private static boolean isModelContent(LiveEvent e) {
        return e instanceof LiveEvent.TextDelta || e instanceof LiveEvent.AudioChunk || e instanceof LiveEvent.OutputTranscription
                || e instanceof LiveEvent.ToolCallRequested || e instanceof LiveEvent.ExecutableCode
                || e instanceof LiveEvent.CodeExecutionResult || e instanceof LiveEvent.Grounding;
    }

    /** The model produced something on {@code c}: turn bookkeeping, the reply watchdog and the stall watchdog. */
    private void modelOutput(ResilientConnection c, long now, boolean toolCall) {
        if (!c.turn.inTurn()) {
            commitHeard(c);
            c.turn.open(now, send.modelTurnStarted());
            if (watchdog.replyPending()) {
                watchdog.replyStarted(c);
            }
        }
        c.turn.output(now, toolCall);
        if (c.turn.generating()) {
            watchdog.generating();
        }
    }

    private void endTurn(ResilientConnection c) {
        String said = c.turn.end();
        watchdog.turnEnded();
        if (!said.isBlank()) {
            send.addTurn("model", said);
        }
    }

    /** The user's transcribed speech becomes a user turn of the transcript. */
    private void commitHeard(ResilientConnection c) {
        String heard = c.turn.takeHeard();
        if (heard != null) {
            send.addTurn("user", heard);
        }
    }

    /** A held turnComplete was real after all: deliver it. */
    void releaseHeld() {
        LiveEvent.TurnComplete t = heldTurnComplete;
        ResilientConnection c = heldFrom;
        heldTurnComplete = null;
        heldFrom = null;
        StallWatchdog.cancel(holdTimer);
        if (t == null) {
            return;
        }
        endTurn(c);
        s.emit(t);
        s.handoverControl().progress();
    }

    /** A connection ended while the model was mid-turn: close the turn for the listener. */
    void closeTurnIfOpen(ResilientConnection c) {
        if (heldTurnComplete != null && heldFrom == c) {
            releaseHeld();
            return;
        }
        if (c.turn.inTurn()) {
            endTurn(c);
            s.emit(new LiveEvent.TurnComplete(null, null));
        }
    }

    void cancelTimers() {
        StallWatchdog.cancel(holdTimer);
    }
}
